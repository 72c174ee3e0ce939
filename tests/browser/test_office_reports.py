"""The back office's reports in Chromium: orders sold through the API, then the sales report
(its totals row and a grouping), the CSV it downloads, the cash and inventory reports, each
figure checked against the API's answer and against what the test sold; a cashier is not
offered the section."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD, Shop, open_shop, screenshot
from tests.browser.test_office_stock import add_user
from tests.browser.test_sign_in import sign_in

# What the module sells, as (sku, unit price, quantity, tender): prices ex tax (no tax rate).
SALES = [
    ("REP-TEA", Decimal("3.50"), 2, "cash"),
    ("REP-CAKE", Decimal("4.25"), 1, "credit_card"),
    ("REP-TEA", Decimal("3.50"), 3, "credit_card"),
]
CASH_FLOAT = Decimal("100")
RECEIVED = 20  # of each product, before the sales


def sell(
    shop: Shop, register_id: str, sku: str, quantity: int, tender: str, occurred_at: str | None
) -> dict[str, Any]:
    """One order of one line, paid whole: the completed order."""
    body: dict[str, Any] = {
        "locationId": shop.location_id,
        "registerId": register_id,
        "lineItems": [{"sku": sku, "quantity": quantity}],
    }
    if occurred_at is not None:
        body["occurredAt"] = occurred_at
    order = shop.post("/v1/orders", body)
    payment: dict[str, Any] = {"tenderType": tender, "amount": order["totals"]["balanceDue"]}
    if tender == "credit_card":
        payment |= {"cardLast4": "4242", "cardBrand": "visa", "processorRef": "ch_test"}
    paid = shop.post(f"/v1/orders/{order['orderId']}/payments", payment)
    assert paid["order"]["status"] == "completed", paid
    return dict(paid["order"])


def ring_up(
    shop: Shop, sales: list[tuple[str, Decimal, int, str]], occurred_at: str | None = None
) -> str:
    """The products (each costing 1.00, ``RECEIVED`` of each in stock), a register with an open
    shift, and the sales: the register's id."""
    known = {p["sku"] for p in shop.api.get("/v1/catalog/products").json()["items"]}
    for sku, price, _, _ in sales:
        if sku not in known:
            shop.post(
                "/v1/catalog/products",
                {"name": sku.title(), "sku": sku, "price": float(price), "cost": 1.0},
            )
            known.add(sku)
            shop.post(
                "/v1/inventory/adjustments",
                {
                    "locationId": shop.location_id,
                    "reason": "received",
                    "items": [{"sku": sku, "deltaQuantity": RECEIVED}],
                },
            )
    register = shop.post(f"/v1/locations/{shop.location_id}/registers", {"name": "Reports till"})
    shop.post(f"/v1/registers/{register['registerId']}/shifts", {"openingFloat": float(CASH_FLOAT)})
    for sku, _, quantity, tender in sales:
        sell(shop, register["registerId"], sku, quantity, tender, occurred_at)
    return str(register["registerId"])


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    with open_shop(tmp_path_factory.mktemp("reports")) as opened:
        ring_up(opened, SALES)
        yield opened


def second_location(shop: Shop) -> None:
    """A back room, with no stock and no sales, beside the shop's location (once)."""
    names = [p["name"] for p in shop.api.get("/v1/locations").json()["items"]]
    if "Back Room" not in names:
        shop.post("/v1/locations", {"name": "Back Room"})


def money(page: Page, amount: Any, currency: str) -> str:
    """The amount as the browser's own Intl formats the currency (not the app's code)."""
    shown: str = page.evaluate(
        "([a, c]) => new Intl.NumberFormat(navigator.language, {style: 'currency', currency: c})"
        ".format(a)",
        [float(amount), currency],
    )
    return shown


def today() -> str:
    return datetime.now().astimezone().date().isoformat()


def open_reports(page: Page, shop: Shop, tab: str = "Sales") -> None:
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name=tab, exact=True).click()


