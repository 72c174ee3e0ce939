"""Rules shared by product and variant writes: codes (sku, barcode), tax class, locations,
location prices, and building a variant row from a request."""

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.barcodes import barcode_problem
from tillpoint.catalog.models import Product, Variant
from tillpoint.catalog.schemas import LocationPrice, VariantIn
from tillpoint.core.auth import Principal
from tillpoint.core.db import in_list_chunks
from tillpoint.core.errors import AppError, field_error
from tillpoint.core.ids import new_id
from tillpoint.core.money import minor_units
from tillpoint.stores.models import Location, TaxClass


def check_barcode(code: str | None, internal: bool, field: str) -> None:
    """400 INVALID_BARCODE unless ``code`` is a GTIN with a valid check digit (or internal)."""
    if code is None:
        return
    problem = barcode_problem(code, internal=internal)
    if problem is not None:
        raise field_error(field, problem, code="INVALID_BARCODE")


class Codes:
    """The skus and barcodes one request writes, each with the field it came from.

    ``add`` refuses a code given twice in the request; ``check_free`` refuses codes another
    variant holds (archived ones too: their codes stay reserved).
    """

    def __init__(self) -> None:
        self.skus: dict[str, str] = {}
        self.barcodes: dict[str, str] = {}

    def add(self, sku: str | None, barcode: str | None, prefix: str) -> None:
        if sku is not None:
            if sku in self.skus:
                raise _taken("SKU_ALREADY_EXISTS", f"{prefix}sku", f"sku {sku} is given twice")
            self.skus[sku] = f"{prefix}sku"
        if barcode is not None:
            if barcode in self.barcodes:
                message = f"barcode {barcode} is given twice"
                raise _taken("BARCODE_ALREADY_EXISTS", f"{prefix}barcode", message)
            self.barcodes[barcode] = f"{prefix}barcode"

    async def check_free(self, session: AsyncSession, *, except_variant: str | None = None) -> None:
        taken = await self.taken(session, except_variant=except_variant)
        if taken:
            raise taken[0][1]

    async def taken(
        self, session: AsyncSession, *, except_variant: str | None = None
    ) -> list[tuple[str, AppError]]:
        """Every code another variant holds (archived ones too), with the 409 it makes."""
        found: list[tuple[str, AppError]] = []
        for column, wanted, code in (
            (Variant.sku, self.skus, "SKU_ALREADY_EXISTS"),
            (Variant.barcode, self.barcodes, "BARCODE_ALREADY_EXISTS"),
        ):
            if not wanted:
                continue
            for chunk in in_list_chunks(list(wanted)):
                stmt = select(column, Variant.product_id, Variant.id).where(column.in_(chunk))
                for value, product_id, variant_id in await session.execute(stmt):
                    if variant_id != except_variant:
                        name = "sku" if code.startswith("SKU") else "barcode"
                        message = f"{name} {value} is used by product {product_id}"
                        found.append((str(value), _taken(code, wanted[str(value)], message)))
        return found


def _taken(code: str, field: str, message: str) -> AppError:
    return AppError(code, details=[{"field": field, "message": message}])


async def flush_codes(session: AsyncSession) -> None:
    """Flush; a unique sku/barcode lost to a concurrent writer is a 409, not a 500."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        if "barcode" in text:
            raise AppError("BARCODE_ALREADY_EXISTS") from None
        if "sku" in text:
            raise AppError("SKU_ALREADY_EXISTS") from None
        raise


async def check_tax_class(session: AsyncSession, code: str, field: str = "taxClass") -> str:
    return require_tax_class(code, await active_tax_classes(session, [code]), field)


async def active_tax_classes(session: AsyncSession, codes: Collection[str]) -> set[str]:
    """Which of ``codes`` name an active tax class of the tenant (one query)."""
    stmt = select(TaxClass.code).where(TaxClass.code.in_(set(codes)), TaxClass.active.is_(True))
    return set((await session.execute(stmt)).scalars())


def require_tax_class(code: str, active: Collection[str], field: str = "taxClass") -> str:
    """``code`` when it is among the ``active`` tax classes, else 400 naming ``field``."""
    if code not in active:
        raise field_error(field, f"no active tax class with code {code!r}")
    return code


async def check_locations(
    session: AsyncSession, principal: Principal, location_ids: Collection[str], field: str
) -> None:
    """Each location exists in the tenant and the principal may see it (400 otherwise)."""
    wanted = set(location_ids)
    if not wanted:
        return
    stmt = select(Location.id).where(Location.id.in_(wanted))
    found = set((await session.execute(stmt)).scalars())
    missing = sorted(i for i in wanted if i not in found or not principal.can_access_location(i))
    if missing:
        raise field_error(field, f"unknown locations: {', '.join(missing)}")


def location_prices_minor(prices: list[LocationPrice], exponent: int, field: str) -> dict[str, int]:
    result: dict[str, int] = {}
    for i, entry in enumerate(prices):
        if entry.location_id in result:
            raise field_error(f"{field}[{i}].locationId", "a location is listed twice")
        result[entry.location_id] = minor_units(entry.price, exponent, f"{field}[{i}].price")
    return result


def optional_minor(value: Decimal | None, exponent: int, field: str) -> int | None:
    return None if value is None else minor_units(value, exponent, field)


def variant_name(name: str | None, option_values: list[dict[str, str]]) -> str:
    return name if name is not None else " / ".join(o["value"] for o in option_values)


def build_variant(
    product: Product, data: VariantIn, exponent: int, prefix: str, position: int
) -> Variant:
    """An option variant of ``product`` from a request (codes not yet checked as free)."""
    return Variant(
        **variant_values(product.tenant_id, product.id, data, exponent, prefix, position)
    )


def variant_values(
    tenant_id: str, product_id: str, data: VariantIn, exponent: int, prefix: str, position: int
) -> dict[str, Any]:
    """The columns of an option variant from a request: its rules, no database needed."""
    check_barcode(data.barcode, data.barcode_internal, f"{prefix}barcode")
    options = [o.model_dump() for o in data.option_values]
    return {
        "tenant_id": tenant_id,
        "id": new_id("variant"),
        "product_id": product_id,
        "is_default": False,
        "name": variant_name(data.name, options),
        "option_values": options,
        "sku": data.sku,
        "barcode": data.barcode,
        "barcode_internal": data.barcode_internal,
        "price_minor": optional_minor(data.price, exponent, f"{prefix}price"),
        "cost_minor": optional_minor(data.cost, exponent, f"{prefix}cost"),
        "location_prices": location_prices_minor(
            data.location_prices, exponent, f"{prefix}locationPrices"
        ),
        "position": data.position if data.position is not None else position,
    }
