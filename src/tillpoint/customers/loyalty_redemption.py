"""Redeeming points on an order, and what a refund or void gives back.

A customer redeems points on an open order: they leave the account at once (``redeemed``, in
the order's transaction, by the self-checking update — two registers redeeming the same points
cannot take the balance below zero) and the order gets a fixed order discount worth
``points × pointValue``, which the pricing engine allocates over the lines before tax.
Removing the redemption from the open order, or voiding the order, returns them (``returned``);
a refund returns the share of the order's net it refunds, computed on the cumulative refunded
net like the reversal of earned points. A void also takes back everything the order earned.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.errors import AppError, field_error
from tillpoint.core.money import round_to_minor
from tillpoint.customers.loyalty import (
    POINTS,
    change_points,
    get_program,
    order_points,
    take_back,
)

# Marks an order discount that points pay for (its value: the points).
REDEMPTION_KEY = "loyaltyPoints"


async def redeem(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: str,
    customer_id: str,
    order_id: str,
    points: int,
    exponent: int,
) -> int:
    """Take ``points`` from the customer for ``order_id``; returns what they are worth (minor
    units). 409 LOYALTY_INSUFFICIENT_POINTS, 400 LOYALTY_BELOW_MINIMUM; nothing changes then."""
    program = await get_program(session, tenant_id)
    if program is None or not program.active:
        raise AppError("CONFLICT", "The tenant has no active loyalty program.")
    if points < program.minimum_redemption:
        raise field_error(
            "points",
            f"the program redeems {program.minimum_redemption} points at least",
            "LOYALTY_BELOW_MINIMUM",
        )
    change = await change_points(
        session,
        tenant_id,
        customer_id,
        -points,
        {
            "kind": "redeemed",
            "order_id": order_id,
            "reason": "",
            "created_by": f"{principal.kind}:{principal.id}",
        },
        activity=True,
    )
    if change is None:
        balance = await POINTS.account_balance(session, tenant_id, customer_id) or 0
        raise AppError(
            "LOYALTY_INSUFFICIENT_POINTS",
            details=[{"field": "points", "message": f"the balance is {balance} points"}],
        )
    return round_to_minor(points * Decimal(program.point_value).scaleb(exponent))


async def _give_back(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    customer_id: str,
    order_id: str,
    points: int,
    refund_id: str | None = None,
) -> None:
    if points <= 0:
        return
    entry: dict[str, Any] = {
        "kind": "returned",
        "order_id": order_id,
        "refund_id": refund_id,
        "reason": "",
        "created_by": f"{principal.kind}:{principal.id}",
    }
    await change_points(session, tenant_id, customer_id, points, entry, activity=False)


async def return_redeemed(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: str,
    customer_id: str,
    order_id: str,
    share: tuple[int, int] = (1, 1),
    refund_id: str | None = None,
) -> None:
    """Give back the points the order redeemed: all of them, or — for a refund — ``share``
    (refunded net so far, the order's net) of them, less what was given back before."""
    redeemed = -await order_points(session, order_id, "redeemed")
    if redeemed <= 0:
        return
    refunded, whole = share
    due = (
        redeemed
        if refunded >= whole or whole <= 0
        else int(
            (Decimal(redeemed) * refunded / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        )
    )
    returned = await order_points(session, order_id, "returned")
    await _give_back(
        session, principal, tenant_id, customer_id, order_id, due - returned, refund_id
    )


async def void_points(
    session: AsyncSession, principal: Principal, *, tenant_id: str, customer_id: str, order_id: str
) -> None:
    """A voided order earned nothing and redeemed nothing: take back what it earned (what is
    left of it) and return what it redeemed."""
    await return_redeemed(
        session, principal, tenant_id=tenant_id, customer_id=customer_id, order_id=order_id
    )
    earned = await order_points(session, order_id, "earned")
    reversed_ = -await order_points(session, order_id, "reversed")
    await take_back(
        session,
        tenant_id,
        customer_id,
        earned - reversed_,
        {
            "kind": "reversed",
            "order_id": order_id,
            "reason": "order voided",
            "created_by": f"{principal.kind}:{principal.id}",
        },
    )
