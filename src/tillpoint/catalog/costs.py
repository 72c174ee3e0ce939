"""The history of what each variant costs: a ``variant_costs`` row whenever a variant's
effective cost — its own ``cost_minor``, or its product's when it has none — changes, written
in the transaction that changes it. Inventory valuation as of a past moment multiplies the
ledger's quantity by the row in force then (ADR 0016).

Only a real change writes: a product's new cost reaches the variants without a cost of their
own, a variant's new cost counts only if its effective cost moves. A new variant starts its
history with the cost it is created with (none is a row too: "unknown from then on").
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Variant, VariantCost
from tillpoint.core.db import dialect_insert, table_of

_COSTS: Table = table_of(VariantCost)


@dataclass(frozen=True)
class CostChange:
    variant_id: str
    cost_minor: int | None
    at: datetime


def effective_cost(variant_cost: int | None, product_cost: int | None) -> int | None:
    """What a variant costs: its own cost, else its product's."""
    return product_cost if variant_cost is None else variant_cost


def costs_of_new(
    product: Mapping[str, Any], variants: Iterable[Mapping[str, Any]]
) -> list[CostChange]:
    """The first row of each new variant (rows as ``service.build_product`` makes them),
    effective from its creation."""
    return [
        CostChange(v["id"], effective_cost(v["cost_minor"], product["cost_minor"]), v["created_at"])
        for v in variants
    ]


async def record_costs(
    session: AsyncSession, tenant_id: str, changes: Iterable[CostChange]
) -> None:
    """One multi-row write. Two changes of one variant at the same instant keep the last: the
    row says what it cost from then on."""
    last = {(c.variant_id, c.at): c.cost_minor for c in changes}
    if not last:
        return
    rows = [
        {"tenant_id": tenant_id, "variant_id": variant_id, "effective_at": at, "cost_minor": cost}
        for (variant_id, at), cost in last.items()
    ]
    stmt = dialect_insert(session)(_COSTS)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "variant_id", "effective_at"],
            set_={"cost_minor": stmt.excluded.cost_minor},
        ),
        rows,
    )


async def record_product_cost_change(
    session: AsyncSession,
    tenant_id: str,
    product_id: str,
    before: int | None,
    after: int | None,
    at: datetime,
) -> None:
    """A product's cost went from ``before`` to ``after``: its variants without a cost of their
    own now cost ``after``."""
    if before == after:
        return
    inherit = select(Variant.id).where(
        Variant.product_id == product_id, Variant.cost_minor.is_(None)
    )
    ids = (await session.execute(inherit)).scalars().all()
    await record_costs(session, tenant_id, [CostChange(i, after, at) for i in ids])


async def record_variant_cost_change(
    session: AsyncSession,
    tenant_id: str,
    variant_id: str,
    product_cost: int | None,
    before: int | None,
    after: int | None,
    at: datetime,
) -> None:
    """A variant's own cost went from ``before`` to ``after`` (None: its product's)."""
    old, new = effective_cost(before, product_cost), effective_cost(after, product_cost)
    if old != new:
        await record_costs(session, tenant_id, [CostChange(variant_id, new, at)])
