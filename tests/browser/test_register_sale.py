"""A cashier's first sale in Chromium: on a paired register, PIN in, open the shift with the
float, tap two items into the cart (priced by the server), take cash and see the change, then
a card sale, then a barcode scanned from a keyboard wedge; the orders on the server are exactly
what the screen showed."""

import re
from datetime import UTC, datetime
from decimal import Decimal

from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD, Shop, screenshot, wedge_scan
from tests.browser.test_sign_in import pair_this_device, sign_in


def pin_in_at_a_new_register(page: Page, shop: Shop, register: str, pin: str) -> str:
    """Pair the device (as the owner) with a new register and sign its cashier in."""
    register, cashier = shop.register_with_employee(register, f"Cashier of {register}", pin)
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    pair_this_device(page, shop, register)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name=cashier).click()
    expect(page.get_by_role("heading", name=f"{cashier}, enter your PIN")).to_be_visible()
    page.keyboard.type(pin)
    page.keyboard.press("Enter")
    return register


def test_a_cashier_opens_the_shift_and_sells_for_cash_and_card(shop: Shop, page: Page) -> None:
    for name, sku, price, barcode in (
        ("Flat white", "FW-1", 4.50, None),
        ("Almond croissant", "AC-1", 3.75, CROISSANT_BARCODE),
    ):
        shop.post(
            "/v1/catalog/products", {"name": name, "sku": sku, "price": price, "barcode": barcode}
        )
    register = pin_in_at_a_new_register(page, shop, "Espresso bar", "2468")

    page.get_by_label("Cash in the drawer").fill("150")
    page.get_by_role("button", name="Open the shift").click()
    item(page, "Flat white").click()
    item(page, "Flat white").click()
    item(page, "Almond croissant").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("grand-total")).to_have_text("$12.75")
    assert serious_violations(page) == []
    screenshot(page, "sale")

    page.get_by_role("button", name="Charge $12.75").click()
    page.get_by_label("Cash handed over").fill("20")
    page.get_by_role("button", name="Take cash").click()
    expect(page.get_by_test_id("change-due")).to_have_text("Change due: $7.25")
    expect(page.get_by_test_id("receipt-number")).to_have_text(f"Receipt R-{_year()}-000001")
    screenshot(page, "paid")

    page.get_by_role("button", name="New sale").click()
    page.get_by_label("Search items").fill("croissant")
    expect(item(page, "Flat white")).to_have_count(0)
    item(page, "Almond croissant").click()
    page.get_by_role("button", name="Charge $3.75").click()
    page.get_by_role("button", name="Card", exact=True).click()
    page.get_by_label("Card's last 4 digits").fill("4242")
    # The connection drops as the payment goes out; the cashier tries again: one order.
    dropped: list[str] = []

    def drop_once(route: Route) -> None:
        if dropped:
            route.continue_()
        else:
            dropped.append(route.request.url)
            route.abort()

    page.route("**/v1/orders/*/payments", drop_once)
    page.get_by_role("button", name="Record card payment").click()
    expect(page.get_by_role("alert")).to_have_text(
        "The server cannot be reached. Check the connection and try again."
    )
    page.get_by_role("button", name="Record card payment").click()
    expect(page.get_by_test_id("receipt-number")).to_have_text(f"Receipt R-{_year()}-000002")
    expect(page.get_by_test_id("change-due")).to_have_count(0)

    # A wedge scanner's burst, with the search field focused: the item goes into the cart and
    # the field keeps what the cashier had typed.
    page.get_by_role("button", name="New sale").click()
    page.get_by_label("Search items").fill("fl")
    page.get_by_label("Search items").focus()
    page.keyboard.type(CROISSANT_BARCODE, delay=5)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("cart-line")).to_have_text(re.compile("^Almond croissant"))
    expect(page.get_by_label("Search items")).to_have_value("fl")
    wedge_scan(page, "0000000000000")
    expect(page.get_by_role("alert")).to_have_text("No item has the code 0000000000000.")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)

    assert len(dropped) == 1
    orders = shop.api.get("/v1/orders", params={"pageSize": 10}).json()["items"]
    assert len(orders) == 2  # the retried payment found the order its first attempt made
    mine = sorted(
        (o for o in orders if o["registerId"] is not None), key=lambda o: o["receiptNumber"]
    )
    assert [(o["status"], Decimal(str(o["totals"]["grandTotal"]))) for o in mine] == [
        ("completed", Decimal("12.75")),
        ("completed", Decimal("3.75")),
    ]
    cash, card = (o["payments"][0] for o in mine)
    assert (cash["tenderType"], Decimal(str(cash["changeDue"]))) == ("cash", Decimal("7.25"))
    assert (card["tenderType"], card["cardLast4"]) == ("credit_card", "4242")
    assert {tuple(sorted((line["sku"], line["quantity"]) for line in mine[0]["lineItems"]))} == {
        (("AC-1", 1), ("FW-1", 2))
    }
    assert register


CROISSANT_BARCODE = "4006381333931"


def item(page: Page, name: str) -> Locator:
    """An item's button on the grid (named by the item and its price)."""
    return page.get_by_role("button", name=re.compile(rf"^{re.escape(name)} \$"))


def _year() -> int:
    return datetime.now(UTC).year
