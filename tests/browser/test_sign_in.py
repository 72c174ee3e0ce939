"""Signing in, in Chromium: an owner by email and password (the session is an httpOnly cookie
no page script can read, kept across a reload, revoked on sign-out); a manager pairs the
device as a register, and an employee signs in there by PIN."""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD, Shop, screenshot

SIGNED_IN = re.compile(r"^Signed in as ")


def sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def pair_this_device(page: Page, shop: Shop, register_name: str) -> None:
    """As the owner, signed in: pair the browser with a register of the shop's location."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Set up this device as a register").click()
    page.get_by_role("button", name=shop.location_name).click()
    page.get_by_role("button", name=register_name).click()


def test_an_owner_signs_in_and_out_and_no_script_can_reach_the_session(
    shop: Shop, page: Page
) -> None:
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, "not the password")
    expect(page.get_by_role("alert")).to_have_text("That email and password do not match.")

    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    expect(page.get_by_text(SIGNED_IN)).to_be_visible()
    assert page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]") == [
        0,
        0,
        "",
    ]
    [cookie] = [c for c in page.context.cookies() if c["name"].endswith("tp_session")]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/")
    screenshot(page, "home-owner")

    page.reload()
    expect(page.get_by_text(SIGNED_IN)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # The cookie, copied before the sign-out, is dead on the server.
    copied = {cookie["name"]: cookie["value"]}
    current = httpx.get(shop.url("/v1/browser-sessions/current"), cookies=copied)
    assert current.status_code == 401


def test_a_manager_pairs_a_register_and_an_employee_signs_in_by_pin(shop: Shop, page: Page) -> None:
    register_name, employee = shop.register_with_employee("Front counter", "Casey", pin="4321")
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    pair_this_device(page, shop, register_name)
    expect(page.get_by_test_id("register-name")).to_have_text(f"On register {register_name}")
    page.get_by_role("button", name="Sign out").click()

    # Nobody signed in on a paired register: who is here, then the PIN.
    expect(page.get_by_role("heading", name=f"Who is at {register_name}?")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name=employee).click()
    for digit in "9999":
        page.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert")).to_have_text("That PIN is not right. Try again.")
    screenshot(page, "pin-pad")
    assert serious_violations(page) == []
    page.keyboard.type("4321")
    page.keyboard.press("Enter")
    # The register's own screen: the shift is closed, so it asks for the float first.
    expect(page.get_by_role("heading", name="Open the shift")).to_be_visible()
    expect(page.get_by_test_id("register-name")).to_have_text(f"On register {register_name}")
    expect(page.get_by_text(employee, exact=True)).to_be_visible()
    # An employee does not pair registers.
    assert page.get_by_role("button", name=re.compile("register")).count() == 0
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name=f"Who is at {register_name}?")).to_be_visible()


def test_home_leads_a_new_owner_from_sign_in_to_the_register(shop: Shop, page: Page) -> None:
    """No document needed: Home says to set the device up as a register, then to open it."""
    register_name, employee = shop.register_with_employee("Window till", "Robin", pin="8642")
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    expect(page.get_by_text("To sell on this device, set it up")).to_be_visible()
    page.get_by_role("button", name="Set up this device as a register").click()
    page.get_by_role("button", name=shop.location_name).click()
    page.get_by_role("button", name=register_name).click()
    expect(page.get_by_text(f"This device is register {register_name}.")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "office-home")
    page.get_by_role("button", name="Open the register (sign out for PIN sign-in)").click()
    expect(page.get_by_role("heading", name=f"Who is at {register_name}?")).to_be_visible()
    expect(page.get_by_role("button", name=employee)).to_be_visible()


def test_the_pin_screen_lists_an_employee_added_while_the_register_was_in_use(
    shop: Shop, page: Page
) -> None:
    register_name, first = shop.register_with_employee("Side till", "Alex", pin="1470")
    page.goto(shop.url())
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    pair_this_device(page, shop, register_name)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name=first)).to_be_visible()
    # The owner hires someone on another device meanwhile.
    roles = shop.api.get("/v1/roles", params={"pageSize": 100}).json()["items"]
    cashier = next(r["roleId"] for r in roles if r["name"] == "cashier")
    shop.post(
        "/v1/employees",
        {"name": "Sam", "roleId": cashier, "locationIds": [shop.location_id], "pin": "2581"},
    )
    page.get_by_role("button", name=first).click()
    page.keyboard.type("1470")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Open the shift")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sam").click()
    page.keyboard.type("2581")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Open the shift")).to_be_visible()
