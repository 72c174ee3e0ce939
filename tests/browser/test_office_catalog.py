"""The back office's catalog in Chromium: a manager creates a product, gives it a variant,
changes its price and archives it; creates a category and a modifier group; imports a CSV of
hundreds of rows watching its progress, then one with errors listed by line; exports the CSV.
Every result is checked on the server through the API."""

import csv
import io
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import (
    DESKTOP,
    OWNER_EMAIL,
    OWNER_PASSWORD,
    TABLET,
    Shop,
    open_shop,
    screenshot,
)
from tests.browser.test_sign_in import sign_in
from tests.support.postgres import POSTGRES_URL, fresh_postgres_database

IMPORTED_ROWS = 400
MIN_TARGET_PX = 44


def small_targets(page: Page) -> list[str]:
    """The visible controls smaller than a fingertip (44 px either way), by their text."""
    found: list[str] = page.evaluate(
        """(min) => [...document.querySelectorAll('button, input, a, select')]
            .filter((el) => {
                const box = el.getBoundingClientRect();
                return box.width > 0 && (box.height < min || box.width < min);
            })
            .map((el) => el.outerHTML.slice(0, 80))""",
        MIN_TARGET_PX,
    )
    return found


def open_catalog(page: Page, shop: Shop, tab: str = "Products") -> None:
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    page.get_by_role("link", name="Catalog").click()
    page.get_by_role("navigation", name="Catalog pages").get_by_role("link", name=tab).click()


def products(shop: Shop, **params: Any) -> list[dict[str, Any]]:
    response = shop.api.get("/v1/catalog/products", params={"pageSize": 200, **params})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


