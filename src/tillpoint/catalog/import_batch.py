"""New products of a CSV import, a batch at a time: the rules of ``create_product``, the
database's part checked for the whole batch at once, the rows written in one multi-row INSERT
per table.

The rules are not copied: each product is built by ``service.build_product`` (codes, barcodes,
money, variants), its tax class is checked by ``checks.require_tax_class``, its codes by
``Codes.taken`` and its category by ``resolve_category``, exactly as one ``POST`` would. What
changes is how often the database is asked: one query per batch for tax classes and for codes
in use, one INSERT per table, and the ``product.created`` events rendered from the rows written.

Every error of every product is collected (not only the first of the batch). Once one is found
nothing more is written — the import is all-or-nothing and its savepoint is rolled back — but
the checking goes on to the last row, so one run reports them all.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.categories import CategoryTree, live_category_id, resolve_category
from tillpoint.catalog.checks import (
    Codes,
    active_tax_classes,
    check_locations,
    require_tax_class,
)
from tillpoint.catalog.costs import costs_of_new, record_costs
from tillpoint.catalog.csv_io import ParsedProduct, RowError
from tillpoint.catalog.import_events import ImportEvents
from tillpoint.catalog.models import Category, Product, Variant
from tillpoint.catalog.modifiers import live_modifier_group_ids
from tillpoint.catalog.presenters import written_product_fields
from tillpoint.catalog.service import NewProduct, build_product, location_ids_of
from tillpoint.core.auth import Principal
from tillpoint.core.db import analyse_if_small, table_of
from tillpoint.core.errors import AppError

BATCH_SIZE = 500
_PRODUCTS: Table = table_of(Product)
_VARIANTS: Table = table_of(Variant)


@dataclass
class BatchState:
    """What the batches of one import share: the tenant's settings read once, the codes of the
    file seen so far, and whether rows are still written."""

    principal: Principal
    exponent: int
    tree: CategoryTree
    events: ImportEvents
    write: bool
    tax_classes: dict[str, bool] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    barcodes: dict[str, int] = field(default_factory=dict)
    analysed: bool = False


@dataclass
class Checked:
    parsed: ParsedProduct
    new: NewProduct


def app_errors(exc: AppError, parsed: ParsedProduct) -> list[RowError]:
    """An ``AppError`` of a product's rules as row errors, each on its own line and column."""
    if not exc.details:
        return [parsed.lines.error("", exc.message)]
    return [parsed.lines.error(str(d.get("field", "")), str(d["message"])) for d in exc.details]


async def create_batch(
    session: AsyncSession, state: BatchState, batch: Sequence[ParsedProduct]
) -> tuple[int, list[RowError]]:
    """Check every product of ``batch`` and, while nothing has failed, write them.
    Returns how many products pass (are, or would be, created) and the errors found."""
    await _load_tax_classes(session, state, batch)
    errors: list[RowError] = []
    checked: list[Checked] = []
    for parsed in batch:
        found, new = await _check_one(session, state, parsed)
        errors += found
        if new is not None:
            checked.append(Checked(parsed, new))
    errors += await _codes_in_use(session, checked)
    failed_lines = {e.line for e in errors}
    passed = [c for c in checked if not _lines_of(c.parsed) & failed_lines]
    if errors:
        state.write = False
    if state.write and passed:
        errors += await _write(session, state, passed)
    return len(passed), errors


def _lines_of(parsed: ParsedProduct) -> set[int]:
    return {parsed.lines.line, *parsed.lines.variant_lines}


async def _load_tax_classes(
    session: AsyncSession, state: BatchState, batch: Sequence[ParsedProduct]
) -> None:
    unseen = {p.item.tax_class for p in batch} - state.tax_classes.keys()
    if unseen:
        active = await active_tax_classes(session, unseen)
        state.tax_classes.update({code: code in active for code in unseen})


