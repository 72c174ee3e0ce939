"""The back office's settings in Chromium, as a manager and an owner would use them: a register
added, paired with this device and unpaired; an employee with a PIN who then PINs in there; a
tax rate; a printer that prints a test page to a real TCP listener; a webhook to a real HTTP
receiver, its test in the delivery log, redelivered; an API key shown once that works. Each is
checked on the server through the API; the server's field errors show on their fields."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import (
    DESKTOP,
    OWNER_EMAIL,
    OWNER_PASSWORD,
    Shop,
    open_shop,
    screenshot,
)
from tests.browser.test_sign_in import sign_in
from tests.support.printer_listener import threaded_printer_listener
from tests.support.webhook_receivers import Receiver
from tillpoint.webhooks import verify

MANAGER_EMAIL, MANAGER_PASSWORD = "manager@browser.example.com", "manager-test-pw"
ESC_INIT, GS_CUT = b"\x1b@", b"\x1dV"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """conftest's shop, run as a developer would with printers and webhook receivers allowed
    on this machine (the tests' stand-ins listen on 127.0.0.1); and a manager."""
    with open_shop(
        tmp_path_factory.mktemp("settings"),
        TILLPOINT_PRINTER_ALLOW_LOOPBACK="true",
        TILLPOINT_WEBHOOK_ALLOW_PRIVATE="true",
    ) as made:
        api = made.api
        roles = api.get("/v1/roles", params={"pageSize": 100}).json()["items"]
        manager = next(r["roleId"] for r in roles if r["name"] == "manager")
        made.post(
            "/v1/users",
            {
                "email": MANAGER_EMAIL,
                "name": "Morgan",
                "password": MANAGER_PASSWORD,
                "roleId": manager,
                "currentPassword": OWNER_PASSWORD,
            },
        )
        yield made


def open_settings(page: Page, shop: Shop, email: str, password: str, tab: str) -> None:
    page.goto(shop.url())
    sign_in(page, email, password)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings pages").get_by_role("link", name=tab).click()


def untouchable(page: Page) -> list[str]:
    """The visible controls smaller than a fingertip (44 px); a checkbox counts by its label,
    which is what a finger touches."""
    small: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('button, input, a, select')]
        .map((el) => [el, (el.type === 'checkbox' ? el.closest('label') : el)])
        .map(([el, target]) => [el, target.getBoundingClientRect()])
        .filter(([, box]) => box.width > 0 && (box.height < 44 || box.width < 44))
        .map(([el]) => el.outerHTML.slice(0, 80))"""
    )
    return small


def said(page: Page) -> Locator:
    """What the page said went well (the status bar's connection state is another status)."""
    return page.get_by_role("main").get_by_role("status")


def credentials(shop: Shop, register_id: str) -> list[dict[str, Any]]:
    path = f"/v1/locations/{shop.location_id}/registers/{register_id}/credentials"
    items: list[dict[str, Any]] = shop.api.get(path).json()["items"]
    return items


def test_a_manager_adds_a_register_pairs_it_an_employee_and_a_tax_rate(
    shop: Shop, page: Page
) -> None:
    open_settings(page, shop, MANAGER_EMAIL, MANAGER_PASSWORD, "Locations")
    tabs = page.get_by_role("navigation", name="Settings pages")
    for shown in ("Locations", "Employees", "Users", "Taxes", "Printers"):
        expect(tabs.get_by_role("link", name=shown)).to_be_visible()
    # A manager's role has no webhooks:manage or api_keys:manage: those pages are absent.
    assert tabs.get_by_role("link", name="Webhooks").count() == 0
    assert tabs.get_by_role("link", name="API keys").count() == 0

    # What holds for every location: here, cash tenders rounded to 0.05.
    shop_form = page.get_by_role("form", name="The shop (every location)")
    expect(shop_form).to_contain_text("Currency: USD")
    cash_rounding = shop_form.get_by_label("Cash rounding, in the smallest unit (5 rounds to 0.05)")
    cash_rounding.fill("500")  # more than a currency unit: the server refuses it on the field
    shop_form.get_by_role("button", name="Save").click()
    expect(page.locator("#shop-cash-rounding-error")).to_be_visible()
    cash_rounding.fill("5")
    shop_form.get_by_role("button", name="Save").click()
    expect(shop_form.get_by_role("status")).to_have_text("Saved.")
    assert shop.api.get("/v1/tenant").json()["cashRoundingIncrement"] == 5
    screenshot(page, "settings-locations")

    page.get_by_role("link", name="Corner Shop").click()
    page.get_by_role("button", name="Add register").click()  # no name: the server says why
    name_field = page.get_by_label("Register name")
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#register-new-name-error")).to_be_visible()
    name_field.fill("Till 2")
    page.get_by_role("button", name="Add register").click()
    row = page.get_by_test_id("register-row").filter(has_text="Till 2")
    expect(row).to_contain_text("Not paired")
    [register] = [
        r
        for r in shop.api.get(f"/v1/locations/{shop.location_id}/registers").json()["items"]
        if r["name"] == "Till 2"
    ]
    assert untouchable(page) == []
    assert serious_violations(page) == []
    screenshot(page, "settings-location")

    page.get_by_role("button", name="Pair this device as Till 2").click()
    expect(said(page)).to_have_text("This device is now register Till 2.")
    expect(row).to_contain_text("Paired with this device")
    expect(page.get_by_test_id("register-name")).to_have_text("On register Till 2")
    [live] = credentials(shop, register["registerId"])
    assert live["revokedAt"] is None

    page.get_by_role("button", name="Unpair Till 2").click()
    expect(said(page)).to_have_text("Till 2 is no longer paired.")
    expect(row).to_contain_text("Not paired")
    expect(page.get_by_test_id("register-name")).to_have_count(0)
    assert [c["revokedReason"] for c in credentials(shop, register["registerId"])] == ["unpaired"]
    page.get_by_role("button", name="Pair this device as Till 2").click()
    expect(row).to_contain_text("Paired with this device")

    page.get_by_role("link", name="Employees").click()
    page.get_by_label("Name", exact=True).fill("Robin")
    page.get_by_label("PIN (optional)").fill("123456789")  # longer than a PIN may be
    page.get_by_role("checkbox", name="Corner Shop").check()
    page.get_by_role("button", name="Add employee").click()
    expect(page.locator("#employee-pin-error")).to_be_visible()
    page.get_by_label("PIN (optional)").fill("5678")
    page.get_by_role("button", name="Add employee").click()
    expect(said(page)).to_have_text("Robin added.")
    expect(page.get_by_role("row", name="Robin")).to_contain_text("Set")
    employees = shop.api.get("/v1/employees").json()["items"]
    [robin] = [e for e in employees if e["name"] == "Robin"]
    assert (robin["hasPin"], robin["locationIds"], robin["active"]) == (
        True,
        [shop.location_id],
        True,
    )
    assert serious_violations(page) == []
    screenshot(page, "settings-employees")
    # Robin forgot it: a new PIN, set by editing.
    page.get_by_role("button", name="Edit Robin").click()
    page.get_by_label("New PIN (empty keeps the current one)").fill("8765")
    page.get_by_role("button", name="Save").click()
    expect(said(page)).to_have_text("Robin saved.")

    page.get_by_role("link", name="Taxes").click()
    new_rate = page.get_by_role("form", name="New tax rate")
    new_rate.get_by_label("Name").fill("State tax")
    new_rate.get_by_label("Rate (%)").fill("eight")
    page.get_by_role("button", name="Add tax rate").click()
    expect(page.locator("#tax-rate-rate-error")).to_be_visible()
    page.get_by_label("Rate (%)").fill("8.875")
    page.get_by_role("button", name="Add tax rate").click()
    expect(page.get_by_test_id("tax-rate").filter(has_text="State tax")).to_contain_text("8.875 %")
    rates = shop.api.get(f"/v1/locations/{shop.location_id}/tax-rates").json()["items"]
    assert [(r["name"], r["rate"], r["taxClass"]) for r in rates if r["active"]] == [
        ("State tax", 8.875, "standard")
    ]
    assert serious_violations(page) == []
    screenshot(page, "settings-taxes")

    # Robin can now PIN in, with the new PIN, at the register this device was paired with.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Who is at Till 2?")).to_be_visible()
    page.get_by_role("button", name="Robin").click()
    expect(page.get_by_role("heading", name="Robin, enter your PIN")).to_be_visible()
    page.keyboard.type("8765")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Open the shift")).to_be_visible()
    expect(page.get_by_test_id("register-name")).to_have_text("On register Till 2")


def test_a_manager_adds_a_printer_and_prints_a_test_page(shop: Shop, page: Page) -> None:
    with threaded_printer_listener() as listener:
        open_settings(page, shop, MANAGER_EMAIL, MANAGER_PASSWORD, "Printers")
        page.get_by_label("Name", exact=True).fill("Front counter")
        page.get_by_label("Host (IP address or name)").fill("999.1.1.1")
        page.get_by_label("Port").fill(str(listener.port))
        page.get_by_role("button", name="Add printer").click()
        expect(page.locator("#printer-host-error")).to_contain_text("not an IPv4 address")
        page.get_by_label("Host (IP address or name)").fill("127.0.0.1")
        page.get_by_role("button", name="Add printer").click()
        row = page.get_by_test_id("printer-row").filter(has_text="Front counter")
        expect(row).to_contain_text(f"127.0.0.1:{listener.port}")
        assert serious_violations(page) == []
        screenshot(page, "settings-printers")

        page.get_by_role("button", name="Test print on Front counter").click()
        job = listener.next_job()
        expect(said(page)).to_have_text(f"Test page sent to Front counter ({len(job)} bytes).")
        assert job.startswith(ESC_INIT)
        assert b"Tillpoint test print" in job
        assert b"Front counter" in job
        assert b"Corner Shop" in job
        assert job[-3:] == GS_CUT + b"\x00"
        printers = shop.api.get(f"/v1/locations/{shop.location_id}/printers").json()["items"]
        assert [(p["name"], p["type"], p["port"]) for p in printers] == [
            ("Front counter", "receipt", listener.port)
        ]


def test_an_owner_adds_a_webhook_tests_and_redelivers_it_and_makes_an_api_key(
    shop: Shop, page: Page
) -> None:
    with Receiver() as receiver:
        open_settings(page, shop, OWNER_EMAIL, OWNER_PASSWORD, "Webhooks")
        page.get_by_label("URL").fill(receiver.url("/hook"))
        page.get_by_label("Events").fill("no such event")
        page.get_by_role("button", name="Add webhook").click()
        expect(page.locator("#webhook-events-error")).to_be_visible()
        page.get_by_label("Events").fill("order.completed, product.*")
        page.get_by_role("button", name="Add webhook").click()
        secret = page.get_by_role("textbox", name="Signing secret").input_value()
        assert secret
        page.get_by_role("link", name=receiver.url("/hook")).click()
        page.get_by_role("button", name="Send a test").click()
        expect(said(page)).to_have_text("Test event sent; it shows in the log below.")
        deliveries = page.get_by_test_id("delivery")
        expect(deliveries).to_have_count(1)
        expect(deliveries.first).to_contain_text("webhook.test")
        for _ in range(50):  # the delivery is sent by the server's worker, just after
            if "succeeded" in (deliveries.first.text_content() or ""):
                break
            page.get_by_role("button", name="Refresh").click()
            page.wait_for_timeout(200)
        expect(deliveries.first).to_contain_text("succeeded")
        expect(deliveries.first).to_contain_text("HTTP 200")
        [test] = receiver.requests("/hook")
        # The secret shown once is the one that signs.
        assert verify(secret, test.headers, test.body)["type"] == "webhook.test"
        assert serious_violations(page) == []
        screenshot(page, "settings-webhook")

        page.get_by_role("button", name="Rotate the secret").click()
        rotated = page.get_by_role("textbox", name="Signing secret").input_value()
        assert rotated
        assert rotated != secret

        deliveries.first.get_by_role("button", name="Redeliver").click()
        # The log says so (the page above still says the test went out).
        expect(said(page).filter(has_text="sent again")).to_have_text("webhook.test sent again.")
        expect(deliveries).to_have_count(2)
        for _ in range(50):
            if len(receiver.requests("/hook")) == 2:
                break
            page.wait_for_timeout(200)
        first, again = receiver.requests("/hook")
        assert again.event_id == first.event_id
        # Signed with the new secret (the old one signs beside it for a day).
        assert verify(rotated, again.headers, again.body)["type"] == "webhook.test"
        [webhook] = shop.api.get("/v1/webhooks").json()["items"]
        logged = shop.api.get(f"/v1/webhooks/{webhook['webhookId']}/deliveries").json()["items"]
        assert sorted(d["kind"] for d in logged) == ["redelivery", "test"]
        assert webhook["eventTypes"] == ["order.completed", "product.*"]

    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name", exact=True).fill("Accounting export")
    page.get_by_role("checkbox", name="(orders:read)").check()
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_role("textbox", name="The new API key").input_value()
    assert key.startswith("tp_")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(said(page).filter(has_text="Copied.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == key
    assert serious_violations(page) == []
    assert untouchable(page) == []
    screenshot(page, "settings-api-keys")
    page.set_viewport_size(DESKTOP)
    assert untouchable(page) == []
    screenshot(page, "settings-api-keys-desktop")
    authorized = {"Authorization": f"Bearer {key}"}
    assert httpx.get(shop.url("/v1/orders"), headers=authorized).status_code == 200
    assert httpx.get(shop.url("/v1/employees"), headers=authorized).status_code == 403
    # Shown once: after a reload the key is nowhere on the page.
    page.reload()
    expect(page.get_by_test_id("api-key").filter(has_text="Accounting export")).to_be_visible()
    assert key not in page.content()
    page.get_by_role("button", name="Revoke Accounting export").click()
    expect(said(page)).to_have_text("Accounting export revoked.")
    assert httpx.get(shop.url("/v1/orders"), headers=authorized).status_code == 401


def test_an_owner_adds_a_role_and_a_user_with_it(shop: Shop, page: Page) -> None:
    open_settings(page, shop, OWNER_EMAIL, OWNER_PASSWORD, "Users")
    new_role = page.get_by_role("form", name="New role")
    new_role.get_by_label("Name", exact=True).fill("Shift lead")
    for permission in ("(orders:read)", "(orders:refund)"):
        new_role.get_by_role("checkbox", name=permission).check()
    new_role.get_by_role("button", name="Add role").click()
    expect(said(page)).to_have_text("Shift lead saved.")

    new_user = page.get_by_role("form", name="New user")
    new_user.get_by_label("Name", exact=True).fill("Jamie")
    new_user.get_by_label("Email").fill("jamie@browser.example.com")
    new_user.get_by_label("Their password").fill("jamie-first-pw")
    new_user.get_by_label("Role").select_option(label="Shift lead")
    new_user.get_by_label("Your own password, to confirm").fill(OWNER_PASSWORD)
    new_user.get_by_role("button", name="Add user").click()
    expect(said(page)).to_have_text("Jamie added.")
    assert serious_violations(page) == []
    screenshot(page, "settings-users")

    roles = shop.api.get("/v1/roles", params={"pageSize": 100}).json()["items"]
    [lead] = [r for r in roles if r["name"] == "Shift lead"]
    assert sorted(lead["permissions"]) == ["orders:read", "orders:refund"]
    users = shop.api.get("/v1/users", params={"pageSize": 100}).json()["items"]
    [jamie] = [u for u in users if u["email"] == "jamie@browser.example.com"]
    assert (jamie["name"], jamie["roleId"], jamie["active"]) == ("Jamie", lead["roleId"], True)
    # Jamie signs in with the password given, with the role's permissions.
    login = httpx.post(
        shop.url("/v1/sessions"),
        json={"username": "jamie@browser.example.com", "password": "jamie-first-pw"},
    )
    assert login.status_code == 201, login.text
