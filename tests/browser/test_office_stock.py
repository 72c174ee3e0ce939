"""The back office's stock pages in Chromium, as a store manager uses them on a tablet: levels
at a location with search and the low-stock filter, an adjustment with its reason, a count
taken by scanning (a keyboard-wedge burst) and committed, and a transfer shipped and received;
each checked on the server."""

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD, Shop, screenshot, wedge_scan
from tests.browser.test_sign_in import sign_in

PENCILS_BARCODE = "4006381333931"


def product(shop: Shop, name: str, sku: str, barcode: str | None = None) -> str:
    shop.post("/v1/catalog/products", {"name": name, "sku": sku, "price": 2.5, "barcode": barcode})
    return sku


def stock(
    shop: Shop, location_id: str, sku: str, quantity: float, reorder: float | None = None
) -> None:
    shop.post(
        "/v1/inventory/adjustments",
        {
            "locationId": location_id,
            "reason": "received",
            "items": [{"sku": sku, "deltaQuantity": quantity}],
        },
    )
    if reorder is not None:
        set_to = {"locationId": location_id, "sku": sku, "reorderPoint": reorder}
        assert shop.api.put("/v1/inventory/levels", json=set_to).status_code == 200


def level(shop: Shop, location_id: str, sku: str) -> dict[str, Any]:
    found = shop.api.get("/v1/inventory/levels", params={"locationId": location_id, "sku": sku})
    [row] = found.json()["items"]
    return dict(row)


def open_stock(page: Page, shop: Shop, tab: str = "Levels") -> None:
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    page.get_by_role("link", name="Stock", exact=True).click()
    page.get_by_role("link", name=tab, exact=True).click()


def test_levels_search_the_low_stock_filter_and_an_adjustment(shop: Shop, page: Page) -> None:
    oat = product(shop, "Oat milk", "OAT-MILK")
    rye = product(shop, "Rye bread", "RYE-LOAF")
    stock(shop, shop.location_id, oat, 2, reorder=5)
    stock(shop, shop.location_id, rye, 20, reorder=5)
    open_stock(page, shop)
    rows = page.get_by_test_id("stock-level")
    expect(rows.filter(has_text="Rye bread")).to_be_visible()

    page.get_by_label("Only low stock").check()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Oat milk")
    expect(rows.first).to_contain_text("Low")
    page.get_by_label("Only low stock").uncheck()

    page.get_by_label("Search by name or SKU").fill("oat")
    expect(rows).to_have_count(1)
    assert serious_violations(page) == []
    screenshot(page, "office-stock-levels")

    page.get_by_role("button", name="Adjust Oat milk").click()
    page.get_by_label("Change in quantity").fill("10")
    page.get_by_label("Reason").select_option(label="Received")
    page.get_by_label("Notes (optional)").fill("Morning delivery")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save").click()
    expect(rows.first.get_by_role("cell").nth(1)).to_have_text("12")

    assert level(shop, shop.location_id, oat)["onHand"] == 12
    adjustments = shop.api.get(
        "/v1/inventory/adjustments", params={"locationId": shop.location_id, "pageSize": 200}
    ).json()["items"]
    made = [a for a in adjustments if a["notes"] == "Morning delivery"]
    assert [(a["reason"], a["items"][0]["sku"], a["items"][0]["deltaQuantity"]) for a in made] == [
        ("received", oat, 10)
    ]


