"""What other domains hold about a customer, plugged into merges and exports.

A customer's orders live in sales, and their store credit, loyalty points and gift cards in
their own modules; a merge must move them to the survivor and an export must show them. Each
such domain implements ``CustomerRecords`` and ``create_app`` lists the implementations on
``app.state.customer_records`` (ADR 0008: a higher domain is passed in, never imported). A
merge calls every ``move`` in list order inside its transaction; an export puts each one's
``export`` under its ``section`` key (``orders``, ``storeCredit``, ``loyalty``, ``giftCards``).
Balances move through ``core.balances.BalanceLedger`` in their ``move``, never by editing rows.
"""

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal


class CustomerRecords(Protocol):
    @property
    def section(self) -> str:
        """The export's key for these records (camelCase)."""
        ...

    async def move(
        self, session: AsyncSession, principal: Principal, from_id: str, to_id: str
    ) -> int:
        """Move everything of customer ``from_id`` to ``to_id`` (a merge); returns how many
        records moved."""
        ...

    async def export(
        self, session: AsyncSession, principal: Principal, customer_ids: Sequence[str]
    ) -> Any:
        """Everything held about the person known by ``customer_ids`` (the customer and those
        merged into it), as JSON."""
        ...


RecordsList = Sequence[CustomerRecords]
