"""Loyalty points: the tenant's program, earning when an order completes, reversing pro rata
when it is refunded, manual adjustments, and a customer's balance and ledger.

Points are whole numbers. An order earns ``points_per_unit`` per currency unit of its eligible
net (lines after discounts, before tax; never gift cards, never the program's excluded
categories), rounded by the program's rule. The earn entry keeps that basis and its lines, so
a refund reverses ``earned × refunded eligible net ÷ basis`` — computed on the cumulative
refunded amount, so several partial refunds never reverse more or less than the whole. A
reversal takes what the customer still has if they have spent some of the points meanwhile:
a balance never goes below zero.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Product
from tillpoint.core.auth import Principal
from tillpoint.core.balances import BalanceLedger
from tillpoint.core.dates import add_months
from tillpoint.core.db import check_version, dialect_insert, table_of, utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.events import record_event
from tillpoint.core.money import round_to_minor
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.customers.loyalty_models import LoyaltyAccount, LoyaltyEntry, LoyaltyProgram
from tillpoint.customers.loyalty_schemas import LoyaltyProgramIn, LoyaltyProgramOut
from tillpoint.identity.service import tenant_currency_exponent

ACCOUNTS = table_of(LoyaltyAccount)
ENTRIES = table_of(LoyaltyEntry)
POINTS = BalanceLedger(ACCOUNTS, ENTRIES, "account_id", "loyalty_entry")
# The event each kind of ledger entry records.
EVENT_TYPES = {
    "earned": "loyalty.earned",
    "reversed": "loyalty.reversed",
    "redeemed": "loyalty.redeemed",
    "returned": "loyalty.returned",
    "adjusted": "loyalty.adjusted",
    "expired": "loyalty.expired",
    "merged": "loyalty.merged",
}
ROUNDINGS = {"down": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "up": ROUND_CEILING}


@dataclass(frozen=True)
class EarningLine:
    """What loyalty needs of an order line (sales, above this domain, passes it in)."""

    line_id: str
    product_id: str
    net_minor: int
    gift_card: bool = False


@dataclass(frozen=True)
class PointsChange:
    customer_id: str
    points: int
    balance: int
    entry_id: str


async def get_program(session: AsyncSession, tenant_id: str) -> LoyaltyProgram | None:
    return await session.get(LoyaltyProgram, tenant_id)


async def put_program(
    session: AsyncSession, principal: Principal, data: LoyaltyProgramIn
) -> LoyaltyProgram:
    """Set up the tenant's program, or change it (naming the version read, if given)."""
    program = await get_program(session, principal.tenant_id)
    if program is None:
        program = LoyaltyProgram(tenant_id=principal.tenant_id)
        session.add(program)
    else:
        check_version(program, data.version)
    program.name = data.name
    program.active = data.active
    program.points_per_unit = str(data.points_per_unit)
    program.point_value = str(data.point_value)
    program.rounding = data.rounding
    program.minimum_redemption = data.minimum_redemption
    program.expiry_months = data.expiry_months
    program.excluded_category_ids = sorted(set(data.excluded_category_ids))
    program.updated_at = utcnow()
    await session.flush()
    record_event(session, "loyalty.program_updated", program_json(program))
    return program


def program_json(program: LoyaltyProgram) -> dict[str, Any]:
    return LoyaltyProgramOut.model_validate(program).model_dump(mode="json", by_alias=True)


def points_for(program: LoyaltyProgram, eligible_minor: int, exponent: int) -> int:
    """What ``eligible_minor`` of spend earns under the program's rate and rounding."""
    units = Decimal(eligible_minor).scaleb(-exponent)
    exact = units * Decimal(program.points_per_unit)
    return int(exact.quantize(Decimal(1), rounding=ROUNDINGS[program.rounding]))


async def ensure_account(session: AsyncSession, tenant_id: str, customer_id: str) -> None:
    now = utcnow()
    insert = dialect_insert(session)(ACCOUNTS).values(
        tenant_id=tenant_id,
        id=customer_id,
        balance=0,
        last_activity_at=now,
        created_at=now,
        updated_at=now,
    )
    await session.execute(insert.on_conflict_do_nothing(index_elements=["tenant_id", "id"]))


