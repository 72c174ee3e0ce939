"""Exchanges: goods returned and new goods taken in one call, settling only the difference.

The returned lines are refunded (pro rata, restocked as asked) and a new order is opened at the
same location and register with the new lines; the two are linked both ways. The refund's
value pays the new order first (an ``exchange_credit`` payment, which moves no cash); the
customer pays what the new goods cost beyond it, or gets the rest back to their tenders.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.ids import new_id
from tillpoint.giftcards.codes import CodeGuard
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.sales.models import Payment
from tillpoint.sales.orders import create_order, emit, get_order, order_lines, reserve_order
from tillpoint.sales.payments import add_payment, complete_order
from tillpoint.sales.presenters import load_bundles, order_out, refund_out
from tillpoint.sales.refunds.service import (
    plan_refund,
    record_refund_event,
    refund_tenders,
    settle_refund,
)
from tillpoint.sales.schemas import ExchangeIn, ExchangeOut, OrderIn
from tillpoint.sales.shifts.service import register_shift
from tillpoint.stores.staff import get_employee


async def exchange(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    data: ExchangeIn,
    guard: CodeGuard | None = None,
) -> ExchangeOut:
    """``guard`` resolves gift card codes of the new lines and payments."""
    if data.employee_id is not None:
        await get_employee(session, principal, data.employee_id)
    plan = await plan_refund(session, principal, order_id, data.returned)
    original = plan.order
    exponent = await tenant_currency_exponent(session, original.tenant_id)
    register_id, shift = await register_shift(session, principal, original, data.register_id)
    new_out, _ = await create_order(
        session,
        principal,
        OrderIn(
            location_id=original.location_id,
            register_id=register_id,
            employee_id=data.employee_id or original.employee_id,
            customer_id=original.customer_id,
            source=original.source,
            line_items=data.new_line_items,
            notes=f"Exchange for order {original.id}",
        ),
        guard=guard,
        reserve_stock=False,
    )
    new = await get_order(session, principal, new_out.model.order_id, lock=True)
    credit = min(plan.amount_minor, new.grand_total_minor)
    back = plan.amount_minor - credit
    tenders = [{"tenderType": "exchange_credit", "amountMinor": credit, "orderId": new.id}]
    if back:
        tenders += await refund_tenders(session, original, back, data.tenders, exponent)
    refund = await settle_refund(
        session,
        principal,
        plan,
        reason=data.reason,
        tenders=[t for t in tenders if t["amountMinor"]],
        register_id=register_id,
        shift=shift,
        employee_id=data.employee_id,
        exchange_order_id=new.id,
    )
    # The returned goods are back in stock (if restocked) before the new goods are reserved:
    # a like-for-like swap of the last unit works where stock may not go negative.
    await reserve_order(session, new, "newLineItems")
    original.exchange_order_id = new.id
    new.exchange_refund_id = refund.id
    if credit:
        session.add(
            Payment(
                tenant_id=new.tenant_id,
                id=new_id("payment"),
                order_id=new.id,
                tender_type="exchange_credit",
                amount_minor=credit,
                change_due_minor=0,
                status="captured",
                reference=refund.id,
                refunded_minor=0,
                register_id=register_id,
                shift_id=shift.id if shift else None,
                employee_id=new.employee_id,
                created_at=utcnow(),
                created_by=f"{principal.kind}:{principal.id}",
            )
        )
        new.paid_minor += credit
    settled_by_credit = new.paid_minor >= new.grand_total_minor
    if settled_by_credit:
        await complete_order(session, principal, new, await order_lines(session, new.id), shift)
    await session.flush()
    record_refund_event(session, original, refund_out(refund, exponent))
    if settled_by_credit:
        [settled] = await load_bundles(session, [new])
        await emit(session, "order.completed", settled)
    for payment in data.payments:
        if new.status != "open":
            break
        await add_payment(session, principal, new.id, payment, guard)
    [bundle] = await load_bundles(session, [new])
    return ExchangeOut(refund=refund_out(refund, exponent), order=order_out(bundle, exponent))
