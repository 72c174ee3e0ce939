"""CSV imports and exports of the catalog, for the CLI and for the API's background job.

An import is all-or-nothing: every row is parsed and upserted inside one savepoint, so rules
that need the database (a sku already on another product, an unknown tax class) are found
too; if any row fails, or on a dry run, the savepoint is rolled back and nothing is written.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from tillpoint.catalog.bulk import products_by_sku, upsert_one
from tillpoint.catalog.categories import CategoryTree
from tillpoint.catalog.csv_io import ParsedProduct, RowErrors, catalog_rows
from tillpoint.catalog.import_batch import BATCH_SIZE, BatchState, create_batch
from tillpoint.catalog.import_events import ImportEvents
from tillpoint.catalog.import_rows import index_catalog, product_groups
from tillpoint.catalog.models import CatalogImport, Product
from tillpoint.catalog.presenters import product_views
from tillpoint.catalog.schemas import ImportOut
from tillpoint.core.auth import Principal
from tillpoint.core.db import get_by_id, utcnow
from tillpoint.core.errors import not_found
from tillpoint.core.ids import new_id
from tillpoint.core.jobs import JobContext, enqueue, job_handler
from tillpoint.identity.service import tenant_currency_exponent

IMPORT_JOB = "catalog.import"
RowProgress = Callable[[int], Awaitable[None]]


@dataclass
class ImportResult:
    total_rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: RowErrors = field(default_factory=RowErrors)

    @property
    def written(self) -> bool:
        return not self.errors


async def import_catalog_csv(
    session: AsyncSession,
    principal: Principal,
    text: str,
    *,
    dry_run: bool = False,
    progress: RowProgress | None = None,
) -> ImportResult:
    """Upsert every product of the CSV, or nothing when a row fails (or on a dry run).

    The file is read twice (``import_rows``) and handled a batch of products at a time:
    existing products (by sku) are updated one by one through the batch endpoint's upsert, new
    ones created together (``import_batch``) under the same rules. Errors are collected to the
    last row; after the first, nothing more is written and the savepoint is rolled back."""
    index = index_catalog(text)
    result = ImportResult(index.rows, errors=index.errors)
    pending: list[Any] = session.info.setdefault("pending_events", [])
    mark = len(pending)
    savepoint = await session.begin_nested()
    state = BatchState(
        principal,
        await tenant_currency_exponent(session, principal.tenant_id),
        await CategoryTree.load(session),
        ImportEvents(principal.tenant_id),
        write=not (dry_run or result.errors),
    )
    batch: list[ParsedProduct] = []
    done = len(index.skipped)
    for group in product_groups(text, index):
        if isinstance(group, list):
            result.errors += group  # its rows count as done when the import ends
            continue
        batch.append(group)
        if len(batch) == BATCH_SIZE:
            done += await _import_batch(session, state, result, batch)
            batch = []
            if progress is not None:
                await progress(min(done, result.total_rows))
    if batch:
        await _import_batch(session, state, result, batch)
    if result.errors or dry_run:
        await savepoint.rollback()
        del pending[mark:]
        state.events.drop(session)
    else:
        await savepoint.commit()
    if progress is not None:
        await progress(result.total_rows)
    return result


async def _import_batch(
    session: AsyncSession, state: BatchState, result: ImportResult, batch: list[ParsedProduct]
) -> int:
    """Update the batch's existing products, create its new ones; the rows it covered."""
    state.write = state.write and not result.errors
    existing = await products_by_sku(session, [p.item.sku for p in batch])
    new = [p for p in batch if p.item.sku not in existing]
    for index, product in enumerate(p for p in batch if p.item.sku in existing):
        outcome = await upsert_one(session, state.principal, index, product.item, existing)
        _count(result, outcome.status)
        for error in outcome.errors:
            result.errors.append(product.lines.error(error["field"], error["message"]))
    if result.errors:
        state.write = False
    created, errors = await create_batch(session, state, new)
    result.created += created
    result.errors += errors
    return sum(1 + len(p.lines.variant_lines) for p in batch)


def _count(result: ImportResult, status: str) -> None:
    if status == "created":
        result.created += 1
    elif status == "updated":
        result.updated += 1
    elif status == "unchanged":
        result.unchanged += 1


