"""Orders taken back in Chromium: a cashier finds an order by its receipt number but, without
`orders:refund` and `orders:void`, sees neither Refund nor Void; a manager on the same register
refunds one line of it, then scans another receipt's barcode and voids that order. The
refund and the void are checked on the server."""

import re
from decimal import Decimal
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import Shop, screenshot, wedge_scan
from tests.browser.test_register_sale import pin_in_at_a_new_register

Json = dict[str, Any]


def notice(page: Page) -> Locator:
    """What the screen says was done (a status message; the connection badge is another)."""
    return page.get_by_role("status").and_(page.locator(".notice"))


def card_sale(shop: Shop, register_id: str, *lines: tuple[str, int]) -> Json:
    """An order rung up at the register through the API and paid by card."""
    order = shop.post(
        "/v1/orders",
        {
            "locationId": shop.location_id,
            "registerId": register_id,
            "lineItems": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        },
    )
    paid = shop.post(
        f"/v1/orders/{order['orderId']}/payments",
        {
            "tenderType": "credit_card",
            "amount": order["totals"]["balanceDue"],
            "cardLast4": "4242",
            "registerId": register_id,
        },
    )
    completed: Json = paid["order"]
    assert completed["status"] == "completed"
    return completed


def open_orders(page: Page) -> None:
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Orders and refunds").click()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()


