"""Voids: cancel an open order, or a completed one that has no refunds, reversing its stock
and payments (gift card and store credit payments go back to the card or credit; the cards a
completed order sold lose what it loaded onto them).

A completed order can be voided only while every shift its payments were taken in is still
open: after the drawer is counted, money goes back by refund, which the next Z report shows.
The receipt number stays with the voided order, so the numbering keeps no gaps.
"""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError, status_detail
from tillpoint.customers import loyalty_redemption
from tillpoint.inventory.ledger import MovementLine, apply_movements
from tillpoint.sales.models import Payment, Shift
from tillpoint.sales.order_promotions import give_back_promotion_uses
from tillpoint.sales.orders import (
    emit,
    get_order,
    order_lines,
    order_payments,
    reserve,
    stock_item,
)
from tillpoint.sales.presenters import JsonView, load_bundles
from tillpoint.sales.schemas import OrderOut, VoidIn
from tillpoint.sales.stored_value import stock_lines, void_stored_value


async def void_order(
    session: AsyncSession, principal: Principal, order_id: str, data: VoidIn
) -> JsonView[OrderOut]:
    order = await get_order(session, principal, order_id, lock=True)
    if order.status not in ("open", "completed") or order.refunded_minor:
        raise AppError("VOID_NOT_ALLOWED", details=[status_detail("order", order.status)])
    lines = await order_lines(session, order.id)
    shift_ids = (
        await session.execute(
            select(Payment.shift_id).where(
                Payment.order_id == order.id, Payment.shift_id.is_not(None)
            )
        )
    ).scalars()
    # Lock the shifts (in id order, as a close would) so none can close and count these
    # payments while the void is undoing them.
    statuses = (
        await session.execute(
            select(Shift.status)
            .where(Shift.id.in_(set(shift_ids)))
            .order_by(Shift.id)
            .with_for_update()
        )
    ).scalars()
    if any(status != "open" for status in statuses):
        raise AppError(
            "VOID_NOT_ALLOWED",
            "A payment of this order was taken in a shift that is closed; refund it instead.",
        )
    if order.status == "open":
        await reserve(session, order, [(line, -line.quantity_milli, "") for line in lines])
    else:
        await give_back_promotion_uses(session, order)
        await apply_movements(
            session,
            order.tenant_id,
            [
                MovementLine(stock_item(line), order.location_id, line.quantity_milli)
                for line in stock_lines(lines)
            ],
            reason="void",
            reference_type="order",
            reference_id=order.id,
            occurred_at=utcnow(),
            actor=f"{principal.kind}:{principal.id}",
        )
    # Gift card and store credit payments go back to the card or credit; cards the order
    # sold lose the value it loaded.
    await void_stored_value(
        session, principal, order, lines, await order_payments(session, order.id)
    )
    if order.customer_id is not None:
        await loyalty_redemption.void_points(
            session,
            principal,
            tenant_id=order.tenant_id,
            customer_id=order.customer_id,
            order_id=order.id,
        )
    await session.execute(
        update(Payment)
        .where(Payment.order_id == order.id, Payment.status == "captured")
        .values(status="voided")
    )
    now = utcnow()
    order.status = "voided"
    order.voided_at = now
    order.void_reason = data.reason
    order.updated_at = now
    await session.flush()
    [bundle] = await load_bundles(session, [order])
    return await emit(session, "order.voided", bundle)
