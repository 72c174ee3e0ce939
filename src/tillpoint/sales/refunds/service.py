"""Refunds: lines and quantities back, pro rata, to the original tenders or to others.

Each refunded line gives back its share of the line's stored net, discount and tax, rounded
cumulatively (``refunds.math``), so refunding a line in any number of pieces returns exactly
what it was sold for. Service charges, the tip and cash rounding go back with the refund that
completes the order, which returns everything still unrefunded: refunding all of an order in
pieces sums to exactly what was paid, and no refund can exceed it.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError, field_error, not_found, status_detail
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.money import (
    RoundingMode,
    allocate_largest_remainder,
    minor_units,
    thousandths,
)
from tillpoint.customers import loyalty, loyalty_redemption
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.inventory.ledger import MovementLine, apply_movements
from tillpoint.sales.models import Order, OrderLine, Payment, Refund, Shift
from tillpoint.sales.order_promotions import give_back_promotion_uses
from tillpoint.sales.orders import (
    get_order,
    order_lines,
    order_payments,
    order_refunds,
    stock_item,
)
from tillpoint.sales.presenters import refund_out
from tillpoint.sales.refunds.math import LineRefund, RefundableLine, refund_line
from tillpoint.sales.sale_context import tenant_settings
from tillpoint.sales.schemas import RefundIn, RefundLineIn, RefundOut, RefundTenderIn
from tillpoint.sales.shifts.service import register_shift
from tillpoint.sales.stored_value import refund_to_stored_value, take_back_cards
from tillpoint.stores.staff import get_employee

REFUNDABLE = frozenset({"completed", "partially_refunded"})
# Tenders a refund goes back to: by default each original payment of these gets its share.
REFUND_TENDERS = frozenset({"cash", "credit_card", "other", "gift_card", "store_credit"})


@dataclass
class LinePart:
    line: OrderLine
    share: LineRefund
    restock: bool


@dataclass
class RefundPlan:
    """What a refund gives back, before any tender is chosen."""

    order: Order
    lines: list[OrderLine]
    parts: list[LinePart]
    other_minor: int  # service charges, tip, cash rounding (only when completing the refund)
    amount_minor: int
    completes: bool


async def plan_refund(
    session: AsyncSession, principal: Principal, order_id: str, returned: list[RefundLineIn]
) -> RefundPlan:
    order = await get_order(session, principal, order_id, lock=True)
    if order.status not in REFUNDABLE:
        raise AppError("REFUND_NOT_ALLOWED", details=[status_detail("order", order.status)])
    lines = await order_lines(session, order.id)
    by_id = {line.id: line for line in lines}
    settings = await tenant_settings(session, order.tenant_id)
    parts: list[LinePart] = []
    seen: set[str] = set()
    for i, request in enumerate(returned):
        field = f"lineItems[{i}]"
        line = by_id.get(request.line_item_id)
        if line is None:
            raise field_error(f"{field}.lineItemId", "not a line of this order")
        if line.id in seen:
            raise field_error(f"{field}.lineItemId", "this line is named twice")
        seen.add(line.id)
        quantity = thousandths(
            request.quantity, f"{field}.quantity", whole_units_only=line.sold_by == "unit"
        )
        left = line.quantity_milli - line.refunded_quantity_milli
        if quantity > left:
            raise AppError(
                "REFUND_EXCEEDS_REMAINING",
                details=[
                    {
                        "field": f"{field}.quantity",
                        "message": f"only {left / 1000:g} of this line is left to refund",
                    }
                ],
            )
        parts.append(LinePart(line, _share(line, quantity, settings.rounding), request.restock))
    completes = all(
        line.refunded_quantity_milli + sum(p.share.quantity_milli for p in parts if p.line is line)
        == line.quantity_milli
        for line in lines
    )
    lines_total = sum(p.share.total_minor for p in parts)
    remaining = order.paid_minor - order.refunded_minor
    amount = remaining if completes else lines_total
    if amount > remaining or amount < 0:
        raise AppError("REFUND_EXCEEDS_REMAINING")
    return RefundPlan(order, lines, parts, amount - lines_total, amount, completes)


def _share(line: OrderLine, quantity: int, rounding: RoundingMode) -> LineRefund:
    return refund_line(
        RefundableLine(
            quantity_milli=line.quantity_milli,
            refunded_quantity_milli=line.refunded_quantity_milli,
            net_minor=line.net_minor,
            discount_minor=line.discount_minor,
            tax_minor=line.tax_minor,
            total_minor=line.total_minor,
            taxes=tuple((t["rateId"], int(t["amountMinor"])) for t in line.taxes),
        ),
        quantity,
        rounding,
    )


async def refund_tenders(
    session: AsyncSession,
    order: Order,
    amount: int,
    requested: list[RefundTenderIn] | None,
    exponent: int,
) -> list[dict[str, Any]]:
    """Where the money goes, each part charged against its original payment if it has one.

    By default back to the original tenders pro rata: each payment gets the share of the
    refund that its unrefunded amount is of all of them (largest remainder, so the parts sum
    exactly, and a refund of what is left gives each payment exactly its rest). A gift card
    share goes back to that card, a store credit share to that credit."""
    payments = [p for p in await order_payments(session, order.id) if p.status == "captured"]
    if requested is None:
        originals = [
            p
            for p in payments
            if p.tender_type in REFUND_TENDERS and p.amount_minor > p.refunded_minor
        ]
        lefts = [p.amount_minor - p.refunded_minor for p in originals]
        to_originals = min(amount, sum(lefts))
        chosen: list[dict[str, Any]] = []
        for original, part in zip(
            originals, allocate_largest_remainder(to_originals, lefts), strict=True
        ):
            if part:
                chosen.append(_tender_row(original.tender_type, part, original))
                original.refunded_minor += part
        if amount > to_originals:
            chosen.append(_tender_row("cash", amount - to_originals, None))
        return chosen
    total = sum(
        minor_units(t.amount, exponent, f"tenders[{i}].amount") for i, t in enumerate(requested)
    )
    if total != amount:
        raise field_error("tenders", f"the tenders must add up to the refund, {amount} minor units")
    by_id = {p.id: p for p in payments}
    rows = []
    for i, tender in enumerate(requested):
        part = minor_units(tender.amount, exponent, f"tenders[{i}].amount")
        payment: Payment | None = None
        if tender.payment_id is not None:
            payment = by_id.get(tender.payment_id)
            if payment is None or payment.tender_type != tender.tender_type:
                raise field_error(
                    f"tenders[{i}].paymentId", "not a payment of this order by that tender"
                )
            if part > payment.amount_minor - payment.refunded_minor:
                raise field_error(f"tenders[{i}].amount", "more than is left of that payment")
            payment.refunded_minor += part
        elif tender.tender_type == "gift_card":
            raise field_error(
                f"tenders[{i}].paymentId", "a gift card refund names the gift card payment"
            )
        row = _tender_row(tender.tender_type, part, payment, tender)
        if tender.tender_type == "store_credit" and payment is None:
            # Issued to the order's customer.
            if order.customer_id is None:
                raise field_error(
                    f"tenders[{i}].tenderType", "store credit needs the order's customer"
                )
            row["customerId"] = order.customer_id
        rows.append(row)
    return rows


def _tender_row(
    tender_type: str, amount: int, payment: Payment | None, request: RefundTenderIn | None = None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "tenderType": tender_type,
        "amountMinor": amount,
        "paymentId": payment.id if payment else None,
        "processorRef": request.processor_ref if request else None,
        "reference": request.reference if request else None,
    }
    if payment is not None and payment.account_id is not None:
        # Back to the card or credit the payment drew on.
        row["giftCardId" if tender_type == "gift_card" else "customerId"] = payment.account_id
    return row


async def settle_refund(
    session: AsyncSession,
    principal: Principal,
    plan: RefundPlan,
    *,
    reason: str,
    tenders: list[dict[str, Any]],
    register_id: str | None,
    shift: Shift | None,
    employee_id: str | None,
    exchange_order_id: str | None = None,
) -> Refund:
    """Write the refund: lines' refunded amounts, restock through the ledger, the order's
    status, the refund row and ``order.refunded``."""
    order = plan.order
    if any(t["tenderType"] == "cash" for t in tenders) and shift is None:
        raise AppError("SHIFT_NOT_OPEN", "Cash refunds need an open shift on the register.")
    refund_id = new_id("refund")
    now = utcnow()
    for part in plan.parts:
        line, share = part.line, part.share
        line.refunded_quantity_milli += share.quantity_milli
        line.refunded_net_minor += share.net_minor
        line.refunded_discount_minor += share.discount_minor
        line.refunded_tax_minor += share.tax_minor
        line.refunded_total_minor += share.total_minor
        taxes = dict(line.refunded_taxes)
        for rate_id, amount in share.taxes:
            taxes[rate_id] = int(taxes.get(rate_id, 0)) + amount
        line.refunded_taxes = taxes
    restocked = [
        MovementLine(
            stock_item(p.line), order.location_id, p.share.quantity_milli, f"lineItems[{i}]"
        )
        for i, p in enumerate(plan.parts)
        if p.restock and p.share.quantity_milli and not p.line.gift_card
    ]
    await apply_movements(
        session,
        order.tenant_id,
        restocked,
        reason="refund",
        reference_type="refund",
        reference_id=refund_id,
        occurred_at=now,
        actor=f"{principal.kind}:{principal.id}",
    )
    order.refunded_minor += plan.amount_minor
    order.status = "refunded" if plan.completes else "partially_refunded"
    if plan.completes:
        await give_back_promotion_uses(session, order)
    order.updated_at = now
    refund = Refund(
        tenant_id=order.tenant_id,
        id=refund_id,
        order_id=order.id,
        reason=reason,
        lines=[
            {
                "lineItemId": p.line.id,
                "sku": p.line.sku,
                "name": p.line.name,
                "quantityMilli": p.share.quantity_milli,
                "restock": p.restock,
                "netMinor": p.share.net_minor,
                "discountMinor": p.share.discount_minor,
                "taxMinor": p.share.tax_minor,
                "totalMinor": p.share.total_minor,
                "taxes": [list(t) for t in p.share.taxes],
            }
            for p in plan.parts
        ],
        subtotal_minor=sum(p.share.net_minor + p.share.discount_minor for p in plan.parts),
        discount_minor=sum(p.share.discount_minor for p in plan.parts),
        tax_minor=sum(p.share.tax_minor for p in plan.parts),
        other_minor=plan.other_minor,
        amount_minor=plan.amount_minor,
        tenders=tenders,
        register_id=register_id,
        shift_id=shift.id if shift else None,
        employee_id=employee_id or order.employee_id,
        exchange_order_id=exchange_order_id,
        created_at=now,
        created_by=f"{principal.kind}:{principal.id}",
    )
    session.add(refund)
    await session.flush()
    await take_back_cards(
        session, principal, order, [(p.line, p.share.total_minor) for p in plan.parts], refund_id
    )
    await refund_to_stored_value(session, principal, order, tenders, refund_id)
    if order.customer_id is not None:
        lines = await order_lines(session, order.id)
        await loyalty.reverse_for_refund(
            session,
            principal,
            tenant_id=order.tenant_id,
            order_id=order.id,
            refund_id=refund_id,
            refunded_net={line.id: line.refunded_net_minor for line in lines},
        )
        await loyalty_redemption.return_redeemed(
            session,
            principal,
            tenant_id=order.tenant_id,
            customer_id=order.customer_id,
            order_id=order.id,
            share=(sum(x.refunded_net_minor for x in lines), sum(x.net_minor for x in lines)),
            refund_id=refund_id,
        )
    return refund


def record_refund_event(session: AsyncSession, order: Order, out: RefundOut) -> None:
    record_event(
        session,
        "order.refunded",
        {**out.model_dump(mode="json", by_alias=True), "orderStatus": order.status},
        subject_id=order.id,
        location_id=order.location_id,
    )


async def refund_order(
    session: AsyncSession, principal: Principal, order_id: str, data: RefundIn
) -> RefundOut:
    if data.employee_id is not None:
        await get_employee(session, principal, data.employee_id)
    plan = await plan_refund(session, principal, order_id, data.line_items)
    exponent = await tenant_currency_exponent(session, plan.order.tenant_id)
    register_id, shift = await register_shift(session, principal, plan.order, data.register_id)
    tenders = await refund_tenders(session, plan.order, plan.amount_minor, data.tenders, exponent)
    refund = await settle_refund(
        session,
        principal,
        plan,
        reason=data.reason,
        tenders=tenders,
        register_id=register_id,
        shift=shift,
        employee_id=data.employee_id,
    )
    out = refund_out(refund, exponent)
    record_refund_event(session, plan.order, out)
    return out


async def list_refunds(session: AsyncSession, order: Order) -> list[RefundOut]:
    exponent = await tenant_currency_exponent(session, order.tenant_id)
    return [refund_out(r, exponent) for r in await order_refunds(session, order.id)]


async def show_refund(session: AsyncSession, order: Order, refund_id: str) -> RefundOut:
    for refund in await list_refunds(session, order):
        if refund.refund_id == refund_id:
            return refund
    raise not_found("Refund")
