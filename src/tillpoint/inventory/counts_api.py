"""Stock count endpoints (included into the inventory router)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from tillpoint.core.deps import DbSession
from tillpoint.core.openapi import error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.inventory import counts
from tillpoint.inventory.deps import CountToChange, InventoryReader, InventoryWriter
from tillpoint.inventory.schemas import CountIn, CountLinesIn, CountOut

router = APIRouter(tags=["inventory counts"])

STATUS_ERRORS = error_responses("INVALID_STATUS", "VERSION_CONFLICT")


@router.post("/inventory/counts", response_model=CountOut, status_code=201)
async def open_count(
    body: CountIn, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Open a count of a whole location, or of a category and its subcategories."""
    return await counts.open_count(session, principal, body)


@router.get("/inventory/counts", response_model=Page[CountOut])
async def list_counts(
    session: DbSession,
    paging: Pagination,
    principal: InventoryReader,
    location_id: Annotated[str | None, Query(alias="locationId", max_length=40)] = None,
    status: Literal["open", "committed", "cancelled"] | None = None,
) -> dict[str, object]:
    rows, total = await counts.list_counts(
        session, principal, paging, location_id=location_id, status=status
    )
    return paging.page_of(rows, total)


@router.get("/inventory/counts/{count_id}", response_model=CountOut)
async def get_count(
    count_id: str, session: DbSession, principal: InventoryReader
) -> dict[str, Any]:
    """The count with its lines: expected (per the ledger, as of the count's time), counted and
    variance."""
    return await counts.count_view(session, await counts.get_count(session, principal, count_id))


@router.post("/inventory/counts/{count_id}/lines", response_model=CountOut, responses=STATUS_ERRORS)
async def record_lines(
    count: CountToChange, body: CountLinesIn, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Record counted quantities (absolute) or scans (increments); several devices may post
    at once."""
    return await counts.record_lines(session, principal, count.id, body)


@router.post(
    "/inventory/counts/{count_id}/commit",
    response_model=CountOut,
    responses=error_responses("INVALID_STATUS", "VERSION_CONFLICT", "INSUFFICIENT_STOCK"),
)
async def commit_count(
    count_id: str, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Post the count: the quantity as of the count's time becomes what was counted; later
    movements stay applied on top. A full count zeroes in-scope stock that was not counted.
    Where the location forbids negative stock, a count that would leave onHand below zero
    (a backdated count under later sales) is 409 INSUFFICIENT_STOCK."""
    return await counts.commit_count(session, principal, count_id)


@router.post(
    "/inventory/counts/{count_id}/cancel", response_model=CountOut, responses=STATUS_ERRORS
)
async def cancel_count(
    count_id: str, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    return await counts.cancel_count(session, principal, count_id)
