"""Transfer receipts: what arrived at the destination, and shortfalls that close out what
never will. Each receipt brings stock in (``transfer_in``) and takes it out of transit; the last
one that leaves nothing outstanding marks the transfer received. The transfer itself (create,
ship, cancel) is ``inventory/transfers.py``'s.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import field_error
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.money import from_thousandths, thousandths
from tillpoint.inventory.ledger import MovementLine, apply_movements
from tillpoint.inventory.level_rows import change_in_transit
from tillpoint.inventory.models import TransferLine, TransferReceipt
from tillpoint.inventory.schemas import ReceiveIn, TransferOut
from tillpoint.inventory.transfers import (
    get_transfer,
    load_lines_and_receipts,
    outstanding,
    require_status,
    stock_items_of,
    transfer_changed,
)
from tillpoint.stores.service import get_location


async def receive_transfer(
    session: AsyncSession, principal: Principal, transfer_id: str, data: ReceiveIn
) -> dict[str, Any]:
    """Post one receipt: what arrived, and shortfalls that close out what never will."""
    transfer = await get_transfer(session, principal, transfer_id, lock=True)
    require_status(transfer, "shipped", "partially_received")
    destination = await get_location(session, principal, transfer.destination_location_id)
    if not data.items and not data.shortfalls:
        raise field_error("items", "name what arrived, or a shortfall")
    lines = (await load_lines_and_receipts(session, [transfer.id]))[0][transfer.id]
    by_sku = {x.sku: x for x in lines}
    items = await stock_items_of(session, lines)
    received: dict[str, int] = {}
    shorted: dict[str, int] = {}
    reasons: dict[str, str] = {}
    last_field: dict[str, str] = {}
    entries: list[tuple[str, int, str, Decimal | None, str | None]] = [
        ("items", i, x.sku, x.quantity, None) for i, x in enumerate(data.items)
    ]
    entries += [
        ("shortfalls", i, x.sku, x.quantity, x.reason) for i, x in enumerate(data.shortfalls)
    ]
    for kind, i, sku, quantity, reason in entries:
        line = by_sku.get(sku)
        if line is None:
            raise field_error(f"{kind}[{i}].sku", f"{sku} is not on this transfer")
        whole = items[line.variant_id].whole_units_only
        if quantity is None:  # a shortfall of everything still outstanding
            milli = outstanding(line) - received.get(sku, 0) - shorted.get(sku, 0)
        else:
            milli = thousandths(quantity, f"{kind}[{i}].quantity", whole_units_only=whole)
        target = received if kind == "items" else shorted
        target[sku] = target.get(sku, 0) + milli
        last_field[sku] = f"{kind}[{i}].quantity"
        if reason is not None:
            reasons[sku] = reason
    for sku, field in last_field.items():
        line = by_sku[sku]
        if received.get(sku, 0) + shorted.get(sku, 0) > outstanding(line):
            raise field_error(
                field, f"more than the {from_thousandths(outstanding(line))} outstanding of {sku}"
            )
    now = utcnow()
    receipt = TransferReceipt(
        tenant_id=principal.tenant_id,
        id=new_id("transfer_receipt"),
        transfer_id=transfer.id,
        items=[_entry(by_sku[s], m) for s, m in received.items() if m],
        shortfalls=[_entry(by_sku[s], m, reasons[s]) for s, m in shorted.items() if m],
        notes=data.notes,
        received_at=now,
        created_by=principal.id,
    )
    session.add(receipt)
    await apply_movements(
        session,
        principal.tenant_id,
        [MovementLine(items[by_sku[s].variant_id], destination.id, m) for s, m in received.items()],
        reason="transfer_in",
        reference_type="transfer",
        reference_id=transfer.id,
        occurred_at=now,
        actor=principal.id,
    )
    arrived: dict[str, int] = {}
    for sku in last_field:
        line = by_sku[sku]
        line.received_milli += received.get(sku, 0)
        if shorted.get(sku):
            line.shortfall_milli += shorted[sku]
            line.shortfall_reason = "; ".join(filter(None, [line.shortfall_reason, reasons[sku]]))
        arrived[line.variant_id] = -(received.get(sku, 0) + shorted.get(sku, 0))
    await change_in_transit(session, principal.tenant_id, destination.id, arrived)
    done = all(outstanding(x) == 0 for x in lines)
    transfer.status = "received" if done else "partially_received"
    if done:
        transfer.received_at = now
    view = await transfer_changed(
        session, transfer, "inventory.transfer_receipt_posted", destination.id
    )
    if done:
        data_out = TransferOut.model_validate(view).model_dump(mode="json", by_alias=True)
        record_event(
            session,
            "inventory.transfer_received",
            data_out,
            subject_id=transfer.id,
            location_id=destination.id,
        )
    return view


def _entry(line: TransferLine, milli: int, reason: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "variantId": line.variant_id,
        "sku": line.sku,
        "quantity": str(from_thousandths(milli)),
    }
    if reason is not None:
        entry["reason"] = reason
    return entry
