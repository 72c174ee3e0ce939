"""Orders as clients see them: the stored rows shaped into ``OrderOut``.

Everything shown is what was stored when the order was priced and paid; nothing is recomputed.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.money import from_minor, from_thousandths
from tillpoint.promotions.schemas import DiscountPromotionOut, PromotionTotalOut
from tillpoint.sales.models import Order, OrderLine, Payment, Refund
from tillpoint.sales.schemas import (
    AppliedDiscountOut,
    LineItemOut,
    ModifierOut,
    OrderCalculationOut,
    OrderOut,
    PaymentOut,
    RefundLineOut,
    RefundOut,
    RefundSummaryOut,
    RefundTenderOut,
    ServiceChargeOut,
    TaxOut,
    TotalsOut,
)

M = TypeVar("M", bound=BaseModel)


@dataclass
class JsonView(Generic[M]):
    """A response built once: the model, and its JSON form (``json``, dumped on first use) that
    is both an event's data and the reply's body — so the reply is not dumped, validated and
    encoded a second time."""

    model: M
    dumped: dict[str, Any] | None = None  # the JSON form when the caller has it already

    @property
    def json(self) -> dict[str, Any]:
        if self.dumped is None:
            self.dumped = self.model.model_dump(mode="json", by_alias=True)
        return self.dumped


@dataclass
class OrderBundle:
    """An order with its lines, payments and refunds, loaded explicitly."""

    order: Order
    lines: list[OrderLine] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)


async def load_bundles(session: AsyncSession, orders: Sequence[Order]) -> list[OrderBundle]:
    """Lines, payments and refunds of these orders in three queries, whatever their number."""
    if not orders:
        return []
    ids = [o.id for o in orders]
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    payments: dict[str, list[Payment]] = defaultdict(list)
    refunds: dict[str, list[Refund]] = defaultdict(list)
    for line in (
        await session.execute(
            select(OrderLine)
            .where(OrderLine.order_id.in_(ids))
            .order_by(OrderLine.order_id, OrderLine.position, OrderLine.id)
        )
    ).scalars():
        lines[line.order_id].append(line)
    for payment in (
        await session.execute(
            select(Payment)
            .where(Payment.order_id.in_(ids))
            .order_by(Payment.created_at, Payment.id)
        )
    ).scalars():
        payments[payment.order_id].append(payment)
    for refund in (
        await session.execute(
            select(Refund).where(Refund.order_id.in_(ids)).order_by(Refund.created_at, Refund.id)
        )
    ).scalars():
        refunds[refund.order_id].append(refund)
    return [OrderBundle(o, lines[o.id], payments[o.id], refunds[o.id]) for o in orders]


def _money(minor: int, exponent: int) -> Decimal:
    return from_minor(minor, exponent)


def _discounts(stored: list[dict[str, Any]], exponent: int) -> list[AppliedDiscountOut]:
    return [
        AppliedDiscountOut(
            type=d["type"],
            # Fixed discounts are stored in minor units; percentages as the percent number.
            value=Decimal(d["value"])
            if d["type"] == "percentage"
            else _money(int(d["value"]), exponent),
            reason=d.get("reason"),
            amount=_money(d["amountMinor"], exponent),
            promotion=DiscountPromotionOut(
                promotion_id=d["promotionId"], name=d["name"], code=d.get("code")
            )
            if "promotionId" in d
            else None,
        )
        for d in stored
    ]


def _promotion_totals(lines: Sequence[OrderLine], exponent: int) -> list[PromotionTotalOut]:
    """Each promotion's discounts summed over the lines, in the order they first appear."""
    totals: dict[tuple[str, str | None], PromotionTotalOut] = {}
    for line in lines:
        for d in line.discounts:
            if "promotionId" not in d:
                continue
            key = (d["promotionId"], d.get("code"))
            seen = totals.get(key)
            amount = _money(d["amountMinor"], exponent) + (seen.amount if seen else 0)
            totals[key] = PromotionTotalOut(
                promotion_id=d["promotionId"], name=d["name"], code=d.get("code"), amount=amount
            )
    return list(totals.values())


def _taxes(stored: list[dict[str, Any]], exponent: int) -> list[TaxOut]:
    return [
        TaxOut(
            rate_id=t["rateId"],
            name=t["name"],
            rate=Decimal(t["rate"]),
            amount=_money(t["amountMinor"], exponent),
        )
        for t in stored
    ]


def line_out(line: OrderLine, exponent: int) -> LineItemOut:
    return LineItemOut(
        line_item_id=line.id,
        product_id=line.product_id,
        variant_id=line.variant_id,
        sku=line.sku,
        name=line.name,
        quantity=from_thousandths(line.quantity_milli),
        unit_price=_money(line.unit_price_minor, exponent),
        price_overridden=line.catalog_price_minor is not None,
        modifiers=[
            ModifierOut(
                option_id=m["id"],
                group_id=m["groupId"],
                name=m["name"],
                price=_money(m["priceDeltaMinor"], exponent),
            )
            for m in line.modifiers
        ],
        discounts=_discounts(line.discounts, exponent),
        subtotal=_money(line.gross_minor, exponent),
        discount=_money(line.discount_minor, exponent),
        tax=_money(line.tax_minor, exponent),
        taxes=_taxes(line.taxes, exponent),
        total=_money(line.total_minor, exponent),
        tax_class=line.tax_class,
        notes=line.notes,
        refunded_quantity=from_thousandths(line.refunded_quantity_milli),
        gift_card_id=line.gift_card_id,
    )