def letters(number: int) -> str:
    """A row number as letters (SKUs of letters only: digits could read as a card number)."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = chr(ord("a") + digit) + word
        if number == 0:
            return word


def test_a_manager_creates_a_product_with_a_variant_then_reprices_and_archives_it(
    shop: Shop, page: Page
) -> None:
    open_catalog(page, shop)
    page.get_by_role("link", name="New product").click()
    page.get_by_label("Name", exact=True).fill("Linen apron")
    page.get_by_label("SKU", exact=True).fill("APRON-LINEN")
    page.get_by_label("Price (USD)", exact=True).fill("18.50")
    page.get_by_role("button", name="Create product").click()
    expect(page.get_by_role("heading", name="Linen apron")).to_be_visible()
    expect(page.get_by_text("This product has no variants")).to_be_visible()

    page.get_by_label("Options").fill("Size=Large, Color=Sand")
    page.get_by_label("Variant SKU").fill("APRON-LINEN-LARGE")
    page.get_by_label("Variant price (USD)").fill("21")
    page.get_by_role("button", name="Add variant").click()
    variant_row = page.get_by_role("row", name="APRON-LINEN-LARGE")
    expect(variant_row).to_contain_text("Large / Sand")
    expect(variant_row).to_contain_text("$21.00")

    page.get_by_label("Price (USD)", exact=True).fill("19.75")
    page.get_by_label("Cost (USD)").fill("7.10")
    # A cent's fraction is the server's 400, shown under the location's own price field.
    page.get_by_label("Price at Corner Shop").fill("20.505")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_label("Price at Corner Shop")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Price at Corner Shop").fill("20.50")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved. The price is $19.75.")).to_be_visible()
    assert serious_violations(page) == []
    assert small_targets(page) == []
    screenshot(page, "office-catalog-product-editor")

    [apron] = products(shop, q="APRON-LINEN")
    assert (apron["name"], apron["price"], apron["archived"]) == ("Linen apron", 19.75, False)
    assert apron["cost"] == 7.1
    assert apron["locationPrices"] == [{"locationId": shop.location_id, "price": 20.5}]
    [variant] = apron["variants"]
    assert (variant["sku"], variant["price"]) == ("APRON-LINEN-LARGE", 21.0)
    assert variant["optionValues"] == [
        {"name": "Size", "value": "Large"},
        {"name": "Color", "value": "Sand"},
    ]

    page.get_by_role("button", name="Archive", exact=True).click()
    expect(page.get_by_role("button", name="Restore", exact=True)).to_be_visible()
    assert products(shop, q="APRON-LINEN") == []
    [archived] = products(shop, q="APRON-LINEN", includeArchived="true")
    assert archived["archived"] is True

    # The same SKU again: the server's refusal is shown on the SKU field.
    page.get_by_role("link", name="Back to the products").click()
    page.get_by_role("link", name="New product").click()
    page.get_by_label("Name", exact=True).fill("Another apron")
    page.get_by_label("SKU", exact=True).fill("APRON-LINEN")
    page.get_by_label("Price (USD)", exact=True).fill("abc")
    page.get_by_role("button", name="Create product").click()
    expect(page.get_by_text("Enter an amount, such as 12.50.")).to_be_visible()
    page.get_by_label("Price (USD)", exact=True).fill("12")
    page.get_by_role("button", name="Create product").click()
    sku = page.get_by_label("SKU", exact=True)
    expect(sku).to_have_attribute("aria-invalid", "true")
    expect(sku).to_have_accessible_description(re.compile("APRON-LINEN"))
    assert len(products(shop, q="Another apron")) == 0


def test_the_product_list_searches_filters_by_category_and_pages(shop: Shop, page: Page) -> None:
    for number in range(30):
        shop.post(
            "/v1/catalog/products",
            {
                "name": f"Teacup {letters(number)}",
                "sku": f"CUP-{letters(number).upper()}",
                "price": 6,
                "category": "Tableware",
            },
        )
    shop.post("/v1/catalog/products", {"name": "Teapot", "sku": "POT-BROWN", "price": 30})
    open_catalog(page, shop)
    page.get_by_label("Search by name, SKU or barcode").fill("pot-brown")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Teapot")).to_be_visible()
    expect(page.get_by_text("1 products")).to_be_visible()

    page.get_by_label("Search by name, SKU or barcode").fill("")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Category").select_option(label="Tableware")
    expect(page.get_by_text("30 products")).to_be_visible()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    expect(page.get_by_role("link", name="Teapot")).to_have_count(0)
    assert serious_violations(page) == []
    assert small_targets(page) == []
    page.set_viewport_size(DESKTOP)
    screenshot(page, "office-catalog-products")
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(1 + 5)


def test_a_manager_creates_a_category_and_a_modifier_group(shop: Shop, page: Page) -> None:
    open_catalog(page, shop, "Categories")
    page.get_by_label("Category name").fill("Bakery")
    page.get_by_role("button", name="Create category").click()
    expect(page.get_by_role("cell", name="Bakery", exact=True)).to_be_visible()
    page.get_by_label("Category name").fill("Bread")
    page.get_by_label("Inside").select_option(label="Bakery")
    page.get_by_role("button", name="Create category").click()
    expect(page.get_by_role("cell", name="Bakery > Bread", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    categories = shop.api.get("/v1/catalog/categories", params={"pageSize": 200}).json()["items"]
    assert {"Bakery", "Bakery > Bread"} <= {c["path"] for c in categories}

    page.get_by_role("navigation", name="Catalog pages").get_by_role(
        "link", name="Modifier groups"
    ).click()
    page.get_by_label("Group name").fill("Milk")
    page.get_by_label("At most").fill("1")
    page.get_by_label("Option 1 name").fill("Oat")
    page.get_by_label("Option 1 price change (USD)").fill("0.50")
    page.get_by_role("button", name="Add option").click()
    page.get_by_label("Option 2 name").fill("Whole")
    page.get_by_role("button", name="Create modifier group").click()
    expect(page.get_by_role("row", name="Milk")).to_contain_text("Oat $0.50, Whole $0.00")
    assert serious_violations(page) == []
    assert small_targets(page) == []
    screenshot(page, "office-catalog-modifier-groups")
    groups = shop.api.get("/v1/catalog/modifier-groups").json()["items"]
    [milk] = [g for g in groups if g["name"] == "Milk"]
    assert [(o["name"], o["priceDelta"]) for o in milk["options"]] == [("Oat", 0.5), ("Whole", 0)]
    assert (milk["minSelections"], milk["maxSelections"]) == (0, 1)


def watch_import_status(page: Page) -> None:
    """Record every text the import's status line shows, as it changes (window.importSeen)."""
    page.evaluate(
        """() => {
            window.importSeen = [];
            new MutationObserver(() => {
                const status = document.querySelector('[data-testid=import-status]');
                const text = status?.textContent ?? '';
                if (text && window.importSeen.at(-1) !== text) window.importSeen.push(text);
            }).observe(document.body, { subtree: true, childList: true, characterData: true });
        }"""
    )


