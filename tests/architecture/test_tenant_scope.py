"""The tenant-scope check (tests/support/tenant_scope.py) can fail: it finds unscoped Core
statements, whatever their shape, and lets scoped ones and declared cross-tenant ones pass."""

from typing import Any

from sqlalchemy import and_, delete, insert, select, text, update

from tests.support.tenant_scope import TenantScopeCheck, tenant_tables, unscoped
from tillpoint.core.db import Database, table_of
from tillpoint.inventory.models import StockLevel, StockMovement

LEVELS = table_of(StockLevel)
MOVEMENTS = table_of(StockMovement)


def flagged(statement: Any, *rows: dict[str, Any]) -> list[str]:
    return [u.table for u in unscoped(statement, list(rows), {}, tenant_tables())]


def test_tenant_owned_tables_are_the_tenant_scoped_models() -> None:
    names = {t.name for t in tenant_tables()}
    assert {"stock_levels", "orders", "products", "events"} <= names
    assert "event_counters" not in names  # keyed by tenant, but not a TenantScoped model


def test_selects() -> None:
    assert flagged(select(LEVELS.c.variant_id)) == ["stock_levels"]
    assert flagged(select(LEVELS.c.variant_id).where(LEVELS.c.tenant_id == "t")) == []
    assert flagged(select(LEVELS.c.variant_id).where(LEVELS.c.tenant_id.in_(["t", "u"]))) == []
    # A condition that does not pin tenant_id to a value is no scope.
    assert flagged(select(LEVELS).where(LEVELS.c.tenant_id != "t")) == ["stock_levels"]


def test_joins_and_subqueries() -> None:
    same_tenant = and_(
        MOVEMENTS.c.tenant_id == LEVELS.c.tenant_id,
        MOVEMENTS.c.variant_id == LEVELS.c.variant_id,
    )
    scoped_join = select(LEVELS.c.variant_id).select_from(LEVELS.join(MOVEMENTS, same_tenant))
    assert flagged(scoped_join.where(LEVELS.c.tenant_id == "t")) == []
    assert flagged(scoped_join) == ["stock_levels", "stock_movements"]
    loose_join = LEVELS.join(MOVEMENTS, MOVEMENTS.c.variant_id == LEVELS.c.variant_id)
    assert flagged(
        select(LEVELS.c.variant_id).select_from(loose_join).where(LEVELS.c.tenant_id == "t")
    ) == ["stock_movements"]
    inner = select(MOVEMENTS.c.variant_id)
    outer = select(LEVELS.c.variant_id).where(LEVELS.c.tenant_id == "t")
    assert flagged(outer.where(LEVELS.c.variant_id.in_(inner))) == ["stock_movements"]
    inner = inner.where(MOVEMENTS.c.tenant_id == "t")
    assert flagged(outer.where(LEVELS.c.variant_id.in_(inner))) == []
    alias = LEVELS.alias("other")
    assert flagged(outer.where(LEVELS.c.variant_id == alias.c.variant_id)) == ["stock_levels"]


def test_updates_deletes_and_inserts() -> None:
    assert flagged(update(LEVELS).values(on_hand_milli=0)) == ["stock_levels"]
    assert flagged(update(LEVELS).where(LEVELS.c.tenant_id == "t").values(on_hand_milli=0)) == []
    assert flagged(delete(LEVELS).where(LEVELS.c.variant_id == "v")) == ["stock_levels"]
    assert flagged(delete(LEVELS).where(LEVELS.c.tenant_id == "t")) == []
    assert flagged(insert(LEVELS).values(variant_id="v", location_id="l")) == ["stock_levels"]
    assert flagged(insert(LEVELS).values(tenant_id="t", variant_id="v", location_id="l")) == []
    # executemany: every row must name its tenant.
    assert flagged(insert(LEVELS), {"tenant_id": "t"}, {"tenant_id": "t"}) == []
    assert flagged(insert(LEVELS), {"tenant_id": "t"}, {"variant_id": "v"}) == ["stock_levels"]


def test_raw_sql_must_name_tenant_id() -> None:
    assert flagged(text("SELECT id FROM orders WHERE id = :id")) == ["orders"]
    assert flagged(text("SELECT id FROM orders WHERE tenant_id = :t AND id = :id")) == []


def test_orm_statements_are_the_sessions_to_scope_except_tables_joined_by_hand() -> None:
    assert flagged(select(StockLevel).where(StockLevel.variant_id == "v")) == []
    by_hand = select(StockLevel).join(MOVEMENTS, MOVEMENTS.c.variant_id == StockLevel.variant_id)
    assert flagged(by_hand) == ["stock_movements"]
    assert flagged(by_hand.where(MOVEMENTS.c.tenant_id == StockLevel.tenant_id)) == []


async def test_an_unscoped_statement_run_on_the_engine_is_caught(
    db: Database, tenant_scope_check: TenantScopeCheck
) -> None:
    before = tenant_scope_check.take()
    assert before == []
    async with db.session(tenant_id="some-tenant", read_only=True) as session:
        await session.execute(select(LEVELS.c.variant_id).limit(1))
        await session.execute(
            select(LEVELS.c.variant_id).where(LEVELS.c.tenant_id == "some-tenant").limit(1)
        )
        await session.execute(
            select(LEVELS.c.variant_id).limit(1).execution_options(all_tenants=True)
        )
    (found,) = tenant_scope_check.take()
    assert found.table == "stock_levels"
    assert "FROM stock_levels" in found.sql
    assert "stock_levels is not scoped to a tenant" in str(found)
