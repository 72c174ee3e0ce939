"""Transfer endpoints (included into the inventory router)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from tillpoint.core.deps import DbSession
from tillpoint.core.openapi import error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.inventory import transfer_receipts, transfers
from tillpoint.inventory.deps import InventoryReader, InventoryWriter
from tillpoint.inventory.schemas import ReceiveIn, TransferIn, TransferOut, TransferUpdate

router = APIRouter(tags=["inventory transfers"])

STATUS_ERRORS = error_responses("INVALID_STATUS", "VERSION_CONFLICT")
Status = Literal["draft", "shipped", "partially_received", "received", "cancelled"]


@router.post("/inventory/transfers", response_model=TransferOut, status_code=201)
async def create_transfer(
    body: TransferIn, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Create a draft transfer; nothing moves until it ships."""
    return await transfers.create_transfer(session, principal, body)


@router.get("/inventory/transfers", response_model=Page[TransferOut])
async def list_transfers(
    session: DbSession,
    paging: Pagination,
    principal: InventoryReader,
    status: Status | None = None,
    location_id: Annotated[
        str | None, Query(alias="locationId", max_length=40, description="Either end")
    ] = None,
) -> dict[str, object]:
    rows, total = await transfers.list_transfers(
        session, principal, paging, status=status, location_id=location_id
    )
    return paging.page_of(rows, total)


@router.get("/inventory/transfers/{transfer_id}", response_model=TransferOut)
async def get_transfer(
    transfer_id: str, session: DbSession, principal: InventoryReader
) -> dict[str, Any]:
    transfer = await transfers.get_transfer(session, principal, transfer_id)
    return await transfers.transfer_view(session, transfer)


@router.patch(
    "/inventory/transfers/{transfer_id}", response_model=TransferOut, responses=STATUS_ERRORS
)
async def update_transfer(
    transfer_id: str, body: TransferUpdate, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Edit a draft: ``items`` replaces every line."""
    return await transfers.update_transfer(session, principal, transfer_id, body)


@router.post(
    "/inventory/transfers/{transfer_id}/ship",
    response_model=TransferOut,
    responses=error_responses("INVALID_STATUS", "VERSION_CONFLICT", "INSUFFICIENT_STOCK"),
)
async def ship_transfer(
    transfer_id: str, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """The stock leaves the source and shows as in transit at the destination."""
    return await transfers.ship_transfer(session, principal, transfer_id)


@router.post(
    "/inventory/transfers/{transfer_id}/receive",
    response_model=TransferOut,
    responses=STATUS_ERRORS,
)
async def receive_transfer(
    transfer_id: str, body: ReceiveIn, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Receive some or all of what is outstanding; shortfalls close out what will not arrive."""
    return await transfer_receipts.receive_transfer(session, principal, transfer_id, body)


@router.post(
    "/inventory/transfers/{transfer_id}/cancel",
    response_model=TransferOut,
    responses=STATUS_ERRORS,
)
async def cancel_transfer(
    transfer_id: str, session: DbSession, principal: InventoryWriter
) -> dict[str, Any]:
    """Cancel a draft, or a shipment of which nothing was received yet (stock goes back)."""
    return await transfers.cancel_transfer(session, principal, transfer_id)