def import_with_progress(
    page: Page, csv_file: Path, rows: int, screenshot_name: str | None = None
) -> list[str]:
    """Import ``csv_file`` (``rows`` new products) on the catalog's import page, and wait for
    its result: every status the page showed on the way, in order."""
    page.get_by_label("CSV file").set_input_files(csv_file)
    watch_import_status(page)
    page.get_by_role("button", name="Import", exact=True).click()
    progress = page.get_by_role("progressbar", name="Rows processed")
    expect(progress).to_be_visible()
    if screenshot_name:
        screenshot(page, screenshot_name)
    expect(page.get_by_test_id("import-status")).to_have_text(
        f"Imported {rows} rows: {rows} created, 0 updated.", timeout=120_000
    )
    expect(progress).to_have_attribute("value", str(rows))
    seen: list[str] = page.evaluate("() => window.importSeen")
    # The bar was up while the import ran (queued, then rows counted) before the result.
    assert seen[0] == f"Waiting to start: {rows} rows." or seen[0].endswith(
        f"of {rows} rows processed."
    ), seen
    assert seen[-1].startswith(f"Imported {rows} rows"), seen
    return seen


def bulk_csv(tmp_path: Path, prefix: str, rows: int) -> Path:
    lines = ["sku,name,price,category"]
    lines += [
        f"{prefix}-{letters(n).upper()},{prefix.title()} item {letters(n)},2.50,Bulk"
        for n in range(rows)
    ]
    csv_file = tmp_path / f"{prefix.lower()}.csv"
    csv_file.write_text("\n".join(lines) + "\n")
    return csv_file


def test_a_csv_of_hundreds_of_rows_imports_with_its_progress_shown(
    shop: Shop, page: Page, tmp_path: Path
) -> None:
    open_catalog(page, shop, "Import and export")
    csv_file = bulk_csv(tmp_path, "BULK", IMPORTED_ROWS)
    import_with_progress(page, csv_file, IMPORTED_ROWS, "office-catalog-import-progress")
    assert serious_violations(page) == []

    listed = shop.api.get("/v1/catalog/products", params={"q": "BULK-", "pageSize": 1})
    assert listed.json()["total"] == IMPORTED_ROWS
    [first] = listed.json()["items"]
    assert (first["sku"], first["price"], first["category"]) == ("BULK-A", 2.5, "Bulk")


@pytest.fixture(scope="module")
def shop_on_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    if not POSTGRES_URL:
        pytest.skip("TILLPOINT_TEST_POSTGRES_URL not set")
    data = tmp_path_factory.mktemp("browser-postgres")
    # Playwright's sync API runs an event loop on this thread, where the database helper's own
    # asyncio.run cannot: it is entered and left on a thread of its own.
    database = fresh_postgres_database("tillpoint_browser")
    with ThreadPoolExecutor(1) as pool:
        url = pool.submit(database.__enter__).result()
        try:
            with open_shop(data, url) as opened:
                yield opened
        finally:
            pool.submit(database.__exit__, None, None, None).result()


def test_on_postgresql_the_bar_moves_while_the_rows_are_written(
    shop_on_postgres: Shop, page: Page, tmp_path: Path
) -> None:
    """PostgreSQL commits the import's progress beside it (SQLite's one write lock cannot), so
    the bar counts the rows batch by batch as they are written."""
    rows = 1_600
    open_catalog(page, shop_on_postgres, "Import and export")
    seen = import_with_progress(page, bulk_csv(tmp_path, "LARGE", rows), rows)
    counted = [text for text in seen if text.endswith(f"of {rows} rows processed.")]
    assert any(not text.startswith("0 of") for text in counted), seen
    listed = shop_on_postgres.api.get("/v1/catalog/products", params={"q": "LARGE-"})
    assert listed.json()["total"] == rows


