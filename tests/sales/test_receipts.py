"""Receipts over HTTP in every format, and printing to a real TCP listener (ESC/POS)."""

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from babel.numbers import format_currency

from tests.support.printer_listener import PrinterListener, printer_listener
from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFactory, TenantFixture, add_api_key, add_user, bearer
from tillpoint.sales.receipts.rendering import WIDTH, render_html, render_text
from tillpoint.sales.receipts.service import ReceiptPlace, build_receipt
from tillpoint.sales.schemas import (
    AppliedDiscountOut,
    LineItemOut,
    OrderOut,
    PaymentOut,
    RefundSummaryOut,
    ServiceChargeOut,
    TaxOut,
    TotalsOut,
)

Json = dict[str, Any]
ESC_INIT = b"\x1b@"
GS_BARCODE = b"\x1dk"
GS_CUT = b"\x1dV"


def usd(amount: Any) -> str:
    return format_currency(Decimal(str(amount)), "USD", locale="en_US")


def assert_fits(text: str) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not too_wide, too_wide


@pytest.fixture
def client(loopback_printer_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """These tests print to stand-ins on 127.0.0.1: they talk to an app that allows printers
    on loopback (TILLPOINT_PRINTER_ALLOW_LOOPBACK=true), on the same database."""
    return loopback_printer_client


@pytest.fixture
async def strict_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The production default: printers are never on loopback."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    shop = await make_shop(client, tenant)
    await shop.post(
        f"/v1/locations/{shop.location_id}/tax-rates",
        {"taxClass": "standard", "name": "City tax", "rate": 1},
    )
    return shop


async def receipt(till: Till, order_id: str, fmt: str) -> httpx.Response:
    response = await till.client.get(
        f"/v1/orders/{order_id}/receipt", params={"format": fmt}, headers=till.auth
    )
    assert response.status_code == 200, response.text
    return response


async def three_line_sale(till: Till) -> Json:
    """Latte with oat milk, two tees with a 10 % staff discount, a mug; $5 off the order, a
    packaging charge and a tip; paid by card."""
    group = await till.post(
        "/v1/catalog/modifier-groups",
        {"name": "Milk", "options": [{"name": "Oat milk", "priceDelta": 0.6}]},
    )
    oat = group["options"][0]["optionId"]
    latte = await till.product("Latte", 4.5, modifierGroupIds=[group["modifierGroupId"]])
    tee = await till.product("Classic Tee", 24)
    mug = await till.product("Mug", 12)
    staff = [{"type": "percentage", "value": 10, "reason": "staff"}]
    return await till.sell(
        till.line(latte, modifiers=[oat]),
        till.line(tee, 2, discounts=staff),
        till.line(mug),
        discounts=[{"type": "fixed", "value": 5, "reason": "promo"}],
        serviceCharges=[{"name": "Packaging", "type": "fixed", "value": 1}],
        tip=2,
    )


async def test_a_completed_card_paid_order_shows_everything(till: Till) -> None:
    order = await three_line_sale(till)
    number = order["receiptNumber"]
    totals = order["totals"]
    assert totals["discountTotal"] == 9.8  # 4.80 on the tees and 5.00 on the order

    body = (await receipt(till, order["orderId"], "json")).json()
    assert (body["orderId"], body["receiptNumber"], body["provisional"]) == (
        order["orderId"],
        number,
        False,
    )
    assert body["barcode"] == {"type": "CODE128", "data": number}
    assert body["totals"] == totals
    assert body["lineItems"] == order["lineItems"]
    assert [(t["name"], t["rate"]) for t in body["taxes"]] == [("Sales tax", 9), ("City tax", 1)]
    assert [(t["label"], t["amount"]) for t in body["tenders"]] == [
        ("Visa ****4242", totals["grandTotal"])
    ]
    assert (body["shopName"], body["currency"], body["timezone"]) == (
        "Test Shop",
        "USD",
        "America/New_York",
    )

    response = await receipt(till, order["orderId"], "text")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    text = response.text
    assert_fits(text)
    completed = datetime.fromisoformat(order["completedAt"].replace("Z", "+00:00"))
    local = completed.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M %Z")
    lines = [line.strip() for line in text.splitlines()]
    for expected in [
        "Test Shop",
        local,
        f"Receipt {number}",
        f"1 x Latte {usd(5.1)}",
        "+ Oat milk (+$0.60)",
        f"2 x Classic Tee {usd(48)}",
        "@ $24.00 each",
        f"Discount 10% (staff) {usd(-4.8)}",
        f"1 x Mug {usd(12)}",
        f"Subtotal {usd(totals['subtotal'])}",
        f"Order discount (promo) {usd(-5)}",
        f"Discount total {usd(-9.8)}",
        f"Packaging {usd(1)}",
        f"Sales tax 9% {usd(order['taxes'][0]['amount'])}",
        f"City tax 1% {usd(order['taxes'][1]['amount'])}",
        f"Tip {usd(2)}",
        f"TOTAL {usd(totals['grandTotal'])}",
        f"Visa ****4242 {usd(totals['grandTotal'])}",
        number,
    ]:
        assert expected in [" ".join(line.split()) for line in lines], (expected, text)
    assert "PROVISIONAL" not in text

    response = await receipt(till, order["orderId"], "html")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    assert "</svg>" in html
    for expected in [number, "Classic Tee", "Oat milk", "Sales tax 9%", "City tax 1%", "TOTAL"]:
        assert expected in html
    assert usd(totals["grandTotal"]) in html

    response = await receipt(till, order["orderId"], "escpos")
    assert response.headers["content-type"] == "application/octet-stream"
    data = response.content
    assert data.startswith(ESC_INIT)
    assert GS_BARCODE + b"I" in data  # CODE128, function B
    assert number.encode() in data
    assert b"Classic Tee" in data
    assert GS_CUT in data[-4:]


async def test_html_escapes_what_users_typed(till: Till) -> None:
    evil = await till.product("<script>alert(1)</script> & <b>", 3)
    order = await till.sell(till.line(evil), notes='"><img src=x onerror=alert(2)>')
    html = (await receipt(till, order["orderId"], "html")).text
    assert "<script>" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    # Plain text is plain: it shows the name as typed.
    assert "<script>alert(1)</script>" in (await receipt(till, order["orderId"], "text")).text


async def test_an_open_order_is_a_provisional_bill(till: Till) -> None:
    sku = await till.product("Book", 15)
    order = await till.order(till.line(sku))
    body = (await receipt(till, order["orderId"], "json")).json()
    assert (body["receiptNumber"], body["provisional"], body["barcode"]) == (None, True, None)
    text = (await receipt(till, order["orderId"], "text")).text
    assert "PROVISIONAL BILL" in text
    assert "Not a receipt" in text
    assert "Receipt R-" not in text
    assert f"BALANCE DUE {usd(order['totals']['balanceDue'])}" in " ".join(text.split())
    data = (await receipt(till, order["orderId"], "escpos")).content
    assert GS_BARCODE not in data
    assert b"PROVISIONAL BILL" in data


async def test_refunds_and_voids_show_on_the_receipt(till: Till) -> None:
    mug, tee = await till.product("Mug", 12), await till.product("Tee", 20)
    order = await till.sell(till.line(mug, 2), till.line(tee))
    first = order["lineItems"][0]
    body = {"lineItems": [{"lineItemId": first["lineItemId"], "quantity": 1}], "reason": "chipped"}
    refund = await till.post(f"/v1/orders/{order['orderId']}/refunds", body)
    text = " ".join((await receipt(till, order["orderId"], "text")).text.split())
    day = datetime.fromisoformat(refund["createdAt"].replace("Z", "+00:00"))
    day_text = day.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d")
    assert f"Refund {day_text}: chipped {usd(-refund['amount'])}" in text
    assert f"Refunded total {usd(-refund['amount'])}" in text
    assert "Refunded: 1" in text
    assert f"Receipt {order['receiptNumber']}" in text

    other = await till.sell(till.line(mug))
    await till.call("POST", f"/v1/orders/{other['orderId']}/void", {"reason": "wrong card"})
    text = (await receipt(till, other["orderId"], "text")).text
    assert "*** VOIDED ***" in text
    assert "wrong card" in text
    assert f"Receipt {other['receiptNumber']}" in text


async def test_cash_tendered_and_change(till: Till) -> None:
    sku = await till.product("Book", 15)
    order = await till.order(till.line(sku))  # 16.50 with 9 % and 1 % tax
    paid = await till.pay(order, order["totals"]["grandTotal"], "cash", amountTendered=20)
    change = paid["payment"]["changeDue"]
    assert change > 0
    text = " ".join((await receipt(till, order["orderId"], "text")).text.split())
    for expected in [
        f"Cash {usd(paid['payment']['amount'])}",
        f"Tendered {usd(20)}",
        f"Change {usd(change)}",
        f"CHANGE {usd(change)}",
    ]:
        assert expected in text


async def test_long_text_stays_within_42_columns(till: Till) -> None:
    long_name = "Extraordinarily-long-unbroken-product-name-" * 4 + " and then some words"
    sku = await till.product(long_name[:200], 123456.78)
    discount = [{"type": "fixed", "value": 1, "reason": "r" * 200}]
    order = await till.sell(till.line(sku, 1234, discounts=discount), notes="n " * 300)
    text = (await receipt(till, order["orderId"], "text")).text
    assert_fits(text)
    assert "123,456.78" in text


async def test_printer_commands_in_names_are_not_sent_to_the_printer(till: Till) -> None:
    # ESC p kicks the cash drawer, GS V cuts: typed into a product name they must print as text.
    sku = await till.product("Drawer\x1bp0\x19\x1dV1 kick", 3)
    order = await till.sell(till.line(sku))
    data = (await receipt(till, order["orderId"], "escpos")).content
    assert b"\x1bp" not in data
    assert data.count(GS_CUT) == 1
    assert b"Drawer" in data
    assert b"kick" in data


async def test_unknown_format_and_unknown_order(till: Till) -> None:
    order = await till.sell(till.line(await till.product()))
    path = f"/v1/orders/{order['orderId']}/receipt"
    response = await till.client.get(path, params={"format": "pdf"}, headers=till.auth)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    for bad in ["ord_01JD0000000000000000000000", "prd_01JD0000000000000000000000", "x"]:
        await till.error("GET", f"/v1/orders/{bad}/receipt", None, 404, "NOT_FOUND")
        await till.error("POST", f"/v1/orders/{bad}/receipt/print", {}, 404, "NOT_FOUND")


async def test_receipts_follow_tenant_location_and_permissions(
    client: httpx.AsyncClient, tenant: TenantFixture, till: Till, make_tenant: TenantFactory
) -> None:
    order = await till.sell(till.line(await till.product()))
    path = f"/v1/orders/{order['orderId']}/receipt"
    intruder = await make_tenant(name="Intruder")
    calls: list[tuple[str, str, Json | None]] = [("GET", path, None), ("POST", f"{path}/print", {})]
    for method, url, body in calls:
        response = await client.request(method, url, json=body, headers=intruder.headers)
        assert response.status_code == 404, response.text

    other = await client.post("/v1/locations", json={"name": "Other"}, headers=tenant.headers)
    _, token = await add_user(client, tenant, "manager", location_ids=[other.json()["locationId"]])
    response = await client.get(path, headers=bearer(token))
    assert response.status_code == 404, response.text

    reader = await add_api_key(client, tenant, ["orders:read"])
    headers = bearer(reader["key"])
    assert (await client.get(path, headers=headers)).status_code == 200
    response = await client.post(f"{path}/print", json={}, headers=headers)
    assert response.status_code == 403, response.text
    settings_only = bearer((await add_api_key(client, tenant, ["settings:read"]))["key"])
    assert (await client.get(path, headers=settings_only)).status_code == 403


# ---- printing --------------------------------------------------------------------------------


@pytest.fixture
async def listener() -> AsyncIterator[PrinterListener]:
    """A real TCP printer stand-in (``tests/support/printer_listener.py``)."""
    async with printer_listener() as state:
        yield state


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def add_printer(till: Till, address: str, **extra: Any) -> Json:
    body = {"name": "Front", "address": address, **extra}
    return await till.post(f"/v1/locations/{till.location_id}/printers", body)


async def test_printing_delivers_escpos_to_the_printer(
    till: Till, listener: PrinterListener
) -> None:
    order = await three_line_sale(till)
    await add_printer(till, "127.0.0.1:9", type="kitchen")  # never chosen for receipts
    printer = await add_printer(till, f"127.0.0.1:{listener.port}")
    await add_printer(till, "127.0.0.1:9")  # a later receipt printer: the first one wins
    path = f"/v1/orders/{order['orderId']}/receipt/print"
    result = await till.call("POST", path, {})
    await asyncio.wait_for(listener.done.wait(), 5)
    [job] = listener.jobs
    assert result == {"printed": True, "printerId": printer["printerId"], "bytes": len(job)}
    assert job.startswith(ESC_INIT)
    assert order["receiptNumber"].encode() in job
    assert GS_BARCODE + b"I" in job
    assert job[-3:] == GS_CUT + b"\x00"
    expected = (await receipt(till, order["orderId"], "escpos")).content
    assert job == expected

    listener.done.clear()
    named = await till.call("POST", path, {"printerId": printer["printerId"]})
    await asyncio.wait_for(listener.done.wait(), 5)
    assert named["printerId"] == printer["printerId"]
    assert len(listener.jobs) == 2
    assert await till.get(f"/v1/orders/{order['orderId']}") == order
    # Each print is attributed, though it talked to the printer outside its transaction.
    audit = (await till.get("/v1/audit-log", pageSize=200))["items"]
    assert [e["status"] for e in audit if e["path"] == path] == [200, 200]


async def test_an_unreachable_printer_is_a_clear_error_and_the_order_is_untouched(
    till: Till,
) -> None:
    order = await three_line_sale(till)
    port = unused_port()
    printer = await add_printer(till, f"127.0.0.1:{port}")
    events_before = (await till.get("/v1/events"))["items"]
    path = f"/v1/orders/{order['orderId']}/receipt/print"
    error = await till.error("POST", path, {}, 502, "PRINTER_UNREACHABLE")
    assert "Front" in error["message"]
    assert f"127.0.0.1:{port}" in error["message"]
    [detail] = error["details"]
    assert (detail["printerId"], detail["host"], detail["port"]) == (
        printer["printerId"],
        "127.0.0.1",
        port,
    )
    assert detail["reason"]
    after = await till.get(f"/v1/orders/{order['orderId']}")
    assert after == order
    assert (after["status"], after["version"], after["payments"]) == (
        "completed",
        order["version"],
        order["payments"],
    )
    assert (await till.get("/v1/events"))["items"] == events_before


async def test_a_hanging_printer_holds_up_no_other_write(till: Till) -> None:
    """Printing talks to the printer outside the request's transaction: while a print waits
    on a printer that never answers, the shop goes on selling (on SQLite that transaction would
    hold the database's write lock)."""
    order = await three_line_sale(till)
    with socket.socket() as hanging:
        # A printer whose queue is full and which never accepts: connecting hangs.
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(0)
        with socket.create_connection(hanging.getsockname()):  # fills the queue of 1
            await add_printer(till, f"127.0.0.1:{hanging.getsockname()[1]}")
            path = f"/v1/orders/{order['orderId']}/receipt/print"
            printing = asyncio.create_task(till.call("POST", path, {}, 502))
            await asyncio.sleep(1)  # waiting on the printer now (the connect gives up at 3 s)
            assert not printing.done()
            sold = await till.sell(till.line(await till.product()))
            assert not printing.done(), "the sale waited for the print"
            error = await printing
    assert error["error"]["code"] == "PRINTER_UNREACHABLE"
    assert sold["status"] == "completed"


async def test_which_printer(client: httpx.AsyncClient, tenant: TenantFixture, till: Till) -> None:
    order = await till.sell(till.line(await till.product()))
    path = f"/v1/orders/{order['orderId']}/receipt/print"
    error = await till.error("POST", path, {}, 409, "CONFLICT")
    assert "no active receipt printer" in error["message"]
    kitchen = await add_printer(till, "127.0.0.1:9", type="kitchen")
    await till.error("POST", path, {}, 409, "CONFLICT")  # a kitchen printer is no default

    front = await add_printer(till, "127.0.0.1:9")
    await till.call("DELETE", f"/v1/locations/{till.location_id}/printers/{front['printerId']}")
    await till.error("POST", path, {}, 409, "CONFLICT")
    await till.error("POST", path, {"printerId": front["printerId"]}, 409, "CONFLICT")

    elsewhere = await client.post("/v1/locations", json={"name": "B"}, headers=tenant.headers)
    theirs = await till.post(
        f"/v1/locations/{elsewhere.json()['locationId']}/printers",
        {"name": "B", "address": "10.0.0.9"},
    )
    for printer_id in [theirs["printerId"], "prn_01JD0000000000000000000000", order["orderId"]]:
        await till.error("POST", path, {"printerId": printer_id}, 404, "NOT_FOUND")
    assert kitchen["type"] == "kitchen"
    assert await till.get(f"/v1/orders/{order['orderId']}") == order


# ---- rendering what OrderOut carries, for what HTTP tests cannot reach yet ------------------


def _money(value: str) -> Decimal:
    return Decimal(value)


def _order(**changes: Any) -> OrderOut:
    now = datetime(2026, 7, 1, 16, 5, tzinfo=UTC)
    line = LineItemOut(
        line_item_id="li_1",
        product_id="prd_1",
        variant_id="var_1",
        sku="SKU-1",
        name="Pain au chocolat",
        quantity=Decimal(3),
        unit_price=_money("2.50"),
        price_overridden=False,
        modifiers=[],
        discounts=[],
        subtotal=_money("7.50"),
        discount=_money("0"),
        tax=_money("0.68"),
        taxes=[],
        total=_money("7.50"),
        tax_class="food",
        notes="",
        refunded_quantity=Decimal(1),
    )
    values: dict[str, Any] = {
        "order_id": "ord_01JD0000000000000000000000",
        "receipt_number": "R-2026-000007",
        "status": "partially_refunded",
        "location_id": "loc_1",
        "register_id": None,
        "employee_id": None,
        "customer_id": None,
        "source": "register",
        "client_order_id": None,
        "line_items": [line],
        "discounts": [
            AppliedDiscountOut(
                type="percentage", value=Decimal(5), reason=None, amount=_money("0.38")
            )
        ],
        "service_charges": [
            ServiceChargeOut(
                name="Service",
                type="percentage",
                value=Decimal("12.5"),
                taxable=True,
                amount=_money("0.89"),
                tax=_money("0.08"),
            )
        ],
        "taxes": [TaxOut(rate_id="txr_1", name="TVA", rate=Decimal("10"), amount=_money("0.76"))],
        "totals": TotalsOut(
            subtotal=_money("6.82"),
            discount_total=_money("0.34"),
            tax_total=_money("0.76"),
            tip_total=_money("0"),
            service_charge_total=_money("0.81"),
            grand_total=_money("8.05"),
            tax_included=True,
            cash_rounding=_money("-0.05"),
            paid=_money("8.00"),
            balance_due=_money("0"),
            refunded=_money("2.50"),
        ),
        "payments": [
            PaymentOut(
                payment_id="pay_1",
                tender_type="cash",
                amount=_money("8.00"),
                amount_tendered=_money("10.00"),
                change_due=_money("2.00"),
                status="captured",
                card_brand=None,
                card_last4=None,
                processor_ref=None,
                authorization_code=None,
                reference=None,
                refunded=_money("2.50"),
                register_id=None,
                shift_id=None,
                created_at=now,
            )
        ],
        "refunds": [
            RefundSummaryOut(
                refund_id="ref_1", amount=_money("2.50"), reason="stale", created_at=now
            )
        ],
        "notes": "",
        "shift_id": None,
        "exchange_refund_id": None,
        "exchange_order_id": None,
        "occurred_at": now,
        "completed_at": now,
        "voided_at": None,
        "void_reason": None,
        "version": 4,
        "created_at": now,
        "updated_at": now,
    }
    return OrderOut(**(values | changes))


PARIS = ReceiptPlace(
    "Boulangerie <Dupont>",
    "Rue de Rivoli",
    {"line1": "1 rue de Rivoli", "city": "Paris", "postalCode": "75001", "country": "FR"},
    "Europe/Paris",
    "EUR",
)


def test_render_refunds_rounding_inclusive_tax_and_service_charges() -> None:
    text = render_text(build_receipt(_order(), PARIS))
    assert_fits(text)
    flat = [" ".join(line.split()) for line in text.splitlines()]
    for expected in [
        "Boulangerie <Dupont>",
        "Paris, 75001",
        "2026-07-01 18:05 CEST",
        "Receipt R-2026-000007",
        "3 x Pain au chocolat €7.50",
        "@ €2.50 each",
        "Refunded: 1",
        "Order discount 5% -€0.38",
        "Service 12.5% €0.89",
        "incl. TVA 10% €0.76",
        "Cash rounding -€0.05",
        "TOTAL €8.05",
        "Cash €8.00",
        "Tendered €10.00",
        "CHANGE €2.00",
        "Refund 2026-07-01: stale -€2.50",
        "Refunded total -€2.50",
    ]:
        assert expected in flat, (expected, text)
    html = render_html(build_receipt(_order(), PARIS))
    assert "Boulangerie &lt;Dupont&gt;" in html


def test_render_a_voided_order() -> None:
    voided = _order(status="voided", receipt_number=None, void_reason="wrong table", refunds=[])
    text = render_text(build_receipt(voided, PARIS))
    assert "*** VOIDED ***" in text
    assert "wrong table" in text
    assert "Not a receipt" in text
    assert "PROVISIONAL BILL" not in text
    assert "Receipt R-" not in text


async def test_a_printer_name_resolving_to_loopback_is_refused_at_print_time(
    till: Till, listener: PrinterListener, strict_client: httpx.AsyncClient
) -> None:
    """The address is checked after resolution and before connecting: ``localhost`` (saved
    while loopback was allowed, or a name whose DNS answer changed since) is refused by a
    server that does not allow loopback, and the listener behind it sees no connection."""
    order = await three_line_sale(till)
    printer = await add_printer(till, f"localhost:{listener.port}")
    path = f"/v1/orders/{order['orderId']}/receipt/print"
    response = await strict_client.post(path, json={}, headers=till.auth)
    assert response.status_code == 502, response.text
    error = response.json()["error"]
    assert error["code"] == "PRINTER_UNREACHABLE"
    [detail] = error["details"]
    assert detail["printerId"] == printer["printerId"]
    assert "localhost resolves to" in detail["reason"]
    assert "loopback" in detail["reason"]
    await asyncio.sleep(0.2)  # a connection, had one been made, would have been accepted
    assert (listener.accepted, listener.jobs) == (0, [])

    # The same printer prints where loopback is allowed: the refusal was the address rule.
    result = await till.call("POST", path, {})
    await asyncio.wait_for(listener.done.wait(), 5)
    assert (result["printed"], listener.accepted) == (True, 1)


async def test_a_literal_refused_address_is_refused_at_print_time(
    till: Till, listener: PrinterListener, strict_client: httpx.AsyncClient
) -> None:
    order = await three_line_sale(till)
    await add_printer(till, f"[::ffff:127.0.0.1]:{listener.port}")
    path = f"/v1/orders/{order['orderId']}/receipt/print"
    response = await strict_client.post(path, json={}, headers=till.auth)
    assert response.status_code == 502, response.text
    assert "127.0.0.1" in response.json()["error"]["details"][0]["reason"]
    await asyncio.sleep(0.2)
    assert listener.accepted == 0
