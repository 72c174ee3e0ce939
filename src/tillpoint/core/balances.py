"""Stored value: a balance kept on one row and every change to it as one ledger entry.

Loyalty points, store credit and gift cards all hold value for someone. Each keeps its balance
on an account row and appends one entry per change to its own ledger table; ``BalanceLedger``
changes both in the caller's transaction:

1. one atomic, self-checking ``UPDATE accounts SET balance = balance + :delta WHERE <the
   account> AND balance + :delta >= 0 RETURNING balance`` — never load-modify-save. Two tills
   spending the same balance at once cannot take it below zero: the second UPDATE waits for the
   first's row lock (PostgreSQL) or the database's write lock (SQLite, ``BEGIN IMMEDIATE``),
   then re-evaluates its condition against the committed balance and matches no row;
2. the ledger entry, carrying ``delta`` and ``balance_after`` (the balance the UPDATE
   returned), so the ledger sums to the balance and each entry shows the running balance.

A change that would go below zero, or names no account of the tenant, changes nothing and
returns ``None``; the domain says which it was (``account_balance``) and raises its own error.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.db import utcnow
from tillpoint.core.ids import new_id
from tillpoint.core.money import from_minor


@dataclass(frozen=True)
class BalanceChange:
    entry_id: str
    delta: int
    balance_after: int


# Entry columns money_entry_out shows under other names, or not at all.
_SHOWN_APART = frozenset({"tenant_id", "id", "delta", "balance_after"})


@dataclass(frozen=True)
class BalanceLedger:
    """An account table and its ledger table.

    ``accounts`` has ``tenant_id``, ``id``, ``updated_at`` and the ``balance`` column;
    ``entries`` has ``tenant_id``, ``id``, ``account_column`` (the account's id), ``delta``,
    ``balance_after`` and ``created_at``, plus whatever the domain records (reason, order…).
    """

    accounts: Table
    entries: Table
    account_column: str
    entry_kind: str  # the ids.PREFIXES key of an entry
    balance: str = "balance"

    def money_entry_out(self, entry: Any, exponent: int) -> dict[str, Any]:
        """An entry of a ledger kept in minor units (a row or its values) as the API shows it:
        ``entry_id``, ``amount`` and ``balance_after`` in major units, and every other column
        the domain records (the account's id, reason, order…)."""
        row: Mapping[str, Any] = entry if isinstance(entry, Mapping) else vars(entry)
        out = {
            "entry_id": row["id"],
            "amount": from_minor(row["delta"], exponent),
            "balance_after": from_minor(row["balance_after"], exponent),
        }
        for column in self.entries.c:
            if column.name not in _SHOWN_APART:
                out[column.name] = row[column.name]
        return out

    async def change(
        self,
        session: AsyncSession,
        tenant_id: str,
        account_id: str,
        delta: int,
        entry: Mapping[str, Any],
        *,
        conditions: Sequence[ColumnElement[bool]] = (),
        account_values: Mapping[str, Any] | None = None,
    ) -> BalanceChange | None:
        """Add ``delta`` (negative to spend) and record ``entry``; ``None`` if the account is
        missing, the balance would go below zero or one of ``conditions`` (more of the account
        row's state, checked in the same UPDATE) does not hold — then nothing changed.
        ``account_values`` are set on the account row by the same UPDATE."""
        column = self.accounts.c[self.balance]
        now = utcnow()
        balance_after = (
            await session.execute(
                update(self.accounts)
                .where(
                    self.accounts.c.tenant_id == tenant_id,
                    self.accounts.c.id == account_id,
                    column + delta >= 0,
                    *conditions,
                )
                .values({**(account_values or {}), self.balance: column + delta, "updated_at": now})
                .returning(column)
            )
        ).scalar_one_or_none()
        if balance_after is None:
            return None
        entry_id = new_id(self.entry_kind)
        await session.execute(
            self.entries.insert().values(
                {
                    **entry,
                    "tenant_id": tenant_id,
                    "id": entry_id,
                    self.account_column: account_id,
                    "delta": delta,
                    "balance_after": balance_after,
                    "created_at": now,
                }
            )
        )
        return BalanceChange(entry_id, delta, balance_after)

    async def account_balance(
        self, session: AsyncSession, tenant_id: str, account_id: str
    ) -> int | None:
        """The balance as this transaction sees it, ``None`` for no such account."""
        return (
            await session.execute(
                select(self.accounts.c[self.balance]).where(
                    self.accounts.c.tenant_id == tenant_id, self.accounts.c.id == account_id
                )
            )
        ).scalar_one_or_none()

    async def ledger_sum(self, session: AsyncSession, tenant_id: str, account_id: str) -> int:
        """What the ledger adds up to for one account (the invariant: equal to the balance)."""
        total = (
            await session.execute(
                select(func.coalesce(func.sum(self.entries.c.delta), 0)).where(
                    self.entries.c.tenant_id == tenant_id,
                    self.entries.c[self.account_column] == account_id,
                )
            )
        ).scalar_one()
        return int(total)
