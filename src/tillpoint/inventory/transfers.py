"""Transfers between locations: draft → shipped → partially_received → received, or cancelled.

Shipping takes the stock out of the source (``transfer_out``) and shows it as in transit at the
destination; each receipt brings some in (``transfer_in``), and shortfalls close out what will
never arrive (receipts: ``inventory/transfer_receipts.py``). Every state change locks the
transfer row first, so receipts are serialised.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem, stock_items_by_id
from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, utcnow
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import has_prefix, new_id
from tillpoint.core.money import thousandths
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.inventory.ledger import MovementLine, apply_movements
from tillpoint.inventory.level_rows import change_in_transit, lock_levels
from tillpoint.inventory.models import Transfer, TransferLine, TransferReceipt
from tillpoint.inventory.schemas import (
    TransferIn,
    TransferItemIn,
    TransferOut,
    TransferUpdate,
)
from tillpoint.inventory.service import qty, resolve_skus
from tillpoint.stores.service import get_location


async def get_transfer(
    session: AsyncSession, principal: Principal, transfer_id: str, *, lock: bool = False
) -> Transfer:
    """The transfer, if the principal may see either of its locations; else 404."""
    if not has_prefix(transfer_id, "transfer"):
        raise not_found("Transfer")
    stmt = select(Transfer).where(Transfer.id == transfer_id)
    transfer = (
        await session.execute(stmt.with_for_update() if lock else stmt)
    ).scalar_one_or_none()
    if transfer is None or not (
        principal.can_access_location(transfer.source_location_id)
        or principal.can_access_location(transfer.destination_location_id)
    ):
        raise not_found("Transfer")
    return transfer


def require_status(transfer: Transfer, *statuses: str) -> None:
    if transfer.status not in statuses:
        raise AppError("INVALID_STATUS", f"The transfer is {transfer.status}.")


async def load_lines_and_receipts(
    session: AsyncSession, transfer_ids: Sequence[str]
) -> tuple[dict[str, list[TransferLine]], dict[str, list[TransferReceipt]]]:
    lines: dict[str, list[TransferLine]] = {t: [] for t in transfer_ids}
    receipts: dict[str, list[TransferReceipt]] = {t: [] for t in transfer_ids}
    if transfer_ids:
        stmt = select(TransferLine).where(TransferLine.transfer_id.in_(transfer_ids))
        for line in (await session.execute(stmt.order_by(TransferLine.position))).scalars():
            lines[line.transfer_id].append(line)
        stmt2 = select(TransferReceipt).where(TransferReceipt.transfer_id.in_(transfer_ids))
        for receipt in (await session.execute(stmt2.order_by(TransferReceipt.id))).scalars():
            receipts[receipt.transfer_id].append(receipt)
    return lines, receipts


def outstanding(line: TransferLine) -> int:
    return line.quantity_milli - line.received_milli - line.shortfall_milli


def _view(
    transfer: Transfer, lines: list[TransferLine], receipts: list[TransferReceipt]
) -> dict[str, Any]:
    return {
        "id": transfer.id,
        "source_location_id": transfer.source_location_id,
        "destination_location_id": transfer.destination_location_id,
        "status": transfer.status,
        "notes": transfer.notes,
        "lines": [
            {
                "variant_id": x.variant_id,
                "sku": x.sku,
                "quantity": qty(x.quantity_milli),
                "received": qty(x.received_milli),
                "shortfall": qty(x.shortfall_milli),
                "shortfall_reason": x.shortfall_reason,
                "outstanding": qty(outstanding(x)),
            }
            for x in lines
        ],
        "receipts": [
            {
                "id": r.id,
                "items": r.items,
                "shortfalls": r.shortfalls,
                "notes": r.notes,
                "received_at": r.received_at,
                "created_by": r.created_by,
            }
            for r in receipts
        ],
        "shipped_at": transfer.shipped_at,
        "received_at": transfer.received_at,
        "cancelled_at": transfer.cancelled_at,
        "created_by": transfer.created_by,
        "created_at": transfer.created_at,
        "updated_at": transfer.updated_at,
        "version": transfer.version,
    }


async def transfer_view(session: AsyncSession, transfer: Transfer) -> dict[str, Any]:
    lines, receipts = await load_lines_and_receipts(session, [transfer.id])
    return _view(transfer, lines[transfer.id], receipts[transfer.id])


async def transfer_changed(
    session: AsyncSession,
    transfer: Transfer,
    event_type: str,
    location_id: str,
    *,
    touch: bool = True,
) -> dict[str, Any]:
    if touch:
        transfer.updated_at = utcnow()  # also bumps the version when only lines changed
    await session.flush()
    view = await transfer_view(session, transfer)
    data = TransferOut.model_validate(view).model_dump(mode="json", by_alias=True)
    record_event(session, event_type, data, subject_id=transfer.id, location_id=location_id)
    return view


async def _new_lines(
    session: AsyncSession, principal: Principal, transfer_id: str, items: list[TransferItemIn]
) -> None:
    found = await resolve_skus(session, [(f"items[{i}].sku", x.sku) for i, x in enumerate(items)])
    merged: dict[str, TransferLine] = {}
    for i, x in enumerate(items):
        item = found[x.sku]
        milli = thousandths(
            x.quantity, f"items[{i}].quantity", whole_units_only=item.whole_units_only
        )
        line = merged.get(item.variant_id)
        if line is None:
            merged[item.variant_id] = TransferLine(
                tenant_id=principal.tenant_id,
                transfer_id=transfer_id,
                variant_id=item.variant_id,
                sku=item.sku,
                quantity_milli=milli,
                received_milli=0,
                shortfall_milli=0,
                position=len(merged),
            )
        else:
            line.quantity_milli += milli
    session.add_all(merged.values())


async def create_transfer(
    session: AsyncSession, principal: Principal, data: TransferIn
) -> dict[str, Any]:
    source = await get_location(session, principal, data.source_location_id)
    destination = await get_location(session, principal, data.destination_location_id)
    if source.id == destination.id:
        raise field_error("destinationLocationId", "must differ from sourceLocationId")
    now = utcnow()
    transfer = Transfer(
        tenant_id=principal.tenant_id,
        id=new_id("transfer"),
        source_location_id=source.id,
        destination_location_id=destination.id,
        status="draft",
        notes=data.notes,
        created_by=principal.id,
        created_at=now,
        updated_at=now,
    )
    session.add(transfer)
    await _new_lines(session, principal, transfer.id, data.items)
    return await transfer_changed(
        session, transfer, "inventory.transfer_created", source.id, touch=False
    )


async def update_transfer(
    session: AsyncSession, principal: Principal, transfer_id: str, data: TransferUpdate
) -> dict[str, Any]:
    transfer = await get_transfer(session, principal, transfer_id, lock=True)
    check_version(transfer, data.version)
    require_status(transfer, "draft")
    if data.items is None and (data.notes is None or data.notes == transfer.notes):
        return await transfer_view(session, transfer)
    if data.items is not None:
        await session.execute(delete(TransferLine).where(TransferLine.transfer_id == transfer.id))
        await _new_lines(session, principal, transfer.id, data.items)
    # After the line queries (whose autoflush would otherwise write a version of its own).
    if data.notes is not None:
        transfer.notes = data.notes
    return await transfer_changed(
        session, transfer, "inventory.transfer_updated", transfer.source_location_id
    )


async def stock_items_of(session: AsyncSession, lines: list[TransferLine]) -> dict[str, StockItem]:
    return await stock_items_by_id(session, {x.variant_id for x in lines})


async def _lock_both_ends(
    session: AsyncSession, transfer: Transfer, lines: list[TransferLine]
) -> None:
    """Lock the levels at both ends in the global (variant, location) order before touching
    either: two transfers shipped in opposite directions at once must not deadlock."""
    ends = (transfer.source_location_id, transfer.destination_location_id)
    await lock_levels(
        session, transfer.tenant_id, [(x.variant_id, end) for x in lines for end in ends]
    )


async def ship_transfer(
    session: AsyncSession, principal: Principal, transfer_id: str
) -> dict[str, Any]:
    transfer = await get_transfer(session, principal, transfer_id, lock=True)
    require_status(transfer, "draft")
    source = await get_location(session, principal, transfer.source_location_id)
    lines = (await load_lines_and_receipts(session, [transfer.id]))[0][transfer.id]
    items = await stock_items_of(session, lines)
    now = utcnow()
    await _lock_both_ends(session, transfer, lines)
    await apply_movements(
        session,
        principal.tenant_id,
        [
            MovementLine(items[x.variant_id], source.id, -x.quantity_milli, f"lines[{i}]")
            for i, x in enumerate(lines)
        ],
        reason="transfer_out",
        reference_type="transfer",
        reference_id=transfer.id,
        occurred_at=now,
        actor=principal.id,
        allow_negative=source.allow_negative_stock,
    )
    await change_in_transit(
        session,
        principal.tenant_id,
        transfer.destination_location_id,
        {x.variant_id: x.quantity_milli for x in lines},
    )
    transfer.status = "shipped"
    transfer.shipped_at = now
    return await transfer_changed(session, transfer, "inventory.transfer_shipped", source.id)


async def cancel_transfer(
    session: AsyncSession, principal: Principal, transfer_id: str
) -> dict[str, Any]:
    """A draft is simply cancelled; a shipment with nothing received or shorted yet returns its
    stock to the source and leaves transit. Anything later is 409 INVALID_STATUS."""
    transfer = await get_transfer(session, principal, transfer_id, lock=True)
    require_status(transfer, "draft", "shipped")
    now = utcnow()
    if transfer.status == "shipped":
        lines = (await load_lines_and_receipts(session, [transfer.id]))[0][transfer.id]
        if any(x.received_milli or x.shortfall_milli for x in lines):
            raise AppError("INVALID_STATUS", "Part of the transfer was already received.")
        items = await stock_items_of(session, lines)
        await _lock_both_ends(session, transfer, lines)
        await apply_movements(
            session,
            principal.tenant_id,
            [
                MovementLine(items[x.variant_id], transfer.source_location_id, x.quantity_milli)
                for x in lines
            ],
            reason="transfer_cancelled",
            reference_type="transfer",
            reference_id=transfer.id,
            occurred_at=now,
            actor=principal.id,
        )
        await change_in_transit(
            session,
            principal.tenant_id,
            transfer.destination_location_id,
            {x.variant_id: -x.quantity_milli for x in lines},
        )
    transfer.status = "cancelled"
    transfer.cancelled_at = now
    return await transfer_changed(
        session, transfer, "inventory.transfer_cancelled", transfer.source_location_id
    )


async def list_transfers(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    status: str | None,
    location_id: str | None,
) -> tuple[list[dict[str, Any]], int]:
    """Transfers oldest first; ``location_id`` matches either end."""
    stmt = params.filter_updated(select(Transfer), Transfer.updated_at)
    ends = (Transfer.source_location_id, Transfer.destination_location_id)
    if location_id is not None:
        await get_location(session, principal, location_id)
        stmt = stmt.where(or_(*(end == location_id for end in ends)))
    elif principal.location_ids is not None:
        stmt = stmt.where(or_(*(end.in_(principal.location_ids) for end in ends)))
    if status is not None:
        stmt = stmt.where(Transfer.status == status)
    rows, total = await paginate(
        session, stmt, Transfer.id, offset=params.offset, limit=params.page_size
    )
    lines, receipts = await load_lines_and_receipts(session, [t.id for t in rows])
    return [_view(t, lines[t.id], receipts[t.id]) for t in rows], total
