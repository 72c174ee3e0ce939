"""What the demo's sales history works from: the stores as the plan sees them (read from the
demo catalog), the orders customers may bring things back from, and — demo only — the rewrite
of service timestamps onto the business day they belong to."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import ModifierGroup, Product, Variant
from tillpoint.core.db import table_of
from tillpoint.demo.catalog_data import BOTH, CAFE, MADE, SHOP, SIMPLE_LINES, VARIANT_LINES
from tillpoint.demo.sales_plan import ModifierChoice, Sellable, Store
from tillpoint.inventory.models import StockMovement
from tillpoint.sales.models import Order, Payment, Refund, Shift, ShiftCashMovement
from tillpoint.stores.models import Employee, Location, Register

WHERE = {line[1]: line[3] for line in VARIANT_LINES} | {line[1]: line[3] for line in SIMPLE_LINES}
KIND = {"ESP": "drink", "TEA": "drink", "PST": "pastry", "BTL": "cold", "LB": "weight"}


@dataclass
class Sold:
    """A completed order customers may bring things back from: its lines' ids, variants and
    what is left to return of each."""

    order_id: str
    day: date
    lines: list[tuple[str, str, Decimal, bool]]  # line id, variant id, left, sold by unit


@dataclass
class Backdates:
    """Demo only: the business-day times of rows the services stamped with the current time
    (shifts, payments, refunds, completions, voids, cash movements; the ledger's occurredAt of
    restocks), written by primary key at the end of the day's transaction. The services take
    no past time for these on purpose; a real till never backdates them. Events and the
    ledger's recordedAt keep the time the demo was seeded."""

    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    movements: list[tuple[str, str, datetime]] = field(default_factory=list)

    def set(self, model: Any, row_id: str, **values: Any) -> None:
        self.rows.setdefault((model.__tablename__, row_id), {}).update(values)

    async def apply(self, session: AsyncSession, tenant_id: str) -> None:
        tables = {m.__tablename__: table_of(m) for m in (Order, Payment, Refund, Shift)}
        tables[ShiftCashMovement.__tablename__] = table_of(ShiftCashMovement)
        groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        for (name, row_id), values in self.rows.items():
            key = (name, tuple(sorted(values)))
            groups.setdefault(key, []).append(
                {"b_id": row_id, **{f"b_{k}": v for k, v in values.items()}}
            )
        for (name, columns), params in groups.items():
            table = tables[name]
            stmt = (
                update(table)
                .where(table.c.tenant_id == tenant_id, table.c.id == bindparam("b_id"))
                .values({c: bindparam(f"b_{c}") for c in columns})
            )
            await session.execute(stmt, params)
        movements = table_of(StockMovement)
        for reference_id, reason, at in self.movements:
            await session.execute(
                update(movements)
                .where(
                    movements.c.tenant_id == tenant_id,
                    movements.c.reference_id == reference_id,
                    movements.c.reason == reason,
                )
                .values(occurred_at=at)
            )


async def load_stores(session: AsyncSession, shop_id: str, cafe_id: str) -> dict[str, Store]:
    groups = {
        g.id: ModifierChoice(
            g.name, g.min_selections, g.max_selections, tuple(o["id"] for o in g.options)
        )
        for g in (await session.execute(select(ModifierGroup))).scalars()
    }
    rows = await session.execute(
        select(
            Variant.id,
            Variant.sku,
            Variant.product_id,
            Variant.price_minor,
            Product.price_minor,
            Product.modifier_group_ids,
        )
        .join(Product, Product.id == Variant.product_id)
        .where(~(Variant.is_default & Product.has_variants), Product.gift_card.is_(False))
        .order_by(Variant.sku)
    )
    sold_at: dict[str, list[Sellable]] = {SHOP: [], CAFE: []}
    for variant_id, sku, product_id, price, product_price, group_ids in rows:
        prefix = sku.split("-")[1]
        item = Sellable(
            variant_id,
            sku,
            product_id,
            Decimal(price if price is not None else product_price) / 100,
            KIND.get(prefix, "card" if prefix == "CRD" else "retail"),
            tuple(groups[g] for g in group_ids),
        )
        where = WHERE[prefix]
        for place in (SHOP, CAFE):
            if where in (place, BOTH) or where == MADE and place == CAFE:
                sold_at[place].append(item)
    registers: dict[str, list[str]] = {}
    for register in (
        await session.execute(select(Register).order_by(Register.created_at, Register.id))
    ).scalars():
        registers.setdefault(register.location_id, []).append(register.id)
    staff: dict[str, list[str]] = {shop_id: [], cafe_id: []}
    for employee in (await session.execute(select(Employee).order_by(Employee.id))).scalars():
        for location_id in employee.location_ids or [shop_id, cafe_id]:
            staff[location_id].append(employee.id)
    zones = dict((await session.execute(select(Location.id, Location.timezone))).all())
    front, fitting = registers[shop_id]
    return {
        shop_id: Store(
            shop_id,
            zones[shop_id],
            time(10),
            time(20),
            Decimal(200),
            False,
            ((front, 3, 6), (fitting, 1, 3)),
            tuple(staff[shop_id]),
            tuple(sold_at[SHOP]),
        ),
        cafe_id: Store(
            cafe_id,
            zones[cafe_id],
            time(7),
            time(17),
            Decimal(150),
            True,
            ((registers[cafe_id][0], 8, 12),),
            tuple(staff[cafe_id]),
            tuple(sold_at[CAFE]),
        ),
    }