def test_the_sales_report_shows_the_api_figures_and_downloads_them_as_csv(
    shop: Shop, page: Page, tmp_path: Path
) -> None:
    net = sum(price * quantity for _, price, quantity, _ in SALES)
    report = shop.api.get(
        "/v1/reports/daily-sales", params={"from": today(), "to": today(), "groupBy": "day"}
    ).json()
    assert Decimal(str(report["totals"]["netSales"])) == net
    assert report["totals"]["orders"] == len(SALES)
    currency = report["currency"]

    open_reports(page, shop)
    totals = page.get_by_test_id("sales-report").get_by_test_id("report-totals")
    cells = totals.get_by_role("cell")
    # Columns after the row's name: orders, net sales, units, gross sales, …
    expect(cells.nth(0)).to_have_text(str(len(SALES)))
    expect(cells.nth(1)).to_have_text(money(page, net, currency))
    expect(cells.nth(3)).to_have_text(money(page, report["totals"]["grossSales"], currency))
    [day] = report["rows"]
    expect(page.get_by_test_id("report-row")).to_have_count(1)
    expect(page.get_by_test_id("report-row").get_by_role("rowheader")).to_have_text(day["label"])
    assert serious_violations(page) == []
    screenshot(page, "office-reports-sales")
    # By keyboard: the grouping, the CSV link, then the table's scrolling region.
    page.get_by_label("Group by").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Download CSV")).to_be_focused()
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("region", name=f"Sales from {day['key']} to {day['key']}")
    ).to_be_focused()

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "sales.csv"
    downloading.value.save_as(saved)
    lines = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert [line["key"] for line in lines] == [day["key"], "total"]
    assert Decimal(lines[-1]["netSales"]) == net
    assert int(lines[-1]["orders"]) == len(SALES)

    page.get_by_label("Group by").select_option(label="Hour")
    hours = shop.api.get(
        "/v1/reports/daily-sales", params={"from": today(), "to": today(), "groupBy": "hour"}
    ).json()["rows"]
    expect(page.get_by_test_id("report-row")).to_have_count(len(hours))
    expect(page.get_by_test_id("report-row").first.get_by_role("rowheader")).to_have_text(
        hours[0]["label"]
    )


def test_the_cash_and_inventory_reports_show_the_api_figures(shop: Shop, page: Page) -> None:
    cash_sold = sum(price * quantity for _, price, quantity, tender in SALES if tender == "cash")
    cash = shop.api.get("/v1/reports/cash", params={"from": today(), "to": today()}).json()
    assert Decimal(str(cash["totals"]["expectedCash"])) == CASH_FLOAT + cash_sold
    currency = cash["currency"]

    second_location(shop)
    open_reports(page, shop, "Cash")
    rows = page.get_by_test_id("cash-report").get_by_test_id("report-row")
    expect(rows).to_have_count(len(cash["rows"]))
    totals = page.get_by_test_id("cash-report").get_by_test_id("report-totals").get_by_role("cell")
    # After the row's name: business day, status, shifts, float, cash sales, refunds, paid in,
    # paid out, expected.
    expect(totals.nth(4)).to_have_text(money(page, cash_sold, currency))
    expect(totals.nth(8)).to_have_text(money(page, CASH_FLOAT + cash_sold, currency))
    expect(rows.first).to_contain_text("Open")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Inventory", exact=True).click()
    sold_units = sum(quantity for _, _, quantity, _ in SALES)
    on_hand = RECEIVED * len({sku for sku, *_ in SALES}) - sold_units
    valuation = shop.api.get("/v1/reports/inventory-valuation").json()["totals"]
    assert valuation["quantity"] == on_hand
    assert Decimal(str(valuation["value"])) == on_hand * 1
    totals = page.get_by_test_id("valuation-report").get_by_test_id("report-totals")
    # After the row's name: location, quantity, value.
    expect(totals.get_by_role("cell").nth(1)).to_have_text(str(on_hand))
    expect(totals.get_by_role("cell").nth(2)).to_have_text(money(page, on_hand, currency))
    page.get_by_role("link", name="Stock movement", exact=True).click()
    movement = shop.api.get(
        "/v1/reports/stock-movement", params={"from": today(), "to": today()}
    ).json()
    assert movement["totals"]["sold"] == -sold_units
    table = page.get_by_test_id("movement-report")
    # With two locations, each row says where: after the item, SKU, location, opening,
    # received, sold.
    expect(table.get_by_role("columnheader").nth(2)).to_have_text("Location")
    expect(table.get_by_test_id("report-row").first.get_by_role("cell").nth(1)).to_have_text(
        shop.location_name
    )
    expect(table.get_by_test_id("report-totals").get_by_role("cell").nth(4)).to_have_text(
        f"-{sold_units}"
    )
    assert serious_violations(page) == []
    screenshot(page, "office-reports-stock-movement")
    # One location: no location column; the back room sold nothing.
    page.get_by_label("Location").select_option(label=shop.location_name)
    expect(table.get_by_role("columnheader").nth(2)).to_have_text("Opening")
    expect(table.get_by_test_id("report-totals").get_by_role("cell").nth(3)).to_have_text(
        f"-{sold_units}"
    )
    page.get_by_label("Location").select_option(label="Back Room")
    expect(page.get_by_text("Nothing to show.")).to_be_visible()
    page.get_by_label("Location").select_option(label="All locations")


