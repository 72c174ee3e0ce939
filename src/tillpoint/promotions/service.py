"""Promotions: create, change, archive, read and list (coupon codes: ``codes``; applying them
to an order: ``checkout``)."""

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Category, Product, Variant
from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, unchanged, utcnow
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import has_prefix, new_id
from tillpoint.core.money import from_minor, minor_units
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.promotions.models import Promotion
from tillpoint.promotions.schemas import PromotionIn, PromotionOut, PromotionUpdate
from tillpoint.stores.models import Location

# The id type each scope names.
SCOPE_TARGETS: dict[str, tuple[str, Any]] = {
    "category": ("category", Category),
    "product": ("product", Product),
    "variant": ("variant", Variant),
}
# The request fields kept as they are (the rest are converted: money, percent).
PLAIN_FIELDS = (
    "name",
    "description",
    "trigger",
    "kind",
    "buy_quantity",
    "get_quantity",
    "scope",
    "max_uses",
    "max_uses_per_customer",
    "first_order_only",
    "start_date",
    "end_date",
    "start_time",
    "end_time",
    "stacking",
    "priority",
    "active",
)
# The fields a promotion always has: a PATCH may change them, not clear them with null.
REQUIRED_FIELDS = (
    "name",
    "description",
    "kind",
    "scope",
    "first_order_only",
    "stacking",
    "priority",
    "active",
)
LIST_FIELDS = ("target_ids", "weekdays", "location_ids", "sources")


def promotion_out(promotion: Promotion, exponent: int) -> PromotionOut:
    def money(minor: int | None) -> Decimal | None:
        return None if minor is None else from_minor(minor, exponent)

    return PromotionOut(
        promotion_id=promotion.id,
        name=promotion.name,
        description=promotion.description,
        trigger=promotion.trigger,
        kind=promotion.kind,
        percent=None if promotion.percent is None else Decimal(promotion.percent),
        amount=money(promotion.amount_minor),
        buy_quantity=promotion.buy_quantity,
        get_quantity=promotion.get_quantity,
        scope=promotion.scope,
        target_ids=promotion.target_ids,
        min_cart_amount=money(promotion.min_cart_minor),
        max_uses=promotion.max_uses,
        max_uses_per_customer=promotion.max_uses_per_customer,
        uses=promotion.uses,
        first_order_only=promotion.first_order_only,
        start_date=promotion.start_date,
        end_date=promotion.end_date,
        weekdays=promotion.weekdays,
        start_time=promotion.start_time,
        end_time=promotion.end_time,
        location_ids=promotion.location_ids,
        sources=promotion.sources,
        stacking=promotion.stacking,
        priority=promotion.priority,
        active=promotion.active,
        archived_at=promotion.archived_at,
        version=promotion.version,
        created_at=promotion.created_at,
        updated_at=promotion.updated_at,
    )


async def get_promotion(session: AsyncSession, promotion_id: str) -> Promotion:
    promotion = await get_by_id(session, Promotion, "promotion", promotion_id)
    if promotion is None:
        raise not_found("Promotion")
    return promotion


def _check_kind(p: Promotion) -> None:
    """The fields each kind needs, and none it does not use."""
    needs = {
        "percentage": {"percent"},
        "fixed_amount": {"amount"},
        "fixed_price": {"amount"},
        "buy_x_get_y": {"buyQuantity", "getQuantity"},
    }[p.kind]
    given = {
        "percent": p.percent is not None,
        "amount": p.amount_minor is not None,
        "buyQuantity": p.buy_quantity is not None,
        "getQuantity": p.get_quantity is not None,
    }
    allowed = needs | ({"percent"} if p.kind == "buy_x_get_y" else set())
    for name, present in given.items():
        if name in needs and not present:
            raise field_error(name, f"a {p.kind} promotion needs {name}")
        if present and name not in allowed:
            raise field_error(name, f"not a field of a {p.kind} promotion")
    if p.kind == "percentage" and Decimal(p.percent or 0) <= 0:
        raise field_error("percent", "must be above 0")
    if p.kind == "fixed_amount" and not p.amount_minor:
        raise field_error("amount", "must be above 0")
    if p.scope == "order" and p.target_ids:
        raise field_error("targetIds", "an order-wide promotion names no targets")
    if p.scope != "order" and not p.target_ids:
        raise field_error("targetIds", f"name the {p.scope} ids the promotion applies to")


def _check_dates(p: Promotion) -> None:
    if p.start_date is not None and p.end_date is not None and p.end_date < p.start_date:
        raise AppError(
            "INVALID_DISCOUNT_DATES",
            details=[{"field": "endDate", "message": "must not be before startDate"}],
        )
    if (p.start_time is None) != (p.end_time is None):
        raise field_error("endTime", "give both startTime and endTime, or neither")
    if p.start_time is not None and p.start_time == p.end_time:
        raise AppError(
            "INVALID_DISCOUNT_DATES",
            details=[{"field": "endTime", "message": "must differ from startTime"}],
        )


