"""Promotions on orders: pricing an order with the promotions it gets, counting their uses
when it completes, and giving them back when it is voided or fully refunded.

A promotion's discount is stored as one more line discount — a fixed amount with the
promotion's id, name and the code entered — after the line's own discounts, so the pricing
(``lines.reprice``), the receipts and the refunds treat it as any line discount. Every pricing
of an open order takes the promotion discounts off and applies them afresh to the lines as
they now are.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.money import RoundingMode
from tillpoint.promotions import checkout
from tillpoint.promotions.codes import code_key
from tillpoint.promotions.engine import CartLine, Given
from tillpoint.sales.lines import reprice
from tillpoint.sales.models import Order, OrderLine

PROMOTION = "promotionId"
# Orders whose customer has bought before (first-order promotions).
DONE = ("completed", "partially_refunded", "refunded")


def own_discounts(stored: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A line's discounts without those promotions gave."""
    return [d for d in stored if PROMOTION not in d]


def promotion_discount_minor(line: OrderLine) -> int:
    return sum(d["amountMinor"] for d in line.discounts if PROMOTION in d)


def normalised_codes(codes: Sequence[str]) -> list[str]:
    """Codes as stored on the order: upper case, each once, in the order entered."""
    return list(dict.fromkeys(code_key(code) for code in codes))


def is_gift_card(line: OrderLine) -> bool:
    """Gift cards are never discounted (a line selling one carries the product's flag)."""
    return line.gift_card


async def price_with_promotions(
    session: AsyncSession,
    order: Order,
    lines: Sequence[OrderLine],
    rounding: RoundingMode,
    *,
    strict: bool,
) -> None:
    """Reprice ``order`` with the promotions it gets now (``strict``: refuse an entered coupon
    that does not fit, as create, calculate and a change of ``couponCodes`` do)."""
    for line in lines:
        line.discounts = own_discounts(line.discounts)
    reprice(order, lines, rounding)
    # Its reads must not flush the order half repriced: one change, one new version.
    with session.no_autoflush:
        given = await _promotions_for(session, order, lines, rounding, strict)
    if not given:
        return
    for applied in given:
        offer = applied.offer
        for line, amount in zip(lines, applied.amounts, strict=True):
            if amount:
                line.discounts = [
                    *line.discounts,
                    {
                        "type": "fixed",
                        "value": amount,
                        "reason": None,
                        "amountMinor": amount,
                        PROMOTION: offer.promotion_id,
                        "name": offer.name,
                        "code": offer.code,
                        "couponId": offer.coupon_id,
                    },
                ]
    reprice(order, lines, rounding)


async def _promotions_for(
    session: AsyncSession,
    order: Order,
    lines: Sequence[OrderLine],
    rounding: RoundingMode,
    strict: bool,
) -> tuple[Given, ...]:
    return await checkout.promotions_for(
        session,
        checkout.OrderToPrice(
            tenant_id=order.tenant_id,
            location_id=order.location_id,
            source=order.source,
            occurred_at=order.occurred_at,
            customer_id=order.customer_id,
            coupon_codes=tuple(order.coupon_codes),
            lines=tuple(
                CartLine(
                    product_id=line.product_id,
                    variant_id=line.variant_id,
                    category_ids=frozenset(),
                    quantity_milli=line.quantity_milli,
                    amount_minor=line.gross_minor - line.line_discount_minor,
                    gift_card=is_gift_card(line),
                )
                for line in lines
            ),
        ),
        customer_has_orders=_bought_before(session, order),
        strict=strict,
        rounding=rounding,
    )


def _bought_before(session: AsyncSession, order: Order) -> Callable[[], Awaitable[bool]]:
    """Whether the order's customer has another order completed (first-order promotions)."""

    async def customer_has_orders() -> bool:
        stmt = select(Order.id).where(
            Order.customer_id == order.customer_id, Order.status.in_(DONE), Order.id != order.id
        )
        return (await session.execute(stmt.limit(1))).first() is not None

    return customer_has_orders


def _uses(lines: Sequence[OrderLine]) -> list[checkout.Use]:
    amounts: dict[tuple[str, str | None], int] = {}
    for line in lines:
        for d in line.discounts:
            if PROMOTION in d and d["amountMinor"] > 0:
                key = (d[PROMOTION], d.get("couponId"))
                amounts[key] = amounts.get(key, 0) + d["amountMinor"]
    return [checkout.Use(pid, cid, amount) for (pid, cid), amount in amounts.items()]


async def count_promotion_uses(
    session: AsyncSession, order: Order, lines: Sequence[OrderLine]
) -> None:
    """The completing order's promotions each count one use (400 if a limit was reached, or
    a first-order promotion's customer has completed another order meanwhile)."""
    uses = _uses(lines)
    if uses:
        await checkout.count_uses(
            session,
            order.tenant_id,
            order.id,
            order.customer_id,
            uses,
            _bought_before(session, order),
        )


async def give_back_promotion_uses(session: AsyncSession, order: Order) -> None:
    await checkout.give_back_uses(session, order.tenant_id, order.id)