def test_a_csv_with_errors_is_refused_with_its_errors_by_line(
    shop: Shop, page: Page, tmp_path: Path
) -> None:
    csv_file = tmp_path / "wrong.csv"
    csv_file.write_text(
        "sku,name,price\n"
        "WRONG-A,Good row,3.00\n"
        "WRONG-B,Bad price,three\n"
        "WRONG-C,Fine too,4.00\n"
        "WRONG-D,,5.00\n"
    )
    open_catalog(page, shop, "Import and export")
    page.get_by_label("CSV file").set_input_files(csv_file)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-status")).to_have_text(
        "Nothing was imported: 2 problems were found.", timeout=30_000
    )
    table = page.get_by_role("table", name="Problems by line")
    rows = table.get_by_role("row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("3WRONG-Bprice")
    expect(rows.nth(2)).to_contain_text("5WRONG-Dname")
    assert serious_violations(page) == []
    assert small_targets(page) == []
    screenshot(page, "office-catalog-import-errors")
    # The import is in the address: a reload shows its outcome again.
    assert re.search(r"#/catalog/import/\w+$", page.url), page.url
    page.reload()
    expect(page.get_by_test_id("import-status")).to_have_text(
        "Nothing was imported: 2 problems were found."
    )
    expect(rows).to_have_count(3)
    assert products(shop, q="WRONG-") == []  # all or nothing: not even the good rows


def test_the_catalog_exports_as_csv(shop: Shop, page: Page) -> None:
    shop.post("/v1/catalog/products", {"name": "Export mug", "sku": "EXPORT-MUG", "price": 9})
    open_catalog(page, shop, "Import and export")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download catalog.csv").click()
    saved = download.value
    assert saved.suggested_filename == "catalog.csv"
    text = Path(saved.path()).read_text(encoding="utf-8-sig")
    exported = {row["sku"]: row for row in csv.DictReader(io.StringIO(text))}
    assert exported["EXPORT-MUG"]["name"] == "Export mug"
    assert float(exported["EXPORT-MUG"]["price"]) == 9


def test_amounts_are_typed_with_the_devices_decimal_separator(shop: Shop, browser: Browser) -> None:
    context = browser.new_context(viewport=TABLET, locale="de-DE")
    try:
        page = context.new_page()
        open_catalog(page, shop)
        page.get_by_role("link", name="New product").click()
        page.get_by_label("Name", exact=True).fill("Brezel")
        page.get_by_label("SKU", exact=True).fill("BREZEL-GROSS")
        page.get_by_label("Price (USD)", exact=True).fill("1.234,50")
        page.get_by_role("button", name="Create product").click()
        expect(page.get_by_role("heading", name="Brezel")).to_be_visible()
        expect(page.get_by_label("Price (USD)", exact=True)).to_have_value("1234,50")
        [brezel] = products(shop, q="BREZEL-GROSS")
        assert brezel["price"] == 1234.5
    finally:
        context.close()


def test_someone_who_may_only_read_the_catalog_sees_it_without_ways_to_change_it(
    shop: Shop, page: Page
) -> None:
    shop.post("/v1/catalog/products", {"name": "Read-only jug", "sku": "JUG-READ", "price": 15})
    roles = shop.api.get("/v1/roles", params={"pageSize": 100}).json()["items"]
    cashier = next(r["roleId"] for r in roles if r["name"] == "cashier")
    email = "reader@browser.example.com"
    shop.post(
        "/v1/users",
        {
            "email": email,
            "name": "Reader",
            "password": OWNER_PASSWORD,
            "roleId": cashier,
            "locationIds": [shop.location_id],
            "currentPassword": OWNER_PASSWORD,
        },
    )
    page.goto(shop.url())
    sign_in(page, email, OWNER_PASSWORD)
    page.get_by_role("link", name="Catalog").click()
    page.get_by_label("Search by name, SKU or barcode").fill("jug-read")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Read-only jug").click()
    expect(page.get_by_label("Name", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Add variant")).to_have_count(0)
    expect(page.get_by_role("link", name="New product")).to_have_count(0)
    assert serious_violations(page) == []

    page.get_by_role("navigation", name="Catalog pages").get_by_role(
        "link", name="Import and export"
    ).click()
    expect(page.get_by_role("link", name="Download catalog.csv")).to_be_visible()
    expect(page.get_by_label("CSV file")).to_have_count(0)
