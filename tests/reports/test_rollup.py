"""The sales rollup: the background job catches every tenant up, and rollups running at
once never count an event twice (they take the cursor's row in turn)."""

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from tests.support.sales import make_shop
from tests.support.server import cli_env, run_cli
from tests.support.tenants import TenantFixture
from tillpoint.core.db import Database
from tillpoint.core.jobs import JobContext
from tillpoint.core.jobs.registry import RECURRING
from tillpoint.core.transactions import transaction
from tillpoint.reports.models import ReportCursor, SalesSummary
from tillpoint.reports.rollup import SALES, catch_up
from tillpoint.reports.rollup_job import ROLLUP, roll_up_sales


async def summed_orders(db: Database, tenant_id: str, location_id: str) -> int:
    async with db.session(tenant_id=tenant_id, read_only=True) as session:
        stmt = select(func.coalesce(func.sum(SalesSummary.order_count), 0)).where(
            SalesSummary.tenant_id == tenant_id, SalesSummary.location_id == location_id
        )
        return int((await session.execute(stmt)).scalar_one())


async def test_the_background_job_catches_every_tenant_up(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    assert ROLLUP in RECURRING
    till = await make_shop(client, tenant)
    sku = await till.product("Jar", 6)
    for _ in range(3):
        await till.sell(till.line(sku))
    assert await summed_orders(db, tenant.id, till.location_id) == 0  # nothing read them yet
    # A run stops after a few seconds (the test database holds every earlier test's tenants):
    # runs follow one another until every tenant is caught up.
    for _ in range(100):
        await roll_up_sales(JobContext(None, "rollup", None, 1, db), {})
        if await summed_orders(db, tenant.id, till.location_id) == 3:
            break
    assert await summed_orders(db, tenant.id, till.location_id) == 3
    async with db.session(tenant_id=tenant.id, read_only=True) as session:
        stmt = select(ReportCursor.last_seq).where(
            ReportCursor.tenant_id == tenant.id, ReportCursor.name == SALES
        )
        cursor = (await session.execute(stmt)).scalar_one()
    await roll_up_sales(JobContext(None, "rollup", None, 1, db), {})  # nothing new: no change
    assert await summed_orders(db, tenant.id, till.location_id) == 3
    report = await till.get("/v1/reports/daily-sales", locationId=till.location_id)
    assert report["totals"]["orders"] == 3
    assert cursor > 0


async def test_rollups_at_once_count_each_sale_once(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    till = await make_shop(client, tenant)
    sku = await till.product("Bowl", 9)
    for _ in range(5):
        await till.sell(till.line(sku))
    await asyncio.gather(*(catch_up(db, tenant.id) for _ in range(4)))
    assert await summed_orders(db, tenant.id, till.location_id) == 5
    await asyncio.gather(
        till.sell(till.line(sku)), catch_up(db, tenant.id), catch_up(db, tenant.id)
    )
    await catch_up(db, tenant.id)
    assert await summed_orders(db, tenant.id, till.location_id) == 6


@pytest.fixture
def sqlite_only(dialect: str) -> None:
    if dialect != "sqlite":
        pytest.skip("the CLI test runs once, on the SQLite database")


@pytest.mark.usefixtures("sqlite_only")
async def test_the_cli_rebuilds_the_summaries_from_the_events(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    db: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    till = await make_shop(client, tenant)
    sku = await till.product("Cup", 3)
    for _ in range(2):
        await till.sell(till.line(sku))
    await catch_up(db, tenant.id)
    async with transaction(db, tenant_id=tenant.id) as session:  # a summary gone wrong
        await session.execute(
            update(SalesSummary).where(SalesSummary.tenant_id == tenant.id).values(order_count=99)
        )
    env = cli_env(database_url, tmp_path)
    rebuilt = run_cli(env, "reports", "rebuild", "--tenant-id", tenant.id)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Rebuilt the summaries from 2 sales events" in rebuilt.stdout
    assert await summed_orders(db, tenant.id, till.location_id) == 2