def test_a_manager_refunds_a_line_and_voids_an_order_a_cashier_cannot(
    shop: Shop, page: Page
) -> None:
    for name, sku, price in (("Tote bag", "TOTE-R", 12), ("Notebook", "NOTE-R", 6)):
        shop.post("/v1/catalog/products", {"name": name, "sku": sku, "price": price})
    roles = shop.api.get("/v1/roles", params={"pageSize": 100}).json()["items"]
    manager_role = next(r["roleId"] for r in roles if r["name"] == "manager")
    shop.post(
        "/v1/employees",
        {
            "name": "Morgan Manager",
            "roleId": manager_role,
            "locationIds": [shop.location_id],
            "pin": "8642",
        },
    )
    register = pin_in_at_a_new_register(page, shop, "Returns desk", "1212")
    registers = shop.api.get(f"/v1/locations/{shop.location_id}/registers").json()["items"]
    register_id = next(r["registerId"] for r in registers if r["name"] == register)
    first = card_sale(shop, register_id, ("TOTE-R", 1), ("NOTE-R", 2))
    second = card_sale(shop, register_id, ("NOTE-R", 1))
    third = card_sale(shop, register_id, ("TOTE-R", 1))
    page.get_by_label("Cash in the drawer").fill("50")
    page.get_by_role("button", name="Open the shift").click()

    # The cashier finds the order but may neither refund nor void it.
    open_orders(page)
    page.get_by_label("Receipt number").fill(first["receiptNumber"])
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name=f"Order {first['receiptNumber']}")).to_be_visible()
    expect(page.get_by_role("button", name="Refund")).to_have_count(0)
    expect(page.get_by_role("button", name="Void")).to_have_count(0)
    page.get_by_role("button", name="Back to the orders").click()
    page.get_by_role("button", name="Back to the sale").click()
    page.get_by_role("button", name="Sign out").click()

    # The manager, on the same register, refunds one notebook of the first order.
    page.get_by_role("button", name="Morgan Manager").click()
    page.keyboard.type("8642")
    page.keyboard.press("Enter")
    open_orders(page)
    expect(page.get_by_role("button", name=first["receiptNumber"])).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "order-lookup")
    page.get_by_label("Receipt number").fill(first["receiptNumber"])
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Refund").click()
    page.get_by_role("button", name="One more Notebook back").click()
    page.get_by_label("Reason for the refund").fill("Torn cover")
    assert serious_violations(page) == []
    screenshot(page, "refund")
    page.get_by_role("button", name="Refund to the original payment").click()
    expect(notice(page)).to_have_text("Refunded $6.00 to the original payment.")
    expect(page.get_by_test_id("order-status")).to_have_text("Partly refunded")
    expect(page.get_by_role("button", name="Void")).to_have_count(0)  # refunded: not voidable

    refunds = shop.api.get(f"/v1/orders/{first['orderId']}/refunds").json()
    assert len(refunds) == 1
    [refunded] = refunds
    assert Decimal(str(refunded["amount"])) == Decimal("6")
    assert [(line["sku"], line["quantity"]) for line in refunded["lineItems"]] == [("NOTE-R", 1)]
    assert refunded["reason"] == "Torn cover"
    assert refunded["tenders"][0]["tenderType"] == "credit_card"
    assert shop.api.get(f"/v1/orders/{first['orderId']}").json()["status"] == "partially_refunded"

    # Another till refunds the last notebook meanwhile: this screen still offers it, and the
    # server's refusal is what the manager reads.
    last = next(line for line in first["lineItems"] if line["sku"] == "NOTE-R")
    shop.post(
        f"/v1/orders/{first['orderId']}/refunds",
        {"lineItems": [{"lineItemId": last["lineItemId"], "quantity": 1}], "reason": "Other till"},
    )
    page.get_by_role("button", name="Refund").click()
    page.get_by_role("button", name="One more Notebook back").click()
    page.get_by_label("Reason for the refund").fill("Second one torn too")
    page.get_by_role("button", name="Refund to the original payment").click()
    expect(page.get_by_role("alert")).to_contain_text("The refund was refused: ")
    page.get_by_role("button", name="Cancel").click()
    assert len(shop.api.get(f"/v1/orders/{first['orderId']}/refunds").json()) == 2

    # The second order's receipt barcode, scanned (a keyboard wedge's burst), then voided.
    page.get_by_role("button", name="Back to the orders").click()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    wedge_scan(page, second["receiptNumber"])
    expect(page.get_by_role("heading", name=f"Order {second['receiptNumber']}")).to_be_visible()
    page.get_by_role("button", name="Void").click()
    page.get_by_label("Reason for the void").fill("Rung up twice")
    page.get_by_role("button", name="Void the order").click()
    expect(notice(page)).to_have_text("The order was voided.")
    expect(page.get_by_test_id("order-status")).to_have_text("Voided")
    voided = shop.api.get(f"/v1/orders/{second['orderId']}").json()
    assert (voided["status"], voided["voidReason"]) == ("voided", "Rung up twice")
    assert shop.api.get(f"/v1/orders/{first['orderId']}").json()["status"] == "partially_refunded"

    # The third order's tote bag exchanged for three notebooks: the $12 it is worth pays for
    # them first; the $6 left is taken in cash on the new order.
    page.get_by_role("button", name="Back to the orders").click()
    page.get_by_label("Receipt number").fill(third["receiptNumber"])
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Exchange").click()
    page.get_by_role("button", name="One more Tote bag back").click()
    page.get_by_label("Find the new item").fill("note")
    for _ in range(3):
        page.get_by_role("button", name=re.compile(r"^Notebook \$")).click()
    page.get_by_label("Reason for the exchange").fill("Wrong size")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Exchange", exact=True).click()
    expect(page.get_by_role("heading", name="Charge $6.00")).to_be_visible()
    page.get_by_label("Cash handed over").fill("10")
    page.get_by_role("button", name="Take cash").click()
    expect(notice(page)).to_contain_text("Exchanged; the new order R-")
    exchanged = shop.api.get(f"/v1/orders/{third['orderId']}").json()
    assert exchanged["status"] == "refunded"
    new = shop.api.get(f"/v1/orders/{exchanged['exchangeOrderId']}").json()
    assert new["status"] == "completed"
    assert [(line["sku"], line["quantity"]) for line in new["lineItems"]] == [("NOTE-R", 3)]
    assert sorted((p["tenderType"], Decimal(str(p["amount"]))) for p in new["payments"]) == [
        ("cash", Decimal("6")),
        ("exchange_credit", Decimal("12")),
    ]