async def export_catalog(
    session: AsyncSession, principal: Principal, *, page_size: int = 500
) -> AsyncIterator[dict[str, str]]:
    """CSV rows of every live product and its variants, in id order, a page at a time."""
    tree = await CategoryTree.load(session)
    after = ""
    while True:
        query = (
            select(Product)
            .where(Product.archived_at.is_(None), Product.id > after)
            .order_by(Product.id)
            .limit(page_size)
        )
        products = list((await session.execute(query)).scalars())
        if not products:
            return
        # The CSV has no stock columns, so the views are built without stock.
        views = await product_views(session, principal, products, stock=None)
        for row in catalog_rows(views, tree.path):
            yield row
        after = products[-1].id


def import_out(row: CatalogImport) -> ImportOut:
    return ImportOut(
        import_id=row.id,
        status=row.status,
        dry_run=row.dry_run,
        filename=row.filename,
        total_rows=row.total_rows,
        processed_rows=row.processed_rows,
        created=row.created_count,
        updated=row.updated_count,
        errors=row.errors,
        error_count=row.error_count,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


async def start_import(
    session: AsyncSession,
    principal: Principal,
    text: str,
    *,
    filename: str | None,
    dry_run: bool,
) -> ImportOut:
    """Queue an import; the job runner runs it and the caller polls its progress."""
    row = CatalogImport(
        tenant_id=principal.tenant_id,
        id=new_id("catalog_import"),
        status="queued",
        dry_run=dry_run,
        filename=filename,
        csv_text=text,
        total_rows=max(0, text.count("\n") - 1 + (0 if text.endswith("\n") else 1)),
        created_by=f"{principal.kind}:{principal.id}",
        errors=[],
    )
    session.add(row)
    enqueue(session, IMPORT_JOB, {"importId": row.id, "principal": _principal_payload(principal)})
    await session.flush()
    return import_out(row)


async def get_import(session: AsyncSession, import_id: str) -> ImportOut:
    # Not the file's text (megabytes while the import runs), which a client polls beside.
    row = await get_by_id(
        session, CatalogImport, "catalog_import", import_id, options=[defer(CatalogImport.csv_text)]
    )
    if row is None:
        raise not_found("Import")
    return import_out(row)


def _principal_payload(principal: Principal) -> dict[str, Any]:
    return {
        "kind": principal.kind,
        "id": principal.id,
        "name": principal.name,
        "permissions": sorted(principal.permissions),
        "locationIds": None if principal.location_ids is None else sorted(principal.location_ids),
    }


def _principal_of(tenant_id: str, data: dict[str, Any]) -> Principal:
    locations = data["locationIds"]
    return Principal(
        data["kind"],
        data["id"],
        tenant_id,
        data["name"],
        frozenset(data["permissions"]),
        None if locations is None else frozenset(locations),
        0,
    )


@job_handler(IMPORT_JOB)
async def run_import_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Run a queued import as the principal who sent it; record the outcome on the import."""
    assert ctx.tenant_id is not None
    session = ctx.session
    row = (
        await session.execute(select(CatalogImport).where(CatalogImport.id == payload["importId"]))
    ).scalar_one_or_none()
    if row is None or row.status in ("succeeded", "failed"):
        return
    await _set_progress(ctx, row.id, status="running")

    async def rows_done(count: int) -> None:
        await _set_progress(ctx, row.id, processed_rows=count)

    principal = _principal_of(ctx.tenant_id, payload["principal"])
    result = await import_catalog_csv(
        session, principal, row.csv_text, dry_run=row.dry_run, progress=rows_done
    )
    row.status = "succeeded" if result.written else "failed"
    row.total_rows = row.processed_rows = result.total_rows
    row.created_count, row.updated_count = result.created, result.updated
    row.errors = [e.as_dict() for e in result.errors]
    row.error_count = len(result.errors)
    row.csv_text = ""  # done with; the outcome is what is kept
    row.finished_at = utcnow()
    await session.flush()


async def _set_progress(ctx: JobContext, import_id: str, **values: Any) -> None:
    """Progress is committed beside the import's own transaction where the database allows
    it (PostgreSQL); on SQLite the single write lock is the import's until it finishes."""
    if not ctx.can_commit_aside or ctx.db is None:
        return
    async with ctx.db.session(tenant_id=ctx.tenant_id) as aside, aside.begin():
        await aside.execute(
            update(CatalogImport).where(CatalogImport.id == import_id).values(**values)
        )
    await ctx.extend_lease()