async def change_points(
    session: AsyncSession,
    tenant_id: str,
    customer_id: str,
    delta: int,
    entry: dict[str, Any],
    *,
    activity: bool,
    conditions: Sequence[ColumnElement[bool]] = (),
) -> PointsChange | None:
    """Change the points by ``delta`` with its ledger entry and event; ``None`` if the
    balance would go below zero or a condition on the account row fails (nothing changed)."""
    values = {"last_activity_at": utcnow()} if activity else None
    applied = await POINTS.change(
        session,
        tenant_id,
        customer_id,
        delta,
        entry,
        account_values=values,
        conditions=conditions,
    )
    if applied is None:
        return None
    change = PointsChange(customer_id, delta, applied.balance_after, applied.entry_id)
    record_event(
        session,
        EVENT_TYPES[entry["kind"]],
        {
            "customerId": customer_id,
            "points": delta,
            "balance": applied.balance_after,
            "entryId": applied.entry_id,
            "orderId": entry.get("order_id"),
            "refundId": entry.get("refund_id"),
        },
        subject_id=customer_id,
        tenant_id=tenant_id,
    )
    return change


async def _eligible_lines(
    session: AsyncSession, program: LoyaltyProgram, lines: Sequence[EarningLine]
) -> list[EarningLine]:
    """The lines that earn: not gift cards (a liability, not a sale), not in an excluded
    category."""
    excluded = set(program.excluded_category_ids)
    product_ids = {line.product_id for line in lines}
    categories: dict[str, str | None] = {}
    if excluded and product_ids:
        rows = await session.execute(
            select(Product.id, Product.category_id).where(Product.id.in_(product_ids))
        )
        categories = {row.id: row.category_id for row in rows}
    return [
        line
        for line in lines
        if line.net_minor > 0
        and not line.gift_card
        and categories.get(line.product_id) not in excluded
    ]


async def earn_for_order(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: str,
    customer_id: str,
    order_id: str,
    lines: Sequence[EarningLine],
) -> PointsChange | None:
    """Points for a completing order of ``customer_id``, in the completion's transaction."""
    program = await get_program(session, tenant_id)
    if program is None or not program.active:
        return None
    eligible = await _eligible_lines(session, program, lines)
    basis = sum(line.net_minor for line in eligible)
    exponent = await tenant_currency_exponent(session, tenant_id)
    points = points_for(program, basis, exponent)
    if points <= 0:
        return None
    await ensure_account(session, tenant_id, customer_id)
    return await change_points(
        session,
        tenant_id,
        customer_id,
        points,
        {
            "kind": "earned",
            "order_id": order_id,
            "basis_minor": basis,
            "line_ids": [line.line_id for line in eligible],
            "reason": "",
            "created_by": f"{principal.kind}:{principal.id}",
        },
        activity=True,
    )


async def reverse_for_refund(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: str,
    order_id: str,
    refund_id: str,
    refunded_net: Mapping[str, int],
) -> PointsChange | None:
    """After a refund: ``refunded_net`` is each of the order's lines' net refunded so far
    (this refund included). Takes back the earned points in proportion to the eligible net
    refunded so far, less what earlier refunds took back."""
    earned = (
        await session.execute(
            select(LoyaltyEntry).where(
                LoyaltyEntry.order_id == order_id, LoyaltyEntry.kind == "earned"
            )
        )
    ).scalar_one_or_none()
    if earned is None or not earned.basis_minor:
        return None
    refunded = sum(refunded_net.get(line_id, 0) for line_id in earned.line_ids or ())
    share = Decimal(earned.delta) * min(refunded, earned.basis_minor) / earned.basis_minor
    due = int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    already = -await order_points(session, order_id, "reversed")
    take = due - already
    entry = {
        "kind": "reversed",
        "order_id": order_id,
        "refund_id": refund_id,
        "reason": "",
        "created_by": f"{principal.kind}:{principal.id}",
    }
    return await take_back(session, tenant_id, earned.account_id, take, entry)


