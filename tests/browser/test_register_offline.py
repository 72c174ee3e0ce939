"""Selling with the server out of reach, in Chromium: the register's shell comes from its
service worker, the sales wait on the device (the status bar counts them) and reach the server
when it answers again — each once, in order, with the time it was rung up, even when the
answer to a submission is lost on the way back. A sale the server prices differently is shown
to the cashier until they acknowledge it, and is not recorded."""

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from playwright.sync_api import Page, Route, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import Shop, screenshot, wedge_scan
from tests.browser.test_register_sale import item, pin_in_at_a_new_register

BROWNIE_BARCODE = "5901234123457"
# After a failed submission the outbox tries again every 5 s; a little room on a busy machine.
DRAINED = 30_000


def _open_shift(page: Page) -> None:
    page.get_by_label("Cash in the drawer").fill("100")
    page.get_by_role("button", name="Open the shift").click()


def _sell_for_cash(page: Page, name: str, total: str, handed: str, scan: str = "") -> None:
    expect(item(page, name)).to_be_visible()
    if scan:
        wedge_scan(page, scan)
    else:
        item(page, name).click()
    expect(page.get_by_test_id("grand-total")).to_have_text(total)
    page.get_by_role("button", name=f"Charge {total}").click()
    page.get_by_label("Cash handed over").fill(handed)
    page.get_by_role("button", name="Take cash").click()
    expect(page.get_by_role("heading", name="Paid")).to_be_visible()


def _register_orders(shop: Shop, register: str) -> list[dict[str, Any]]:
    registers = shop.api.get(f"/v1/locations/{shop.location_id}/registers").json()["items"]
    register_id = next(r["registerId"] for r in registers if r["name"] == register)
    orders = shop.api.get("/v1/orders", params={"pageSize": 100}).json()["items"]
    mine = [o for o in orders if o["registerId"] == register_id]
    return sorted(mine, key=lambda o: o["receiptNumber"])


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.2)


