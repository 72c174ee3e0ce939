"""Points redeemed on an open order: an order discount worth what the points are, which the
pricing engine allocates over the lines before tax like any fixed order discount (gift card
lines take no share). The points leave the customer's account in the same transaction
(``customers.loyalty_redemption``); removing the redemption gives them back. One redemption an
order; it stays when the order's other discounts are replaced, and the customer cannot be
changed while it is there."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.errors import AppError, field_error
from tillpoint.customers import loyalty_redemption
from tillpoint.customers.loyalty_redemption import REDEMPTION_KEY
from tillpoint.customers.loyalty_schemas import LoyaltyRedemptionIn
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.sales.edits import finish_change, open_order_for_change
from tillpoint.sales.presenters import JsonView
from tillpoint.sales.schemas import OrderOut


def redeemed_points(discounts: list[dict[str, Any]]) -> int:
    return sum(int(d.get(REDEMPTION_KEY, 0)) for d in discounts)


async def redeem_on_order(
    session: AsyncSession, principal: Principal, order_id: str, data: LoyaltyRedemptionIn
) -> JsonView[OrderOut]:
    order, lines = await open_order_for_change(session, principal, order_id, data.version)
    if order.customer_id is None:
        raise field_error("points", "the order has no customer: attach one first")
    if redeemed_points(order.discounts):
        raise AppError("CONFLICT", "The order already redeems points; remove them first.")
    exponent = await tenant_currency_exponent(session, order.tenant_id)
    value = await loyalty_redemption.redeem(
        session,
        principal,
        tenant_id=order.tenant_id,
        customer_id=order.customer_id,
        order_id=order.id,
        points=data.points,
        exponent=exponent,
    )
    room = sum(line.net_minor for line in lines if not line.gift_card)
    if value > room:
        # The request fails whole: the points taken above are not taken.
        raise field_error("points", f"worth {value} minor units, more than the order's {room}")
    order.discounts = [
        *order.discounts,
        {
            "type": "fixed",
            "value": value,
            "reason": f"Loyalty: {data.points} points",
            "amountMinor": 0,
            REDEMPTION_KEY: data.points,
        },
    ]
    return await finish_change(
        session, principal, order, lines, touched=set(), discounts_changed=False, approval=None
    )


async def remove_redemption(
    session: AsyncSession, principal: Principal, order_id: str, version: int | None
) -> JsonView[OrderOut]:
    order, lines = await open_order_for_change(session, principal, order_id, version)
    if not redeemed_points(order.discounts) or order.customer_id is None:
        raise AppError("CONFLICT", "The order redeems no points.")
    await loyalty_redemption.return_redeemed(
        session,
        principal,
        tenant_id=order.tenant_id,
        customer_id=order.customer_id,
        order_id=order.id,
    )
    order.discounts = [d for d in order.discounts if REDEMPTION_KEY not in d]
    return await finish_change(
        session, principal, order, lines, touched=set(), discounts_changed=False, approval=None
    )
