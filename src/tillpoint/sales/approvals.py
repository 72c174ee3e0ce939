"""Manager approval at the till: price overrides and large manual discounts.

A principal holding ``orders:price_override`` approves by acting. Anyone else needs a manager
to enter their PIN on the request (``approval: {employeeId, pin}``): an active employee whose
role holds that permission. The threshold is the tenant's ``discountApprovalPercent``.

A PIN is four to six digits, so guessing one must be throttled like a register sign-in (and
with it: both count against the employee's one throttle row). The PIN a request carries is
checked first (``check_carried_approval``), before the request's own transaction writes —
the throttle commits on its own connection, which on SQLite would otherwise wait for the
request's write lock — and the services then judge that checked approval
(``require_approval``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.db import Database, get_by_id
from tillpoint.core.errors import AppError
from tillpoint.core.security import token_digest, verify_password
from tillpoint.identity.models import Role
from tillpoint.identity.throttle import begin_attempt, end_attempt
from tillpoint.sales.models import OrderLine
from tillpoint.sales.order_promotions import promotion_discount_minor
from tillpoint.sales.pricing import discount_needs_approval
from tillpoint.sales.schemas import ApprovalIn, OrderIn
from tillpoint.stores.models import Employee

PERMISSION = "orders:price_override"


@dataclass(frozen=True)
class CheckedApproval:
    """A manager's approval carried on a request, its PIN already checked and counted."""

    employee_id: str
    pin_ok: bool  # an active employee of this tenant, and their PIN
    may_approve: bool  # and their role (active) holds ``orders:price_override``


async def check_carried_approval(
    db: Database, settings: Settings, principal: Principal, approval: ApprovalIn | None
) -> CheckedApproval | None:
    """Check the PIN of the approval a request carries, through the PIN throttle (423
    ACCOUNT_LOCKED once too many were wrong); None when there is none or the principal may
    approve by acting. Call it before the request's session writes anything."""
    if approval is None or principal.has(PERMISSION):
        return None
    # Read apart from the request, like a sign-in: nothing is held while the hash runs.
    async with db.session(tenant_id=principal.tenant_id, read_only=True) as read:
        employee = await get_by_id(read, Employee, "employee", approval.employee_id)
        role = None
        if employee is not None:
            stmt = select(Role.active, Role.permissions).where(Role.id == employee.role_id)
            role = (await read.execute(stmt)).one_or_none()
    # Per employee (ids are unique across tenants), known or not: the register sign-in's key.
    attempt_key = token_digest(f"pin:{approval.employee_id}")
    await begin_attempt(db, settings, attempt_key)
    pin_ok = False
    try:
        pin_hash = employee.pin_hash if employee is not None and employee.active else None
        pin_ok = await verify_password(pin_hash, approval.pin)
    finally:
        await end_attempt(db, settings, attempt_key, failed=not pin_ok, succeeded=pin_ok)
    may_approve = pin_ok and role is not None and role.active and PERMISSION in role.permissions
    return CheckedApproval(approval.employee_id, pin_ok, may_approve)


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


def approval_still_needed(
    principal: Principal, reasons: list[str], approval: CheckedApproval | None
) -> list[str]:
    """For a body priced but not saved: the reasons a manager must still approve (none when
    the principal may approve), after judging an approval it carries (403 if not valid)."""
    if approval is not None:
        require_approval(principal, reasons, approval)
        return []
    return [] if principal.has(PERMISSION) else reasons


def require_approval(
    principal: Principal, reasons: list[str], approval: CheckedApproval | None
) -> str | None:
    """Nothing when nothing needs approval or the principal may approve; else the approving
    employee's id, or 403 DISCOUNT_APPROVAL_REQUIRED naming what needs it."""
    if not reasons or principal.has(PERMISSION):
        return None
    details = [{"message": reason} for reason in reasons]
    if approval is None:
        raise AppError("DISCOUNT_APPROVAL_REQUIRED", details=details)
    if not approval.pin_ok:
        raise AppError(
            "DISCOUNT_APPROVAL_REQUIRED",
            "The approving employee or PIN is not valid.",
            details=details,
        )
    if not approval.may_approve:
        raise AppError(
            "DISCOUNT_APPROVAL_REQUIRED",
            "The approving employee may not approve discounts or price overrides.",
            details=details,
        )
    return approval.employee_id
