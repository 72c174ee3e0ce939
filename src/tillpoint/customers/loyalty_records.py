"""Loyalty's part of ``customers.records``: a merge moves the merged-away customer's points
to the survivor, and an export shows the person's balance and ledger."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.schemas import utc_z
from tillpoint.customers.loyalty import POINTS, change_points, ensure_account
from tillpoint.customers.loyalty_models import LoyaltyAccount, LoyaltyEntry


class LoyaltyRecords:
    """Points move as two ledger entries (out of one account, into the other), so both
    ledgers keep summing to their balances; the history stays with the account it happened on."""

    section = "loyalty"

    async def move(
        self, session: AsyncSession, principal: Principal, from_id: str, to_id: str
    ) -> int:
        tenant_id = principal.tenant_id
        balance = await POINTS.account_balance(session, tenant_id, from_id)
        if not balance:
            return 0
        by = f"{principal.kind}:{principal.id}"
        taken = await change_points(
            session,
            tenant_id,
            from_id,
            -balance,
            {"kind": "merged", "reason": f"merged into {to_id}", "created_by": by},
            activity=False,
        )
        if taken is None:  # the rows are locked by the merge; the balance cannot have moved
            raise RuntimeError("a merged-away customer's points changed during the merge")
        await ensure_account(session, tenant_id, to_id)
        await change_points(
            session,
            tenant_id,
            to_id,
            balance,
            {"kind": "merged", "reason": f"merged from {from_id}", "created_by": by},
            activity=True,
        )
        return 1

    async def export(
        self, session: AsyncSession, principal: Principal, customer_ids: Sequence[str]
    ) -> dict[str, Any]:
        del principal
        accounts = (
            await session.execute(select(LoyaltyAccount).where(LoyaltyAccount.id.in_(customer_ids)))
        ).scalars()
        entries = (
            await session.execute(
                select(LoyaltyEntry)
                .where(LoyaltyEntry.account_id.in_(customer_ids))
                .order_by(LoyaltyEntry.created_at, LoyaltyEntry.id)
            )
        ).scalars()
        return {
            "balances": {a.id: a.balance for a in accounts},
            "entries": [
                {
                    "customerId": e.account_id,
                    "points": e.delta,
                    "balanceAfter": e.balance_after,
                    "type": e.kind,
                    "orderId": e.order_id,
                    "createdAt": utc_z(e.created_at),
                }
                for e in entries
            ],
        }