def test_the_products_and_staff_reports_show_the_api_figures(shop: Shop, page: Page) -> None:
    sold: dict[str, tuple[int, Decimal]] = {}
    for sku, price, quantity, _ in SALES:
        units, amount = sold.get(sku, (0, Decimal(0)))
        sold[sku] = (units + quantity, amount + price * quantity)
    best = max(sold, key=lambda sku: sold[sku][1])
    products = shop.api.get(
        "/v1/reports/products", params={"from": today(), "to": today(), "groupBy": "variant"}
    ).json()
    assert [(r["sku"], r["unitsSold"], Decimal(str(r["netSales"]))) for r in products["rows"]] == [
        (sku, *sold[sku]) for sku in sorted(sold, key=lambda sku: -sold[sku][1])
    ]
    currency = products["currency"]

    open_reports(page, shop, "Products")
    rows = page.get_by_test_id("products-report").get_by_test_id("report-row")
    expect(rows).to_have_count(len(sold))
    # After the row's name: SKU, units sold, net sales.
    expect(rows.first.get_by_role("cell").nth(0)).to_have_text(best)
    expect(rows.first.get_by_role("cell").nth(1)).to_have_text(str(sold[best][0]))
    expect(rows.first.get_by_role("cell").nth(2)).to_have_text(money(page, sold[best][1], currency))
    page.get_by_label("Show").select_option(label="Top 10")
    expect(rows).to_have_count(len(sold))
    assert serious_violations(page) == []

    page.get_by_role("link", name="Staff", exact=True).click()
    staff = shop.api.get("/v1/reports/employees", params={"from": today(), "to": today()}).json()
    [nobody] = staff["rows"]
    assert (nobody["employeeId"], nobody["orders"]) == ("", len(SALES))
    row = page.get_by_test_id("staff-report").get_by_test_id("report-row")
    expect(row.get_by_role("rowheader")).to_have_text("No employee named")
    # After the row's name: orders, net sales.
    net = sum(price * quantity for _, price, quantity, _ in SALES)
    expect(row.get_by_role("cell").nth(0)).to_have_text(str(len(SALES)))
    expect(row.get_by_role("cell").nth(1)).to_have_text(money(page, net, currency))
    assert serious_violations(page) == []


def test_a_cashier_is_not_offered_the_reports(shop: Shop, page: Page) -> None:
    add_user(shop, "cashier", "cashier-reports@browser.example.com")
    page.goto(shop.url())
    sign_in(page, "cashier-reports@browser.example.com", OWNER_PASSWORD)
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Reports", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("dashboard-net-sales")).to_have_count(0)
    page.goto(shop.url("/app/#/reports/sales"))
    expect(page.get_by_test_id("sales-report")).to_have_count(0)