def test_a_count_taken_by_scanning_is_committed(shop: Shop, page: Page) -> None:
    pencils = product(shop, "Pencils", "PENCIL-HB", PENCILS_BARCODE)
    notebooks = product(shop, "Notebooks", "NOTEBOOK-A")
    stock(shop, shop.location_id, pencils, 5)
    stock(shop, shop.location_id, notebooks, 4)
    open_stock(page, shop, "Counts")
    page.get_by_role("button", name="Start a count").click()
    expect(page.get_by_text("Scan each item")).to_be_visible()

    lines = page.get_by_test_id("count-line")
    for scans in (1, 2, 3):
        wedge_scan(page, PENCILS_BARCODE)
        expect(lines.filter(has_text="Pencils").get_by_role("cell").nth(1)).to_have_text(str(scans))
    page.get_by_label("Barcode or SKU").fill(notebooks)
    page.get_by_label("Quantity counted").fill("7")
    page.get_by_role("button", name="Record").click()
    notebook_line = lines.filter(has_text="Notebooks").get_by_role("cell")
    expect(notebook_line).to_have_text(["4", "7", "+3"])
    expect(lines.filter(has_text="Pencils").get_by_role("cell")).to_have_text(["5", "3", "-2"])
    assert serious_violations(page) == []
    screenshot(page, "office-stock-count")

    page.get_by_role("button", name="Commit the count").click()
    expect(page.get_by_role("heading", name="Stock count: Committed")).to_be_visible()
    assert level(shop, shop.location_id, pencils)["onHand"] == 3
    assert level(shop, shop.location_id, notebooks)["onHand"] == 7


def test_a_transfer_is_created_shipped_and_received(shop: Shop, page: Page) -> None:
    warehouse = shop.post("/v1/locations", {"name": "Back Warehouse"})["locationId"]
    flour = product(shop, "Flour", "FLOUR-1KG")
    stock(shop, shop.location_id, flour, 10)
    open_stock(page, shop, "Transfers")
    page.get_by_label("From").select_option(label=shop.location_name)
    page.get_by_label("To", exact=True).select_option(label="Back Warehouse")
    page.get_by_label("SKU").fill(flour)
    page.get_by_label("Quantity").fill("4")
    page.get_by_role("button", name="Create transfer").click()

    transfer = page.get_by_test_id("transfer").filter(has_text=flour)
    expect(transfer.get_by_test_id("transfer-status")).to_have_text("Draft")
    transfer.get_by_role("button", name="Ship").click()
    expect(transfer.get_by_test_id("transfer-status")).to_have_text("Shipped")
    assert level(shop, warehouse, flour)["inTransit"] == 4
    assert serious_violations(page) == []
    transfer.get_by_role("button", name="Receive").click()
    expect(transfer.get_by_test_id("transfer-status")).to_have_text("Received")

    assert level(shop, shop.location_id, flour)["onHand"] == 6
    assert level(shop, warehouse, flour)["onHand"] == 4
    [made] = shop.api.get("/v1/inventory/transfers", params={"locationId": warehouse}).json()[
        "items"
    ]
    assert made["status"] == "received"


def add_user(shop: Shop, role: str, email: str) -> None:
    """A user of the shop with a built-in role, who signs in with the owner's password."""
    roles = shop.api.get("/v1/roles", params={"pageSize": 100}).json()["items"]
    role_id = next(r["roleId"] for r in roles if r["name"] == role)
    shop.post(
        "/v1/users",
        {
            "email": email,
            "name": role.title(),
            "password": OWNER_PASSWORD,
            "roleId": role_id,
            "locationIds": [],
            "currentPassword": OWNER_PASSWORD,
        },
    )


def test_a_cashier_sees_the_stock_but_is_offered_no_change(shop: Shop, page: Page) -> None:
    product(shop, "Sea salt", "SEA-SALT")
    stock(shop, shop.location_id, "SEA-SALT", 9)
    add_user(shop, "cashier", "cashier-stock@browser.example.com")
    page.goto(shop.url())
    sign_in(page, "cashier-stock@browser.example.com", OWNER_PASSWORD)
    page.get_by_role("link", name="Stock", exact=True).click()
    salt = page.get_by_test_id("stock-level").filter(has_text="Sea salt")
    expect(salt.get_by_role("cell").nth(1)).to_have_text("9")
    expect(page.get_by_role("button", name="Adjust Sea salt")).to_have_count(0)
    page.get_by_role("link", name="Counts", exact=True).click()
    expect(page.get_by_role("link", name="Levels", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Start a count")).to_have_count(0)
    page.get_by_role("link", name="Transfers", exact=True).click()
    expect(page.get_by_role("button", name="Create transfer")).to_have_count(0)
    assert serious_violations(page) == []
