"""Payments (split tender) and completing an order.

Tenders: cash (amount tendered → change; cash rounding on the settling payment), credit_card
(captured on an external terminal and recorded here: brand, last 4, processor reference,
authorization code), gift_card (the card's code; partial use allowed), store_credit (the
order's customer's credit) and other. Only cash may be tendered over the balance. A gift card
or store credit payment takes its amount off the card or credit through its ledger in the same
transaction (``stored_value``), so two tills spending one card cannot overspend it.

When payments cover the grand total the order completes in the same transaction: its
promotions count a use each, stock leaves through the ledger (reason ``sale``), the
reservation is released, the next receipt number of the location and year is taken, the
customer earns loyalty points, and ``order.completed`` is recorded. Lock order: the order
row, the register's open shift, the gift card or credit paid with, its promotions and coupon
codes (by id), the stock levels (by variant), the cards the order sold (by id), the receipt
sequence, the customer's points.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError, field_error, status_detail
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.money import minor_units
from tillpoint.customers import loyalty
from tillpoint.customers.loyalty import EarningLine
from tillpoint.giftcards.codes import CodeGuard
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.inventory.ledger import MovementLine, apply_movements
from tillpoint.sales.models import Order, OrderLine, Payment, Shift
from tillpoint.sales.order_promotions import count_promotion_uses
from tillpoint.sales.orders import (
    CHANNEL_SOURCES,
    get_order,
    order_lines,
    order_payments,
    order_to_pay,
    stock_item,
)
from tillpoint.sales.presenters import JsonView, OrderBundle, load_bundles, order_out, payment_out
from tillpoint.sales.pricing import cash_due
from tillpoint.sales.receipts.numbers import number_order
from tillpoint.sales.rows import insert_new
from tillpoint.sales.sale_context import PaymentPlace, payment_place
from tillpoint.sales.schemas import OrderOut, PaymentIn, PaymentResultOut
from tillpoint.sales.shifts.service import current_shift, register_shift
from tillpoint.sales.stored_value import check_tender_request, draw, load_sold_cards
from tillpoint.stores.staff import get_employee


@dataclass(frozen=True)
class Tender:
    """What a tender type accepts: which optional fields, and whether it may overpay."""

    fields: frozenset[str]
    may_overpay: bool = False


TENDERS: dict[str, Tender] = {
    "cash": Tender(frozenset({"amount_tendered"}), may_overpay=True),
    "credit_card": Tender(
        frozenset({"card_brand", "card_last4", "processor_ref", "authorization_code"})
    ),
    "gift_card": Tender(frozenset({"gift_card_code"})),
    "store_credit": Tender(frozenset()),
    "other": Tender(frozenset({"reference", "processor_ref"})),
}
TENDER_FIELDS = (
    "amount_tendered",
    "card_brand",
    "card_last4",
    "processor_ref",
    "authorization_code",
    "reference",
    "gift_card_code",
)


def _check_tender(data: PaymentIn) -> Tender:
    tender = TENDERS.get(data.tender_type)
    if tender is None:
        raise field_error("tenderType", f"{data.tender_type} tenders are not available yet")
    for name in TENDER_FIELDS:
        if getattr(data, name) is not None and name not in tender.fields:
            camel = "".join(w.capitalize() if i else w for i, w in enumerate(name.split("_")))
            raise field_error(camel, f"not a field of {data.tender_type} payments")
    return tender


async def complete_order(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    lines: list[OrderLine],
    shift: Shift | None,
    place: PaymentPlace | None = None,
    paid: tuple[int, int] | None = None,
) -> None:
    """Stock leaves (releasing the reservation in the same level update), then the receipt
    number is taken and the completed order written by one last statement (its row is already
    locked: the caller's first lock). The stock levels and then the receipt sequence are held
    from their statements to COMMIT, so nothing that can come before them comes after.

    ``paid`` is the order's paid and cash rounding amounts with the completing payment (by
    default what the order holds); they are written with the completion."""
    if place is None:
        place = await payment_place(session, order.tenant_id, order.location_id)
    paid_minor, cash_rounding_minor = paid or (order.paid_minor, order.cash_rounding_minor)
    now = utcnow()
    completion = {
        "status": "completed",
        "completed_at": now,
        "updated_at": now,
        "shift_id": shift.id if shift is not None else order.shift_id,
        "paid_minor": paid_minor,
        "cash_rounding_minor": cash_rounding_minor,
    }
    for name, value in completion.items():
        # Written with the receipt number (number_order): the flush must not write them.
        set_committed_value(order, name, value)
    await session.flush()
    await count_promotion_uses(session, order, lines)
    await apply_movements(
        session,
        order.tenant_id,
        [
            MovementLine(
                stock_item(line),
                order.location_id,
                -line.quantity_milli,
                f"lineItems[{i}]",
                reserved_delta_milli=-line.quantity_milli,
            )
            for i, line in enumerate(lines)
            if not line.gift_card
        ],
        reason="sale",
        reference_type="order",
        reference_id=order.id,
        occurred_at=order.occurred_at,
        actor=f"{principal.kind}:{principal.id}",
        allow_negative=place.allow_negative_stock and order.source not in CHANNEL_SOURCES,
    )
    await load_sold_cards(session, principal, order, lines)
    await number_order(session, order, now.astimezone(ZoneInfo(place.timezone)).year, completion)
    if order.customer_id is not None:
        await loyalty.earn_for_order(
            session,
            principal,
            tenant_id=order.tenant_id,
            customer_id=order.customer_id,
            order_id=order.id,
            lines=[
                EarningLine(line.id, line.product_id, line.net_minor, line.gift_card)
                for line in lines
            ],
        )


async def add_payment(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    data: PaymentIn,
    guard: CodeGuard | None = None,
) -> JsonView[PaymentResultOut]:
    tender = _check_tender(data)
    order, place = await order_to_pay(session, principal, order_id)
    return await pay_order(session, principal, order, place, data, tender, guard)


async def pay_order(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    place: PaymentPlace,
    data: PaymentIn,
    tender: Tender | None = None,
    guard: CodeGuard | None = None,
) -> JsonView[PaymentResultOut]:
    """Take a payment on ``order``, which the caller has locked with its place
    (``order_to_pay``); ``guard`` resolves gift card codes."""
    tender = tender or _check_tender(data)
    if order.status != "open":
        raise AppError("ORDER_NOT_OPEN", details=[status_detail("order", order.status)])
    check_tender_request(order, data)
    lines = await order_lines(session, order.id)
    if not lines:
        raise AppError("ORDER_EMPTY")
    # Every payment of an open order paid something (only the completing one may apply 0):
    # nothing paid, no payments to read.
    earlier = await order_payments(session, order.id) if order.paid_minor else []
    exponent = await tenant_currency_exponent(session, order.tenant_id)
    settings = place.settings
    amount = minor_units(data.amount, exponent, "amount")
    balance = order.grand_total_minor + order.cash_rounding_minor - order.paid_minor
    rounding = 0
    tendered: int | None = None
    if data.tender_type == "cash":
        due = cash_due(balance, settings.cash_increment, settings.rounding)
        tendered = (
            amount
            if data.amount_tendered is None
            else minor_units(data.amount_tendered, exponent, "amountTendered")
        )
        if tendered < amount:
            raise field_error("amountTendered", "must be at least the amount")
        applied = min(amount, due)
        if amount >= due:
            rounding = due - balance
    else:
        applied = amount
        if amount > balance and not tender.may_overpay:
            raise AppError(
                "OVERPAYMENT_NOT_ALLOWED",
                details=[
                    {"field": "amount", "message": f"the balance due is {balance} minor units"}
                ],
            )
    if data.employee_id is not None:
        await get_employee(session, principal, data.employee_id)
    register_id, shift = await register_shift(session, principal, order, data.register_id)
    if data.tender_type == "cash" and shift is None:
        raise AppError(
            "SHIFT_NOT_OPEN",
            "Cash needs an open shift on the register."
            if register_id
            else "Cash needs a register with an open shift; give registerId.",
        )
    payment = Payment(
        tenant_id=order.tenant_id,
        id=new_id("payment"),
        order_id=order.id,
        tender_type=data.tender_type,
        amount_minor=applied,
        amount_tendered_minor=tendered,
        change_due_minor=(tendered - applied) if tendered is not None else 0,
        status="captured",
        card_brand=data.card_brand,
        card_last4=data.card_last4,
        processor_ref=data.processor_ref,
        authorization_code=data.authorization_code,
        reference=data.reference,
        refunded_minor=0,
        register_id=register_id,
        shift_id=shift.id if shift else None,
        employee_id=data.employee_id or order.employee_id,
        created_at=utcnow(),
        created_by=f"{principal.kind}:{principal.id}",
    )
    await draw(session, principal, guard, order, payment, data)
    await insert_new(session, payment)
    amounts = (order.paid_minor + applied, order.cash_rounding_minor + rounding)
    completed = amounts[0] >= order.grand_total_minor + amounts[1]
    if completed:
        # Not set on the order here: the completion writes them, and a change left on the
        # order would make the flush before it go through the whole unit of work for nothing.
        await complete_order(session, principal, order, lines, shift, place, amounts)
    else:
        order.paid_minor, order.cash_rounding_minor = amounts
        order.updated_at = utcnow()
        await session.flush()
    # An open order has no refunds; its lines and payments are all in hand.
    out = JsonView(order_out(OrderBundle(order, lines, [*earlier, payment]), exponent))
    paid = JsonView(payment_out(payment, exponent))
    record_event(
        session,
        "payment.captured",
        {"orderId": order.id, **paid.json},
        subject_id=payment.id,
        location_id=order.location_id,
    )
    if completed:
        _record_order_event(session, "order.completed", order, out)
    # The reply is the events' JSON: dumped once.
    return JsonView(
        PaymentResultOut(payment=paid.model, order=out.model),
        {"payment": paid.json, "order": out.json},
    )


def _record_order_event(
    session: AsyncSession, event_type: str, order: Order, out: JsonView[OrderOut]
) -> None:
    record_event(session, event_type, out.json, subject_id=order.id, location_id=order.location_id)


async def complete_zero_balance(
    session: AsyncSession, principal: Principal, order_id: str
) -> JsonView[OrderOut]:
    """Complete an order that owes nothing (everything discounted away) without a payment."""
    order = await get_order(session, principal, order_id, lock=True)
    if order.status != "open":
        raise AppError("ORDER_NOT_OPEN", details=[status_detail("order", order.status)])
    lines = await order_lines(session, order.id)
    if not lines:
        raise AppError("ORDER_EMPTY")
    if order.paid_minor < order.grand_total_minor + order.cash_rounding_minor:
        raise AppError("CONFLICT", "The order still has a balance due; take a payment.")
    shift = (
        await current_shift(session, order.register_id, lock=True) if order.register_id else None
    )
    await complete_order(session, principal, order, lines, shift)
    await session.flush()
    exponent = await tenant_currency_exponent(session, order.tenant_id)
    [bundle] = await load_bundles(session, [order])
    out = JsonView(order_out(bundle, exponent))
    _record_order_event(session, "order.completed", order, out)
    return out