async def _check_one(
    session: AsyncSession, state: BatchState, parsed: ParsedProduct
) -> tuple[list[RowError], NewProduct | None]:
    """Every rule of one new product that does not need the batch; the product when built."""
    item, errors = parsed.item, list[RowError]()
    try:
        known = state.tax_classes[item.tax_class]
        require_tax_class(item.tax_class, {item.tax_class} if known else set())
    except AppError as exc:
        errors += app_errors(exc, parsed)
    new: NewProduct | None = None
    try:
        new = build_product(state.principal.tenant_id, item, state.exponent)
        new.product["category_id"] = await _category(session, state, parsed)
        if item.modifier_group_ids:
            groups = await live_modifier_group_ids(session, item.modifier_group_ids)
            new.product["modifier_group_ids"] = groups
        locations = location_ids_of(item)
        if locations:
            await check_locations(session, state.principal, locations, "locationPrices")
    except AppError as exc:
        errors += app_errors(exc, parsed)
        return errors, None
    for code, api_field in new.codes.barcodes.items():
        line, _, sku = parsed.lines.locate(api_field)
        first = state.barcodes.setdefault(code, line)
        if first != line:
            errors.append(RowError(line, sku, "barcode", f"barcode {code} repeats line {first}"))
    return errors, new


async def _category(session: AsyncSession, state: BatchState, parsed: ParsedProduct) -> str | None:
    item = parsed.item
    if item.category is not None:
        found = state.categories.get(item.category)
        if found is None:
            found = await resolve_category(session, state.principal, item.category, tree=state.tree)
            state.categories[item.category] = found
        return found
    if item.category_id is not None:
        return await live_category_id(session, item.category_id, "categoryId")
    return None


async def _codes_in_use(session: AsyncSession, checked: list[Checked]) -> list[RowError]:
    """The batch's skus and barcodes that other variants hold: one query for all of them,
    each reported on every row that gives it."""
    codes, owners = Codes(), dict[tuple[bool, str], list[tuple[Checked, str]]]()
    for entry in checked:
        for is_sku, mine, theirs in (
            (True, entry.new.codes.skus, codes.skus),
            (False, entry.new.codes.barcodes, codes.barcodes),
        ):
            for code, api_field in mine.items():
                theirs[code] = api_field
                owners.setdefault((is_sku, code), []).append((entry, api_field))
    errors: list[RowError] = []
    for code, exc in await codes.taken(session):
        message = str(exc.details[0]["message"])
        for owner, api_field in owners[(exc.code == "SKU_ALREADY_EXISTS", code)]:
            errors.append(owner.parsed.lines.error(api_field, message))
    return errors


async def _write(session: AsyncSession, state: BatchState, passed: list[Checked]) -> list[RowError]:
    """One INSERT for the products, one for their variants, then their events. A code taken by
    a concurrent writer since the check is a row error (the import fails), never a 500."""
    products = [c.new.product for c in passed]
    variants = [v for c in passed for v in c.new.variants]
    try:
        async with session.begin_nested():
            await session.execute(insert(_PRODUCTS), products)
            if not state.analysed:
                # Before the variants' foreign-key checks read products (docs/scaling.md).
                await analyse_if_small(session, _PRODUCTS)
            await session.execute(insert(_VARIANTS), variants)
            await record_costs(
                session,
                state.principal.tenant_id,
                [cost for c in passed for cost in costs_of_new(c.new.product, c.new.variants)],
            )
            if not state.analysed:
                # Before the next batches look their codes up among the variants.
                await analyse_if_small(session, _VARIANTS)
                state.analysed = True
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        if "sku" not in text and "barcode" not in text:
            raise
        state.write = False
        first = passed[0].parsed.lines
        message = f"a sku or barcode from line {first.line} on was taken meanwhile; try again"
        return [RowError(first.line, first.sku, "row", message)]
    names = await _category_names(session, state.tree, {p["category_id"] for p in products})
    await state.events.created(
        session,
        [
            written_product_fields(
                c.new.product,
                c.new.variants,
                names.get(c.new.product["category_id"] or ""),
                state.exponent,
            )
            for c in passed
        ],
    )
    return []


async def _category_names(
    session: AsyncSession, tree: CategoryTree, ids: set[str | None]
) -> dict[str, str]:
    """The names of these categories: from the import's tree (which holds those it created),
    else read (one made by another writer since the tree was loaded)."""
    names = {i: tree.nodes[i].name for i in ids if i is not None and i in tree.nodes}
    missing = [i for i in ids if i is not None and i not in names]
    if missing:
        rows = await session.execute(
            select(Category.id, Category.name).where(Category.id.in_(missing))
        )
        names.update(dict(rows.all()))
    return names
