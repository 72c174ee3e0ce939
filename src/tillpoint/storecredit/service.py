"""Store credit: issued by refunds or by hand, spent as a tender, given back by refunds and
voids of what it paid; the balance and its history per customer.

Every change goes through ``STORE_CREDIT_LEDGER.change`` in the caller's transaction and
records a ``store_credit.*`` event with the customer's balance and the ledger entry.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import dialect_insert, utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.events import record_event
from tillpoint.core.money import from_minor, minor_units
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.core.schemas import json_number
from tillpoint.customers.service import balance_holder
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.storecredit.models import (
    STORE_CREDIT_LEDGER,
    EntryReason,
    StoreCreditEntry,
)
from tillpoint.storecredit.schemas import StoreCreditAdjustIn, StoreCreditEntryOut

EVENTS: dict[EntryReason, str] = {
    "issued": "store_credit.issued",
    "spent": "store_credit.spent",
    "refunded": "store_credit.refunded",
    "adjusted": "store_credit.adjusted",
    "merged": "store_credit.merged",
}
_ACCOUNTS = STORE_CREDIT_LEDGER.accounts


async def known_customer(session: AsyncSession, customer_id: str) -> str:
    """The customer holding the credit ``customer_id`` names (a merged-away id: its survivor);
    404 for no customer of the tenant."""
    return await balance_holder(session, customer_id)


async def _open_account(session: AsyncSession, tenant_id: str, customer_id: str) -> None:
    now = utcnow()
    await session.execute(
        dialect_insert(session)(_ACCOUNTS)
        .values(
            tenant_id=tenant_id, id=customer_id, balance_minor=0, created_at=now, updated_at=now
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "id"])
    )


async def change_credit(
    session: AsyncSession,
    principal: Principal,
    customer_id: str,
    delta: int,
    reason: EntryReason,
    *,
    field: str = "amount",
    note: str | None = None,
    order_id: str | None = None,
    payment_id: str | None = None,
    refund_id: str | None = None,
) -> dict[str, Any]:
    """Change the customer's credit by ``delta`` (an account is opened on the first credit);
    taking more than the balance is 409 STORE_CREDIT_INSUFFICIENT_BALANCE and changes
    nothing. Returns the entry as the API shows it."""
    tenant = principal.tenant_id
    if delta > 0:
        await _open_account(session, tenant, customer_id)
    entry: dict[str, Any] = {
        "reason": reason,
        "note": note,
        "order_id": order_id,
        "payment_id": payment_id,
        "refund_id": refund_id,
        "created_by": f"{principal.kind}:{principal.id}",
    }
    change = await STORE_CREDIT_LEDGER.change(session, tenant, customer_id, delta, entry)
    if change is None:
        balance = await STORE_CREDIT_LEDGER.account_balance(session, tenant, customer_id) or 0
        raise AppError(
            "STORE_CREDIT_INSUFFICIENT_BALANCE",
            details=[{"field": field, "message": f"the customer holds {balance} minor units"}],
        )
    exponent = await tenant_currency_exponent(session, tenant)
    out = STORE_CREDIT_LEDGER.money_entry_out(
        {
            **entry,
            "id": change.entry_id,
            "customer_id": customer_id,
            "delta": delta,
            "balance_after": change.balance_after,
            "created_at": utcnow(),
        },
        exponent,
    )
    record_event(
        session,
        EVENTS[reason],
        {
            "customerId": customer_id,
            "balance": json_number(from_minor(change.balance_after, exponent)),
            "entry": StoreCreditEntryOut.model_validate(out).model_dump(mode="json", by_alias=True),
        },
        subject_id=customer_id,
    )
    return out


async def adjust(
    session: AsyncSession, principal: Principal, customer_id: str, data: StoreCreditAdjustIn
) -> dict[str, Any]:
    """Issue (positive) or take back (negative) credit by hand, with a reason."""
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    amount = minor_units(data.amount, exponent, "amount")
    entry = await change_credit(
        session, principal, customer_id, amount, "adjusted", note=data.reason
    )
    return {
        "customer_id": customer_id,
        "balance": entry["balance_after"],
        "entry": entry,
    }


async def show_credit(
    session: AsyncSession, principal: Principal, customer_id: str, params: PageParams
) -> dict[str, Any]:
    """The balance (0 without an account) and a page of its history, oldest first."""
    tenant = principal.tenant_id
    balance = await STORE_CREDIT_LEDGER.account_balance(session, tenant, customer_id) or 0
    stmt = params.filter_updated(
        select(StoreCreditEntry).where(StoreCreditEntry.customer_id == customer_id),
        StoreCreditEntry.created_at,
    )
    entries, total = await paginate(
        session, stmt, StoreCreditEntry.id, offset=params.offset, limit=params.page_size
    )
    exponent = await tenant_currency_exponent(session, tenant)
    return {
        "customer_id": customer_id,
        "balance": from_minor(balance, exponent),
        **params.page_of(
            [STORE_CREDIT_LEDGER.money_entry_out(e, exponent) for e in entries], total
        ),
    }
