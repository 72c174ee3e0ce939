"""The dashboard on Home in Chromium: orders sold today and one backdated to the same day last
week through the API, then today's net sales, orders and average ticket beside last week's,
and the charts' text alternatives, each checked against the API and against what was sold."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import DESKTOP, OWNER_EMAIL, OWNER_PASSWORD, Shop, open_shop, screenshot
from tests.browser.test_office_reports import money, ring_up, sell
from tests.browser.test_sign_in import sign_in

TODAY = [
    ("DASH-BREAD", Decimal("6.40"), 1, "credit_card"),
    ("DASH-JAM", Decimal("3.15"), 2, "cash"),
]
LAST_WEEK = [("DASH-BREAD", Decimal("6.40"), 2, "credit_card")]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    with open_shop(tmp_path_factory.mktemp("dashboard")) as opened:
        register_id = ring_up(opened, TODAY)
        week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat()
        for sku, _, quantity, tender in LAST_WEEK:
            sell(opened, register_id, sku, quantity, tender, week_ago)
        yield opened


def net(sales: list[tuple[str, Decimal, int, str]]) -> Decimal:
    return sum((price * quantity for _, price, quantity, _ in sales), Decimal(0))


def test_the_dashboard_shows_today_beside_last_week_and_charts_it(shop: Shop, page: Page) -> None:
    report: dict[str, Any] = shop.api.get("/v1/reports/daily-sales").json()
    assert Decimal(str(report["totals"]["netSales"])) == net(TODAY)
    assert report["totals"]["orders"] == len(TODAY)
    currency = report["currency"]
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)

    expect(page.get_by_test_id("dashboard-net-sales-value")).to_have_text(
        money(page, net(TODAY), currency)
    )
    expect(page.get_by_test_id("dashboard-orders-value")).to_have_text(str(len(TODAY)))
    average = (net(TODAY) / len(TODAY)).quantize(Decimal("0.01"))
    assert Decimal(str(report["totals"]["averageTicket"])) == average
    expect(page.get_by_test_id("dashboard-average-ticket-value")).to_have_text(
        money(page, average, currency)
    )
    expect(page.get_by_test_id("dashboard-net-sales")).to_contain_text(
        f"Same day last week: {money(page, net(LAST_WEEK), currency)}"
    )
    expect(page.get_by_test_id("dashboard-orders")).to_contain_text(
        f"Same day last week: {len(LAST_WEEK)}"
    )

    # The charts' accessible names sum them up: 30 days hold both days' sales, today only its.
    month = page.get_by_test_id("dashboard-30-days").get_by_role("img")
    week_ago = (date.fromisoformat(report["to"]) - timedelta(days=7)).isoformat()
    best_day, best = max((report["to"], net(TODAY)), (week_ago, net(LAST_WEEK)), key=lambda d: d[1])
    in_all = money(page, net(TODAY) + net(LAST_WEEK), currency)
    expect(month).to_have_attribute(
        "aria-label",
        f"Net sales, last 30 days: {in_all} in all; "
        f"the most, {money(page, best, currency)}, at {best_day[5:]}.",
    )
    hours = shop.api.get("/v1/reports/daily-sales", params={"groupBy": "hour"}).json()["rows"]
    [hour] = hours
    by_hour = page.get_by_test_id("dashboard-today")
    by_hour.get_by_text("Show the figures as a table").click()
    row = by_hour.get_by_role("row").filter(has=page.get_by_role("rowheader", name=hour["key"]))
    expect(row.get_by_role("cell")).to_have_text(money(page, net(TODAY), currency))
    expect(page.locator("canvas")).to_have_count(2)
    # Wider: the charts grow with the page (and no script error follows).
    narrow = month.bounding_box()
    page.set_viewport_size(DESKTOP)
    expect(page.locator("canvas")).to_have_count(2)
    page.wait_for_function(
        "(w) => document.querySelector('[data-testid=dashboard-30-days] .uplot').clientWidth > w",
        arg=narrow["width"] if narrow else 0,
    )
    assert serious_violations(page) == []
    screenshot(page, "office-dashboard")
