"""Store credit's part of ``customers.records``: a merge moves the merged-away customer's
credit to the survivor (an entry out of one account, one into the other), and an export shows
the person's balance and history."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.money import from_minor
from tillpoint.core.schemas import json_number, utc_z
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.storecredit.models import STORE_CREDIT_LEDGER, StoreCreditAccount, StoreCreditEntry
from tillpoint.storecredit.service import change_credit


class StoreCreditRecords:
    section = "storeCredit"

    async def move(
        self, session: AsyncSession, principal: Principal, from_id: str, to_id: str
    ) -> int:
        balance = await STORE_CREDIT_LEDGER.account_balance(session, principal.tenant_id, from_id)
        if not balance:
            return 0
        await change_credit(
            session, principal, from_id, -balance, "merged", note=f"merged into {to_id}"
        )
        await change_credit(
            session, principal, to_id, balance, "merged", note=f"merged from {from_id}"
        )
        return 1

    async def export(
        self, session: AsyncSession, principal: Principal, customer_ids: Sequence[str]
    ) -> dict[str, Any]:
        exponent = await tenant_currency_exponent(session, principal.tenant_id)
        accounts = (
            await session.execute(
                select(StoreCreditAccount).where(StoreCreditAccount.id.in_(customer_ids))
            )
        ).scalars()
        entries = (
            await session.execute(
                select(StoreCreditEntry)
                .where(StoreCreditEntry.customer_id.in_(customer_ids))
                .order_by(StoreCreditEntry.id)
            )
        ).scalars()
        return {
            "balances": {
                a.id: json_number(from_minor(a.balance_minor, exponent)) for a in accounts
            },
            "entries": [
                {
                    "customerId": e.customer_id,
                    "amount": json_number(from_minor(e.delta, exponent)),
                    "reason": e.reason,
                    "orderId": e.order_id,
                    "createdAt": utc_z(e.created_at),
                }
                for e in entries
            ],
        }
