"""Closing the day in Chromium: paid in and paid out, a cash sale whose receipt is printed to
a real TCP printer stand-in and e-mailed to a real local SMTP server, then the shift closed
with the counted cash: the server's expected cash (float + cash sales + paid in − paid out)
shown, the Z report on screen and printed. Each result is checked on the server."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import Shop, open_shop, screenshot
from tests.browser.test_register_sale import item, pin_in_at_a_new_register
from tests.support.printer_listener import ThreadedPrinterListener, threaded_printer_listener
from tests.support.smtp import Mailbox, smtp_server

FROM = "receipts@corner.example.com"


def notice(page: Page) -> Locator:
    """What the screen says was done (a status message; the connection badge is another)."""
    return page.get_by_role("status").and_(page.locator(".notice"))


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def printer() -> Iterator[ThreadedPrinterListener]:
    with threaded_printer_listener() as listening:
        yield listening


@pytest.fixture(scope="module")
def shop(
    tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox, printer: ThreadedPrinterListener
) -> Iterator[Shop]:
    """A server that may print to loopback (where the stand-in listens) and sends e-mail
    through the local SMTP server; its location has the stand-in as receipt printer."""
    settings = {
        "TILLPOINT_PRINTER_ALLOW_LOOPBACK": "true",
        "TILLPOINT_SMTP_HOST": mailbox.host,
        "TILLPOINT_SMTP_PORT": str(mailbox.port),
        "TILLPOINT_SMTP_TLS": "none",
        "TILLPOINT_SMTP_FROM": FROM,
    }
    with open_shop(tmp_path_factory.mktemp("closing"), **settings) as opened:
        opened.post(
            f"/v1/locations/{opened.location_id}/printers",
            {"name": "Front", "address": f"127.0.0.1:{printer.port}"},
        )
        yield opened


def test_paid_in_and_out_a_sale_and_the_close_with_its_z_report(
    shop: Shop, page: Page, mailbox: Mailbox, printer: ThreadedPrinterListener
) -> None:
    shop.post("/v1/catalog/products", {"name": "Flat white", "sku": "FW-CLOSE", "price": 4.50})
    register = pin_in_at_a_new_register(page, shop, "Front till", "1357")
    page.get_by_label("Cash in the drawer").fill("100")
    page.get_by_role("button", name="Open the shift").click()

    # Paid in and paid out, from the register bar's menu.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Paid in / paid out").click()
    page.get_by_role("button", name="Paid in", exact=True).click()
    page.get_by_label("Amount").fill("20")
    page.get_by_label("Reason").fill("Change from the bank")
    page.get_by_role("button", name="Record paid in").click()
    expect(notice(page)).to_have_text("Paid in $20.00 recorded: Change from the bank.")
    page.get_by_role("button", name="Paid out", exact=True).click()
    page.get_by_label("Amount").fill("5.50")
    page.get_by_label("Reason").fill("Milk")
    page.get_by_role("button", name="Record paid out").click()
    expect(notice(page)).to_have_text("Paid out $5.50 recorded: Milk.")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Back to the sale").click()

    # A cash sale; its receipt printed and e-mailed.
    item(page, "Flat white").click()
    item(page, "Flat white").click()
    page.get_by_role("button", name="Charge $9.00").click()
    page.get_by_label("Cash handed over").fill("20")
    page.get_by_role("button", name="Take cash").click()
    expect(page.get_by_test_id("change-due")).to_have_text("Change due: $11.00")
    receipt_number = page.get_by_test_id("receipt-number").inner_text().removeprefix("Receipt ")
    page.get_by_role("button", name="Print receipt").click()
    expect(notice(page)).to_have_text("The receipt was sent to the printer.")
    receipt = printer.next_job()
    assert receipt.startswith(b"\x1b@")  # ESC @: the printer is initialised
    assert f"Receipt {receipt_number}".encode() in receipt
    assert b"Flat white" in receipt
    page.get_by_label("Email the receipt to").fill("ada@example.com")
    page.get_by_role("button", name="Email receipt").click()
    expect(notice(page)).to_have_text("The receipt was emailed to ada@example.com.")
    [mail] = mailbox.received
    assert (mail.sender, mail.recipients) == (FROM, ["ada@example.com"])
    text = mail.message.get_body(("plain",))
    assert text is not None
    assert receipt_number in text.get_content()
    assert "$9.00" in text.get_content()
    assert serious_violations(page) == []
    screenshot(page, "receipt-actions")
    page.get_by_role("button", name="New sale").click()

    # The close: 100 float + 9 cash sales + 20 paid in − 5.50 paid out = 123.50 expected.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Close the shift").click()
    expect(page.get_by_test_id("expected-cash")).to_have_text("$123.50")
    page.get_by_label("Cash counted in the drawer").fill("120")
    assert serious_violations(page) == []
    screenshot(page, "close-shift")
    page.get_by_role("button", name="Close the shift").click()
    expect(page.get_by_role("heading", name="Z report")).to_be_visible()
    expect(page.get_by_test_id("z-expected")).to_have_text("$123.50")
    expect(page.get_by_test_id("z-counted")).to_have_text("$120.00")
    expect(page.get_by_test_id("z-over-short")).to_have_text("-$3.50")
    expect(page.get_by_text("Short", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "z-report")
    page.get_by_role("button", name="Print the Z report").click()
    expect(notice(page)).to_have_text("The Z report was sent to the printer.")
    z_report = printer.next_job()
    for line in (b"Z REPORT", b"Paid in (1)", b"Paid out (1)", b"Expected cash", b"$123.50"):
        assert line in z_report, line
    assert b"Counted cash" in z_report
    assert b"-$3.50" in z_report
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("heading", name="Open the shift")).to_be_visible()

    registers = shop.api.get(f"/v1/locations/{shop.location_id}/registers").json()["items"]
    register_id = next(r["registerId"] for r in registers if r["name"] == register)
    [closed] = shop.api.get(
        f"/v1/registers/{register_id}/shifts", params={"status": "closed"}
    ).json()["items"]
    assert Decimal(str(closed["expectedCash"])) == Decimal("123.50")
    assert Decimal(str(closed["countedCash"])) == Decimal("120")
    assert Decimal(str(closed["overShort"])) == Decimal("-3.50")
    report = closed["report"]
    assert (report["paidInCount"], report["paidOutCount"], report["orderCount"]) == (1, 1, 1)
    assert Decimal(str(report["cashSales"])) == Decimal("9")
    moved = shop.api.get(
        f"/v1/registers/{register_id}/shifts/{closed['shiftId']}/cash-movements"
    ).json()["items"]
    assert [(m["kind"], Decimal(str(m["amount"])), m["reason"]) for m in moved] == [
        ("paid_in", Decimal("20"), "Change from the bank"),
        ("paid_out", Decimal("5.5"), "Milk"),
    ]