def payment_out(payment: Payment, exponent: int) -> PaymentOut:
    return PaymentOut(
        payment_id=payment.id,
        tender_type=payment.tender_type,
        amount=_money(payment.amount_minor, exponent),
        amount_tendered=None
        if payment.amount_tendered_minor is None
        else _money(payment.amount_tendered_minor, exponent),
        change_due=_money(payment.change_due_minor, exponent),
        status=payment.status,
        card_brand=payment.card_brand,
        card_last4=payment.card_last4,
        processor_ref=payment.processor_ref,
        authorization_code=payment.authorization_code,
        reference=payment.reference,
        gift_card_id=payment.account_id if payment.tender_type == "gift_card" else None,
        refunded=_money(payment.refunded_minor, exponent),
        register_id=payment.register_id,
        shift_id=payment.shift_id,
        created_at=payment.created_at,
    )


def refund_out(refund: Refund, exponent: int) -> RefundOut:
    return RefundOut(
        refund_id=refund.id,
        order_id=refund.order_id,
        amount=_money(refund.amount_minor, exponent),
        subtotal=_money(refund.subtotal_minor, exponent),
        discount=_money(refund.discount_minor, exponent),
        tax=_money(refund.tax_minor, exponent),
        other=_money(refund.other_minor, exponent),
        reason=refund.reason,
        line_items=[
            RefundLineOut(
                line_item_id=r["lineItemId"],
                sku=r["sku"],
                name=r["name"],
                quantity=from_thousandths(r["quantityMilli"]),
                restock=r["restock"],
                subtotal=_money(r["netMinor"] + r["discountMinor"], exponent),
                discount=_money(r["discountMinor"], exponent),
                tax=_money(r["taxMinor"], exponent),
                amount=_money(r["totalMinor"], exponent),
            )
            for r in refund.lines
        ],
        tenders=[
            RefundTenderOut(
                tender_type=t["tenderType"],
                amount=_money(t["amountMinor"], exponent),
                payment_id=t.get("paymentId"),
                processor_ref=t.get("processorRef"),
                reference=t.get("reference"),
                gift_card_id=t.get("giftCardId"),
                customer_id=t.get("customerId"),
            )
            for t in refund.tenders
        ],
        register_id=refund.register_id,
        shift_id=refund.shift_id,
        exchange_order_id=refund.exchange_order_id,
        created_at=refund.created_at,
    )


def _service_charges(order: Order, exponent: int) -> list[ServiceChargeOut]:
    return [
        ServiceChargeOut(
            name=c["name"],
            type=c["type"],
            value=Decimal(c["value"])
            if c["type"] == "percentage"
            else _money(int(c["value"]), exponent),
            taxable=c["taxable"],
            amount=_money(c["amountMinor"], exponent),
            tax=_money(c["taxMinor"], exponent),
        )
        for c in order.service_charges
    ]


def calculation_out(
    order: Order,
    lines: Sequence[OrderLine],
    exponent: int,
    approval_needed: list[str],
    cash_due_minor: int,
) -> OrderCalculationOut:
    return OrderCalculationOut(
        location_id=order.location_id,
        approval_needed=approval_needed,
        cash_due=_money(cash_due_minor, exponent),
        line_items=[line_out(line, exponent) for line in lines],
        discounts=_discounts(order.discounts, exponent),
        coupon_codes=order.coupon_codes,
        promotions=_promotion_totals(lines, exponent),
        service_charges=_service_charges(order, exponent),
        taxes=_taxes(order.taxes, exponent),
        totals=totals_out(order, exponent),
    )


def totals_out(order: Order, exponent: int) -> TotalsOut:
    due = order.grand_total_minor + order.cash_rounding_minor - order.paid_minor
    return TotalsOut(
        subtotal=_money(order.subtotal_minor, exponent),
        discount_total=_money(order.discount_total_minor, exponent),
        tax_total=_money(order.tax_total_minor, exponent),
        tip_total=_money(order.tip_minor, exponent),
        service_charge_total=_money(order.service_charge_total_minor, exponent),
        grand_total=_money(order.grand_total_minor, exponent),
        tax_included=order.tax_inclusive,
        cash_rounding=_money(order.cash_rounding_minor, exponent),
        paid=_money(order.paid_minor, exponent),
        balance_due=_money(max(0, due) if order.status == "open" else 0, exponent),
        refunded=_money(order.refunded_minor, exponent),
    )


def order_out(bundle: OrderBundle, exponent: int) -> OrderOut:
    order = bundle.order
    return OrderOut(
        order_id=order.id,
        receipt_number=order.receipt_number,
        status=order.status,
        location_id=order.location_id,
        register_id=order.register_id,
        employee_id=order.employee_id,
        customer_id=order.customer_id,
        source=order.source,
        client_order_id=order.client_order_id,
        line_items=[line_out(line, exponent) for line in bundle.lines],
        discounts=_discounts(order.discounts, exponent),
        coupon_codes=order.coupon_codes,
        promotions=_promotion_totals(bundle.lines, exponent),
        service_charges=_service_charges(order, exponent),
        taxes=_taxes(order.taxes, exponent),
        totals=totals_out(order, exponent),
        payments=[payment_out(p, exponent) for p in bundle.payments],
        refunds=[
            RefundSummaryOut(
                refund_id=r.id,
                amount=_money(r.amount_minor, exponent),
                reason=r.reason,
                created_at=r.created_at,
            )
            for r in bundle.refunds
        ],
        notes=order.notes,
        shift_id=order.shift_id,
        exchange_refund_id=order.exchange_refund_id,
        exchange_order_id=order.exchange_order_id,
        occurred_at=order.occurred_at,
        completed_at=order.completed_at,
        voided_at=order.voided_at,
        void_reason=order.void_reason,
        version=order.version,
        created_at=order.created_at,
        updated_at=order.updated_at,
    )
