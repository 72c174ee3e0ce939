"""Manager approval at the till: price overrides and large manual discounts.

A principal holding ``orders:price_override`` approves by acting. Anyone else needs a manager
to enter their PIN on the request (``approval: {employeeId, pin}``): an active employee whose
role holds that permission. The threshold is the tenant's ``discountApprovalPercent``.
"""

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import get_by_id
from tillpoint.core.errors import AppError
from tillpoint.core.security import verify_password
from tillpoint.identity.models import Role
from tillpoint.sales.models import OrderLine
from tillpoint.sales.order_promotions import promotion_discount_minor
from tillpoint.sales.pricing import discount_needs_approval
from tillpoint.sales.schemas import ApprovalIn, OrderIn
from tillpoint.stores.models import Employee

PERMISSION = "orders:price_override"


def approval_reasons(
    lines: Sequence[OrderLine],
    *,
    touched_line_ids: set[str],
    order_discounts_changed: bool,
    threshold_percent: int,
) -> list[str]:
    """What in this change needs a manager: overridden prices and discounts above the
    threshold, on the lines the request touched and on the order's discounts if it set them."""
    threshold = Decimal(threshold_percent)
    reasons = []
    for line in lines:
        if line.id not in touched_line_ids:
            continue
        if line.catalog_price_minor is not None:
            reasons.append(f"price override on {line.sku}")
        # Promotions are the store's own offers: only manual discounts need a manager.
        manual = line.line_discount_minor - promotion_discount_minor(line)
        if discount_needs_approval(manual, line.gross_minor, threshold):
            reasons.append(f"discount on {line.sku} above {threshold_percent} %")
    if order_discounts_changed:
        base = sum(
            line.gross_minor - line.line_discount_minor + promotion_discount_minor(line)
            for line in lines
        )
        given = sum(line.order_discount_minor for line in lines)
        if discount_needs_approval(given, base, threshold):
            reasons.append(f"order discount above {threshold_percent} %")
    return reasons


def new_order_approval_reasons(
    lines: Sequence[OrderLine], data: OrderIn, threshold_percent: int
) -> list[str]:
    """What in a new order's body needs a manager: all its lines and discounts are new."""
    return approval_reasons(
        lines,
        touched_line_ids={line.id for line in lines},
        order_discounts_changed=bool(data.discounts),
        threshold_percent=threshold_percent,
    )


async def approval_still_needed(
    session: AsyncSession,
    principal: Principal,
    reasons: list[str],
    approval: ApprovalIn | None,
) -> list[str]:
    """For a body priced but not saved: the reasons a manager must still approve (none when
    the principal may approve), after checking an approval it carries (403 if not valid)."""
    if approval is not None:
        await require_approval(session, principal, reasons, approval)
        return []
    return [] if principal.has(PERMISSION) else reasons


async def require_approval(
    session: AsyncSession,
    principal: Principal,
    reasons: list[str],
    approval: ApprovalIn | None,
) -> str | None:
    """Nothing when nothing needs approval or the principal may approve; else the approving
    employee's id, or 403 DISCOUNT_APPROVAL_REQUIRED naming what needs it."""
    if not reasons or principal.has(PERMISSION):
        return None
    details = [{"message": reason} for reason in reasons]
    if approval is None:
        raise AppError("DISCOUNT_APPROVAL_REQUIRED", details=details)
    employee = await get_by_id(session, Employee, "employee", approval.employee_id)
    pin_ok = await verify_password(employee.pin_hash if employee else None, approval.pin)
    if employee is None or not employee.active or not pin_ok:
        raise AppError(
            "DISCOUNT_APPROVAL_REQUIRED",
            "The approving employee or PIN is not valid.",
            details=details,
        )
    permissions = (
        await session.execute(select(Role.permissions).where(Role.id == employee.role_id))
    ).scalar_one_or_none() or []
    if PERMISSION not in permissions:
        raise AppError(
            "DISCOUNT_APPROVAL_REQUIRED",
            "The approving employee may not approve discounts or price overrides.",
            details=details,
        )
    return employee.id