async def _check_references(session: AsyncSession, p: Promotion) -> None:
    """The targets and locations named exist in the tenant (a request field error if not)."""
    checks: list[tuple[str, str, Any, list[str]]] = [
        ("locationIds", "location", Location, p.location_ids)
    ]
    if p.scope in SCOPE_TARGETS:
        kind, model = SCOPE_TARGETS[p.scope]
        checks.append(("targetIds", kind, model, p.target_ids))
    for field, kind, model, ids in checks:
        wanted = {i for i in ids if has_prefix(i, kind)}
        found = set()
        if wanted:
            stmt = select(model.id).where(model.id.in_(sorted(wanted)))
            found = set((await session.execute(stmt)).scalars())
        missing = sorted(set(ids) - found)
        if missing:
            raise field_error(field, f"no {kind} {', '.join(missing[:5])}")


def _apply(p: Promotion, values: dict[str, Any], exponent: int) -> None:
    """Set the given request fields (snake_case, as given) on the row."""
    for name in PLAIN_FIELDS:
        if name in values:
            setattr(p, name, values[name])
    for name in LIST_FIELDS:
        if name in values:
            setattr(p, name, sorted(set(values[name] or [])))
    if "percent" in values:
        p.percent = None if values["percent"] is None else str(values["percent"])
    if "amount" in values:
        amount = values["amount"]
        p.amount_minor = None if amount is None else minor_units(amount, exponent, "amount")
    if "min_cart_amount" in values:
        amount = values["min_cart_amount"]
        p.min_cart_minor = (
            None if amount is None else minor_units(amount, exponent, "minCartAmount")
        )


async def _validate(session: AsyncSession, p: Promotion) -> None:
    _check_kind(p)
    _check_dates(p)
    await _check_references(session, p)


def _record(session: AsyncSession, event_type: str, out: PromotionOut) -> None:
    record_event(
        session, event_type, out.model_dump(mode="json", by_alias=True), subject_id=out.promotion_id
    )


async def create_promotion(
    session: AsyncSession, principal: Principal, data: PromotionIn
) -> PromotionOut:
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    promotion = Promotion(
        tenant_id=principal.tenant_id,
        id=new_id("promotion"),
        uses=0,
        percent=None,
        amount_minor=None,
        min_cart_minor=None,
        archived_at=None,
    )
    _apply(promotion, data.model_dump(), exponent)
    await _validate(session, promotion)
    session.add(promotion)
    await session.flush()
    out = promotion_out(promotion, exponent)
    _record(session, "promotion.created", out)
    return out


async def update_promotion(
    session: AsyncSession, principal: Principal, promotion_id: str, data: PromotionUpdate
) -> PromotionOut:
    promotion = await get_promotion(session, promotion_id)
    check_version(promotion, data.version)
    if promotion.archived_at is not None:
        raise AppError("INVALID_STATUS", "An archived promotion cannot be changed.")
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in REQUIRED_FIELDS:
        if name in given and given[name] is None:
            raise field_error(to_camel(name), "cannot be cleared")
    _apply(promotion, given, exponent)
    await _validate(session, promotion)
    if unchanged(session, promotion):
        return promotion_out(promotion, exponent)
    promotion.updated_at = utcnow()
    await session.flush()
    out = promotion_out(promotion, exponent)
    _record(session, "promotion.updated", out)
    return out


async def archive_promotion(session: AsyncSession, promotion_id: str) -> PromotionOut:
    """DELETE archives: the promotion and its codes stop applying; counted uses stay."""
    promotion = await get_promotion(session, promotion_id)
    exponent = await tenant_currency_exponent(session, promotion.tenant_id)
    if promotion.archived_at is None:
        promotion.archived_at = utcnow()
        await session.flush()
        out = promotion_out(promotion, exponent)
        _record(session, "promotion.archived", out)
        return out
    return promotion_out(promotion, exponent)


async def show_promotion(session: AsyncSession, promotion_id: str) -> PromotionOut:
    promotion = await get_promotion(session, promotion_id)
    return promotion_out(promotion, await tenant_currency_exponent(session, promotion.tenant_id))


async def list_promotions(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    trigger: str | None,
    active: bool | None,
    include_archived: bool,
    valid_on: date | None,
    q: str | None,
) -> tuple[list[PromotionOut], int]:
    stmt = params.filter_updated(select(Promotion), Promotion.updated_at)
    if trigger is not None:
        stmt = stmt.where(Promotion.trigger == trigger)
    if active is not None:
        stmt = stmt.where(Promotion.active.is_(active))
    if not include_archived:
        stmt = stmt.where(Promotion.archived_at.is_(None))
    if valid_on is not None:
        stmt = stmt.where(
            (Promotion.start_date.is_(None) | (Promotion.start_date <= valid_on))
            & (Promotion.end_date.is_(None) | (Promotion.end_date >= valid_on))
        )
    if q is not None:
        stmt = stmt.where(func.lower(Promotion.name).contains(q.lower(), autoescape=True))
    rows, total = await paginate(
        session, stmt, Promotion.id, offset=params.offset, limit=params.page_size
    )
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    return [promotion_out(row, exponent) for row in rows], total