def _at(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def test_sales_rung_up_offline_reach_the_server_once_with_their_times(
    shop: Shop, page: Page
) -> None:
    shop.post("/v1/catalog/products", {"name": "Oat latte", "sku": "OL-1", "price": 4.20})
    shop.post(
        "/v1/catalog/products",
        {"name": "Brownie", "sku": "BR-1", "price": 3.10, "barcode": BROWNIE_BARCODE},
    )
    register = pin_in_at_a_new_register(page, shop, "Window till", "1357")
    _open_shift(page)
    # The service worker holds the shell once it controls the page.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # Chromium finds the manifest whole and the app installable (a test context is a private
    # window, where Chromium installs nothing: the one error it may give).
    devtools = page.context.new_cdp_session(page)
    assert devtools.send("Page.getAppManifest")["errors"] == []
    refusals = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert {r["errorId"] for r in refusals} <= {"in-incognito"}, refusals
    _sell_for_cash(page, "Oat latte", "$4.20", "5")
    expect(page.get_by_test_id("connection")).to_have_text("Online")

    page.context.set_offline(True)
    rung_up: list[tuple[datetime, datetime]] = []
    for count, (name, total, scan) in enumerate(
        [
            ("Brownie", "$3.10", ""),
            ("Oat latte", "$4.20", ""),
            ("Brownie", "$3.10", BROWNIE_BARCODE),
        ],
        start=1,
    ):
        page.get_by_role("button", name="New sale").click()
        before = datetime.now(UTC)
        _sell_for_cash(page, name, total, "10", scan)
        rung_up.append((before, datetime.now(UTC)))
        expect(page.get_by_test_id("connection")).to_have_text("Offline")
        waiting = "1 sale waiting" if count == 1 else f"{count} sales waiting"
        expect(page.get_by_test_id("sales-waiting")).to_have_text(waiting)
    expect(page.get_by_test_id("change-due")).to_have_text("Change due: $6.90")

    # A reload with no server: the shell from the service worker, the sale screen from what
    # the device kept, the three sales still waiting.
    page.reload()
    expect(page.get_by_test_id("sales-waiting")).to_have_text("3 sales waiting")
    expect(page.get_by_test_id("connection")).to_have_text("Offline")
    item(page, "Oat latte").click()
    expect(page.get_by_test_id("grand-total")).to_have_text("$4.20")
    assert serious_violations(page) == []
    screenshot(page, "register-offline-sales-waiting")
    assert _register_orders(shop, register)[1:] == []

    # The cashier signs out offline: the register waits for the next PIN; the session is
    # revoked on the server once the sales rung up with it are sent.
    session = {c["name"]: c["value"] for c in page.context.cookies() if "session" in c["name"]}
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Who is at Window till?")).to_be_visible()

    # Back online; the server's answers to the first order and to the first payment sent are
    # lost on the way back (the server did the work).
    lost: list[str] = []

    def lose_first_answer(route: Route) -> None:
        kind = "payment" if route.request.url.endswith("/payments") else "order"
        if route.request.method == "POST" and kind not in lost:
            route.fetch()
            lost.append(kind)
            route.abort()
        else:
            route.continue_()

    page.route("**/v1/orders", lose_first_answer)
    page.route("**/v1/orders/*/payments", lose_first_answer)
    back_online = datetime.now(UTC)
    page.context.set_offline(False)
    expect(page.get_by_test_id("sales-waiting")).to_have_count(0, timeout=DRAINED)
    expect(page.get_by_test_id("connection")).to_have_text("Online")
    _wait_for(
        lambda: (
            httpx.get(shop.url("/v1/browser-sessions/current"), cookies=session).status_code == 401
        )
    )

    assert sorted(lost) == ["order", "payment"]
    orders = _register_orders(shop, register)
    assert len(orders) == 4  # the online one and the three offline: no duplicate
    offline = orders[1:]
    assert [o["status"] for o in orders] == ["completed"] * 4
    assert len({o["clientOrderId"] for o in orders}) == 4
    assert [[(line["sku"], line["quantity"]) for line in o["lineItems"]] for o in offline] == [
        [("BR-1", 1)],
        [("OL-1", 1)],
        [("BR-1", 1)],
    ]
    assert [Decimal(str(o["totals"]["grandTotal"])) for o in offline] == [
        Decimal("3.10"),
        Decimal("4.20"),
        Decimal("3.10"),
    ]
    # Sent in the order they were rung up, each with the time it was rung up (not when it
    # reached the server).
    for order, (before, after) in zip(offline, rung_up, strict=True):
        occurred = _at(order["occurredAt"])
        assert before.replace(microsecond=0) <= occurred <= after, (occurred, before, after)
        assert occurred < back_online
        [payment] = order["payments"]  # paid once, though an answer was lost
        assert payment["tenderType"] == "cash"
        assert Decimal(str(payment["amountTendered"])) == Decimal("10")


def test_a_sale_whose_price_changed_offline_is_shown_to_the_cashier(shop: Shop, page: Page) -> None:
    scone = shop.post("/v1/catalog/products", {"name": "Cheese scone", "sku": "CS-1", "price": 2.5})
    register = pin_in_at_a_new_register(page, shop, "Side till", "8642")
    _open_shift(page)
    expect(item(page, "Cheese scone")).to_be_visible()

    page.context.set_offline(True)
    _sell_for_cash(page, "Cheese scone", "$2.50", "5")
    expect(page.get_by_test_id("sales-waiting")).to_have_text("1 sale waiting")
    changed = shop.api.patch(f"/v1/catalog/products/{scone['productId']}", json={"price": 2.8})
    assert changed.status_code == 200, changed.text

    page.context.set_offline(False)
    refused = page.get_by_test_id("refused-sale")
    expect(refused).to_contain_text(
        "The server's total is $2.80, the register charged $2.50", timeout=DRAINED
    )
    expect(refused).to_contain_text("1 × Cheese scone")
    expect(page.get_by_test_id("sales-waiting")).to_have_count(0)
    assert serious_violations(page) == []
    screenshot(page, "register-offline-refused")

    # Kept across a reload until the cashier has seen it; never recorded, never sent again.
    page.reload()
    expect(refused).to_have_count(1)
    page.get_by_role("button", name="Got it").click()
    expect(refused).to_have_count(0)
    page.reload()
    expect(item(page, "Cheese scone")).to_be_visible()
    expect(refused).to_have_count(0)
    assert _register_orders(shop, register) == []


def test_a_sale_of_stock_that_ran_out_offline_is_shown_to_the_cashier(
    shop: Shop, page: Page
) -> None:
    shop.post("/v1/catalog/products", {"name": "Sourdough loaf", "sku": "SL-1", "price": 6})
    stock = {"locationId": shop.location_id, "items": [{"sku": "SL-1", "deltaQuantity": 1}]}
    shop.post("/v1/inventory/adjustments", {**stock, "reason": "received"})
    strict = shop.api.patch(f"/v1/locations/{shop.location_id}", json={"allowNegativeStock": False})
    assert strict.status_code == 200, strict.text
    try:
        register = pin_in_at_a_new_register(page, shop, "Bakery till", "9753")
        _open_shift(page)
        expect(item(page, "Sourdough loaf")).to_be_visible()

        page.context.set_offline(True)
        _sell_for_cash(page, "Sourdough loaf", "$6.00", "10")
        expect(page.get_by_test_id("sales-waiting")).to_have_text("1 sale waiting")
        # Meanwhile the last loaf leaves the shop another way.
        gone = {**stock, "items": [{"sku": "SL-1", "deltaQuantity": -1}]}
        shop.post("/v1/inventory/adjustments", {**gone, "reason": "damage"})

        page.context.set_offline(False)
        refused = page.get_by_test_id("refused-sale")
        expect(refused).to_contain_text("1 × Sourdough loaf", timeout=DRAINED)
        expect(refused.get_by_role("alert")).to_have_text("Not enough stock for every line.")
        expect(page.get_by_test_id("sales-waiting")).to_have_count(0)
        assert _register_orders(shop, register) == []
        page.get_by_role("button", name="Got it").click()
        expect(refused).to_have_count(0)
    finally:
        shop.api.patch(f"/v1/locations/{shop.location_id}", json={"allowNegativeStock": True})


def test_the_manifest_icons_and_service_worker_are_served_under_the_app_csp(shop: Shop) -> None:
    manifest = httpx.get(shop.url("/app/manifest.webmanifest"))
    assert manifest.status_code == 200
    app = manifest.json()
    assert (app["start_url"], app["scope"], app["display"]) == ("/app/", "/app/", "standalone")
    assert {icon["purpose"] for icon in app["icons"]} == {"any", "maskable"}
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in app["icons"]}
    for icon in [*app["icons"], {"src": "/app/apple-touch-icon.png", "type": "image/png"}]:
        served = httpx.get(shop.url(icon["src"]))
        assert (served.status_code, served.headers["content-type"]) == (200, icon["type"])
        assert served.content.startswith(b"<svg" if icon["type"] == "image/svg+xml" else b"\x89PNG")
    worker = httpx.get(shop.url("/app/sw.js"))
    assert worker.status_code == 200
    assert "javascript" in worker.headers["content-type"]
    assert worker.headers["cache-control"] == "no-cache"  # a new worker reaches the register
    csp = worker.headers["content-security-policy"]
    assert "worker-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
