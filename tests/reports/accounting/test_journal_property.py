"""Property, on both databases: for any mix of sales over several days (discounts, tips,
split tenders, gift cards sold and spent, refunds, voids, exchanges, any timezone), every
day's journal balances with nothing unreconciled — the tenders taken equal what they paid
for — and its sales, tax and tips lines equal the daily sales report's figures for that day."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reports.test_daily_sales_property import ZONES, money, open_shop, operations, run
from tests.support.tenants import TenantFixture


def _credit_minus_debit(journal: dict[str, Any], key: str, prefix: str = "") -> Decimal:
    total = Decimal(0)
    for line in journal["lines"]:
        if line["accountKey"] == key and line["description"].startswith(prefix):
            total += money(line["credit"] or 0) - money(line["debit"] or 0)
    return total


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(ops=operations, zone=st.sampled_from(ZONES), inclusive=st.booleans())
async def test_every_day_balances_with_nothing_unreconciled(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    ops: list[tuple[Any, ...]],
    zone: str,
    inclusive: bool,
) -> None:
    shop = await open_shop(client, tenant, zone, inclusive)
    codes: list[str] = []
    for op in ops:
        await run(shop, op, codes)
    till = shop.till
    today = datetime.now(shop.zone).date()
    for days_ago in range(4):
        day = (today - timedelta(days=days_ago)).isoformat()
        journal = await till.get("/v1/accounting/journal", date=day, locationId=till.location_id)
        assert journal["unreconciledDifference"] == 0, (day, journal["lines"])
        assert money(journal["totalDebit"]) == money(journal["totalCredit"])
        assert sum(money(x["debit"] or 0) for x in journal["lines"]) == money(journal["totalDebit"])
        report = await till.get(
            "/v1/reports/daily-sales", locationId=till.location_id, **{"from": day, "to": day}
        )
        figures = report["totals"]
        assert _credit_minus_debit(journal, "sales", "Sales: ") == money(figures["netSales"])
        assert _credit_minus_debit(journal, "salesTaxPayable") == money(figures["tax"] or 0)
        assert _credit_minus_debit(journal, "tipsPayable") == money(figures["tips"] or 0)