async def order_points(session: AsyncSession, order_id: str, kind: str) -> int:
    """The points an order's entries of ``kind`` add up to (negative for what was taken)."""
    total = (
        await session.execute(
            select(func.coalesce(func.sum(LoyaltyEntry.delta), 0)).where(
                LoyaltyEntry.order_id == order_id, LoyaltyEntry.kind == kind
            )
        )
    ).scalar_one()
    return int(total)  # sum() of a BIGINT is NUMERIC on PostgreSQL


async def take_back(
    session: AsyncSession, tenant_id: str, customer_id: str, take: int, entry: dict[str, Any]
) -> PointsChange | None:
    """Take ``take`` points back, or what is left of them if the customer has spent some
    meanwhile: a balance never goes below zero."""
    while take > 0:
        change = await change_points(session, tenant_id, customer_id, -take, entry, activity=False)
        if change is not None:
            return change
        # The balance may move meanwhile, so ask again.
        balance = await POINTS.account_balance(session, tenant_id, customer_id) or 0
        if balance <= 0:
            return None
        take = min(take, balance)
    return None


async def adjust_points(
    session: AsyncSession, principal: Principal, customer_id: str, points: int, reason: str
) -> PointsChange:
    """A manual adjustment with its reason (permission loyalty:adjust) to the points of
    ``customer_id``, as ``customers.service.balance_holder`` resolved it."""
    await ensure_account(session, principal.tenant_id, customer_id)
    change = await change_points(
        session,
        principal.tenant_id,
        customer_id,
        points,
        {
            "kind": "adjusted",
            "reason": reason,
            "created_by": f"{principal.kind}:{principal.id}",
        },
        activity=True,
    )
    if change is None:
        balance = await POINTS.account_balance(session, principal.tenant_id, customer_id) or 0
        raise AppError(
            "LOYALTY_INSUFFICIENT_POINTS",
            details=[{"field": "points", "message": f"the balance is {balance} points"}],
        )
    return change


async def account_of(
    session: AsyncSession, tenant_id: str, customer_id: str
) -> LoyaltyAccount | None:
    return await session.get(LoyaltyAccount, (tenant_id, customer_id))


async def entries_of(
    session: AsyncSession, customer_id: str, paging: PageParams
) -> tuple[list[LoyaltyEntry], int]:
    """The ledger, newest first (ties by id), with ``updatedFrom/To`` on the entry's time."""
    stmt = paging.filter_updated(
        select(LoyaltyEntry).where(LoyaltyEntry.account_id == customer_id),
        LoyaltyEntry.created_at,
    )
    return await paginate(
        session,
        stmt,
        LoyaltyEntry.created_at.desc(),
        LoyaltyEntry.id.desc(),
        offset=paging.offset,
        limit=paging.page_size,
    )


def expires_at(program: LoyaltyProgram | None, account: LoyaltyAccount) -> datetime | None:
    if program is None or program.expiry_months is None or account.balance <= 0:
        return None
    return add_months(account.last_activity_at, program.expiry_months)


async def customer_points(
    session: AsyncSession, principal: Principal, customer_id: str, paging: PageParams
) -> dict[str, Any]:
    """A customer's balance (``customer_id`` as ``balance_holder`` resolved it), what it is
    worth, when it expires, and a page of the ledger."""
    program = await get_program(session, principal.tenant_id)
    account = await account_of(session, principal.tenant_id, customer_id)
    entries, total = await entries_of(session, customer_id, paging)
    balance = account.balance if account is not None else 0
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    value = Decimal(0)
    if program is not None:
        value = Decimal(round_to_minor(balance * Decimal(program.point_value).scaleb(exponent)))
    return {
        "customer_id": customer_id,
        "balance": balance,
        "value": value.scaleb(-exponent),
        "last_activity_at": account.last_activity_at if account is not None else None,
        "expires_at": expires_at(program, account) if account is not None else None,
        "entries": paging.page_of(entries, total),
    }
