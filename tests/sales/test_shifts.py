"""Register shifts over HTTP: open with a float, paid in and out, close with the counted cash
and the Z report; one open shift per register; every order in exactly one shift."""

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture, add_location, add_user
from tillpoint.core.db import Database
from tillpoint.core.transactions import transaction
from tillpoint.sales.shifts.report import WIDTH
from tillpoint.sales.shifts.service import current_shift

Json = dict[str, Any]


async def make_register(
    client: httpx.AsyncClient, tenant: TenantFixture, location_id: str | None = None
) -> Json:
    if location_id is None:
        location_id = (await add_location(client, tenant))["locationId"]
    response = await client.post(
        f"/v1/locations/{location_id}/registers", headers=tenant.headers, json={"name": "Till 1"}
    )
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


class Shifts:
    """One principal's calls on one register's shifts; each asserts the status it expects."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], register_id: str):
        self.client = client
        self.headers = headers
        self.base = f"/v1/registers/{register_id}/shifts"

    async def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = await self.client.request(
            method, self.base + path, headers=self.headers, json=body
        )
        assert response.status_code == expect, response.text
        return response.json()

    async def open(self, opening_float: float = 100, expect: int = 201, **extra: Any) -> Json:
        body: Json = await self.call("POST", "", {"openingFloat": opening_float, **extra}, expect)
        return body

    async def move(
        self, shift_id: str, kind: str, amount: float | str, reason: str = "x", expect: int = 201
    ) -> Json:
        body: Json = await self.call(
            "POST",
            f"/{shift_id}/cash-movements",
            {"kind": kind, "amount": amount, "reason": reason},
            expect,
        )
        return body

    async def close(self, shift_id: str, counted: float, expect: int = 200, **extra: Any) -> Json:
        body: Json = await self.call(
            "POST", f"/{shift_id}/close", {"countedCash": counted, **extra}, expect
        )
        return body

    async def report(self, shift_id: str) -> Json:
        body: Json = await self.call("GET", f"/{shift_id}/report")
        return body

    async def text(self, shift_id: str) -> str:
        response = await self.client.get(
            f"{self.base}/{shift_id}/report", params={"format": "text"}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        return response.text


@pytest.fixture
async def register(client: httpx.AsyncClient, tenant: TenantFixture) -> Json:
    return await make_register(client, tenant)


@pytest.fixture
def shifts(client: httpx.AsyncClient, tenant: TenantFixture, register: Json) -> Shifts:
    return Shifts(client, tenant.headers, register["registerId"])


def error_code(body: Json) -> str:
    code: str = body["error"]["code"]
    return code


async def test_open_then_a_second_open_is_refused(shifts: Shifts, register: Json) -> None:
    shift = await shifts.open(150.25, notes="morning")
    assert shift["shiftId"].startswith("shf_")
    assert shift["registerId"] == register["registerId"]
    assert shift["locationId"] == register["locationId"]
    assert shift["status"] == "open"
    assert shift["openingFloat"] == 150.25
    assert shift["openingNotes"] == "morning"
    assert shift["closedAt"] is None
    assert shift["report"] is None
    assert shift["expectedCash"] is None
    assert shift["version"] == 1
    second = await shifts.open(10, expect=409)
    assert error_code(second) == "SHIFT_ALREADY_OPEN"

    assert (await shifts.call("GET", "/current"))["shiftId"] == shift["shiftId"]
    assert await shifts.call("GET", f"/{shift['shiftId']}") == shift
    listed = await shifts.call("GET", "")
    assert listed["total"] == 1
    assert listed["items"] == [shift]


async def test_a_closed_register_opens_again(shifts: Shifts) -> None:
    first = await shifts.open(50)
    await shifts.close(first["shiftId"], 50)
    assert error_code(await shifts.call("GET", "/current", expect=404)) == "NOT_FOUND"
    second = await shifts.open(60)
    assert second["shiftId"] != first["shiftId"]
    assert (await shifts.call("GET", "/current"))["shiftId"] == second["shiftId"]
    everything = await shifts.call("GET", "")
    assert [s["shiftId"] for s in everything["items"]] == [first["shiftId"], second["shiftId"]]
    closed = await shifts.call("GET", "?status=closed")
    assert [s["shiftId"] for s in closed["items"]] == [first["shiftId"]]
    opened = await shifts.call("GET", "?status=open&pageSize=1")
    assert [s["shiftId"] for s in opened["items"]] == [second["shiftId"]]
    assert error_code(await shifts.call("GET", "?status=paused", expect=400)) == (
        "VALIDATION_ERROR"
    )


async def test_an_archived_register_cannot_open_a_shift(
    client: httpx.AsyncClient, tenant: TenantFixture, register: Json, shifts: Shifts
) -> None:
    archived = await client.delete(
        f"/v1/locations/{register['locationId']}/registers/{register['registerId']}",
        headers=tenant.headers,
    )
    assert archived.status_code == 200, archived.text
    assert error_code(await shifts.open(expect=409)) == "INVALID_STATUS"


async def test_opening_float_validation(shifts: Shifts) -> None:
    for bad in (-1, 1.005, "lots", None):
        body = await shifts.call("POST", "", {"openingFloat": bad}, 400)
        assert body["error"]["details"][0]["field"] == "openingFloat", bad
    assert error_code(await shifts.call("POST", "", {}, 400)) == "VALIDATION_ERROR"
    assert (await shifts.open(0))["openingFloat"] == 0


async def test_paid_in_and_paid_out(shifts: Shifts) -> None:
    shift_id = (await shifts.open(100))["shiftId"]
    paid_in = await shifts.move(shift_id, "paid_in", 20.5, "change from the bank")
    assert paid_in["cashMovementId"].startswith("csh_")
    assert paid_in["shiftId"] == shift_id
    assert (paid_in["kind"], paid_in["amount"], paid_in["reason"]) == (
        "paid_in",
        20.5,
        "change from the bank",
    )
    paid_out = await shifts.move(shift_id, "paid_out", 7.25, "window cleaner")
    listed = await shifts.call("GET", f"/{shift_id}/cash-movements")
    assert listed["total"] == 2
    assert listed["items"] == [paid_in, paid_out]

    x = await shifts.report(shift_id)
    assert x["kind"] == "X"
    assert (x["paidIn"], x["paidInCount"], x["paidOut"], x["paidOutCount"]) == (20.5, 1, 7.25, 1)
    assert x["expectedCash"] == 100 + 20.5 - 7.25
    assert x["countedCash"] is None
    assert x["overShort"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "paid_in", "amount": 0, "reason": "x"}, "amount"),
        ({"kind": "paid_in", "amount": -5, "reason": "x"}, "amount"),
        ({"kind": "paid_in", "amount": 1.001, "reason": "x"}, "amount"),
        ({"kind": "paid_in", "amount": 5, "reason": ""}, "reason"),
        ({"kind": "paid_in", "amount": 5, "reason": "   "}, "reason"),
        ({"kind": "paid_in", "amount": 5}, "reason"),
        ({"kind": "paid_in", "amount": 5, "reason": "r" * 501}, "reason"),
        ({"kind": "drop", "amount": 5, "reason": "x"}, "kind"),
        ({"amount": 5, "reason": "x"}, "kind"),
    ],
)
async def test_cash_movement_validation(shifts: Shifts, body: Json, field: str) -> None:
    shift_id = (await shifts.open(100))["shiftId"]
    refused = await shifts.call("POST", f"/{shift_id}/cash-movements", body, 400)
    assert error_code(refused) == "VALIDATION_ERROR"
    assert [d["field"] for d in refused["error"]["details"]] == [field]
    assert (await shifts.call("GET", f"/{shift_id}/cash-movements"))["total"] == 0


async def test_close_without_sales(shifts: Shifts, tenant: TenantFixture) -> None:
    opened = await shifts.open(100)
    shift_id = opened["shiftId"]
    await shifts.move(shift_id, "paid_in", 30, "float top-up")
    await shifts.move(shift_id, "paid_out", 12.5, "milk")
    await shifts.move(shift_id, "paid_out", 2.5, "stamps")
    stale = await shifts.close(shift_id, 100, version=opened["version"] + 1, expect=409)
    assert error_code(stale) == "VERSION_CONFLICT"

    closed = await shifts.close(shift_id, 114, version=opened["version"], notes="all good")
    assert closed["status"] == "closed"
    assert closed["closedBy"] == tenant.owner_id
    assert closed["closingNotes"] == "all good"
    assert closed["countedCash"] == 114
    assert closed["expectedCash"] == 100 + 30 - 12.5 - 2.5
    assert closed["overShort"] == -1
    assert closed["version"] == opened["version"] + 1
    z = closed["report"]
    assert z["kind"] == "Z"
    assert z["status"] == "closed"
    assert z["currency"] == "USD"
    assert (z["openingFloat"], z["cashSales"], z["cashRefunds"]) == (100, 0, 0)
    assert (z["paidIn"], z["paidInCount"], z["paidOut"], z["paidOutCount"]) == (30, 1, 15, 2)
    assert (z["expectedCash"], z["countedCash"], z["overShort"]) == (115, 114, -1)
    assert (z["orderCount"], z["paymentCount"], z["refundCount"]) == (0, 0, 0)
    assert z["tenders"] == [
        {
            "tenderType": "cash",
            "paymentCount": 0,
            "payments": 0,
            "refundCount": 0,
            "refunds": 0,
            "net": 0,
        }
    ]
    assert await shifts.report(shift_id) == z
    assert await shifts.call("GET", f"/{shift_id}") == closed

    # Closed is closed: no second close, no more cash in or out.
    assert error_code(await shifts.close(shift_id, 1, expect=409)) == "SHIFT_NOT_OPEN"
    refused = await shifts.move(shift_id, "paid_in", 1, expect=409)
    assert error_code(refused) == "SHIFT_NOT_OPEN"
    assert (await shifts.call("GET", f"/{shift_id}/cash-movements"))["total"] == 3


async def test_close_validation(shifts: Shifts) -> None:
    shift_id = (await shifts.open(100))["shiftId"]
    for body in ({}, {"countedCash": -1}, {"countedCash": 1.234}, {"countedCash": 1, "x": 1}):
        assert error_code(await shifts.call("POST", f"/{shift_id}/close", body, 400)) == (
            "VALIDATION_ERROR"
        )
    assert (await shifts.call("GET", f"/{shift_id}"))["status"] == "open"


async def test_zero_decimal_currency(client: httpx.AsyncClient, make_tenant: Any) -> None:
    yen = await make_tenant(currency="JPY")
    register = await make_register(client, yen)
    api = Shifts(client, yen.headers, register["registerId"])
    assert error_code(await api.open(1000.5, expect=400)) == "VALIDATION_ERROR"
    shift_id = (await api.open(10000))["shiftId"]
    await api.move(shift_id, "paid_out", 500, "delivery")
    closed = await api.close(shift_id, 9600)
    assert (closed["expectedCash"], closed["overShort"]) == (9500, 100)
    text = await api.text(shift_id)
    assert "¥9,500" in text


async def test_events(client: httpx.AsyncClient, tenant: TenantFixture, shifts: Shifts) -> None:
    shift_id = (await shifts.open(100))["shiftId"]
    movement = await shifts.move(shift_id, "paid_out", 5, "bin bags")
    closed = await shifts.close(shift_id, 95)
    feed = await client.get("/v1/events", params={"types": "shift.*"}, headers=tenant.headers)
    events = feed.json()["items"]
    assert [e["type"] for e in events] == ["shift.opened", "shift.cash_movement", "shift.closed"]
    assert events[0]["data"]["shiftId"] == shift_id
    assert events[1]["data"]["cashMovementId"] == movement["cashMovementId"]
    assert events[1]["data"]["registerId"] == closed["registerId"]
    assert events[2]["data"] == closed
    assert {e["locationId"] for e in events} == {closed["locationId"]}


async def test_report_text_fits_42_columns(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    location = await add_location(client, tenant, "A very long location name " * 6)
    response = await client.post(
        f"/v1/locations/{location['locationId']}/registers",
        headers=tenant.headers,
        json={"name": "Front counter by the big window " * 3},
    )
    register = response.json()
    api = Shifts(client, tenant.headers, register["registerId"])
    shift_id = (await api.open(999999999.99))["shiftId"]
    await api.move(shift_id, "paid_in", 123456789.5, "bank")
    await api.move(shift_id, "paid_out", 0.01, "a penny")

    x = await api.text(shift_id)
    assert "X REPORT" in x
    assert "not a close" in x
    assert "Counted cash" not in x
    assert "$1,123,456,789.48" in x
    await api.close(shift_id, 1)
    z = await api.text(shift_id)
    assert "Z REPORT" in z
    assert "Counted cash" in z
    assert "-$1,123,456,788.48" in z
    for text in (x, z):
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= WIDTH, text
        assert any(line.startswith("Expected cash") for line in lines)


async def test_unknown_and_foreign_ids_are_not_found(
    client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: Any, shifts: Shifts
) -> None:
    shift_id = (await shifts.open(100))["shiftId"]
    other_register = await make_register(client, tenant)
    elsewhere = Shifts(client, tenant.headers, other_register["registerId"])
    intruder = await make_tenant(name="Intruder")
    outsider = Shifts(client, intruder.headers, shifts.base.split("/")[3])
    calls: list[tuple[str, str, Json | None]] = [
        ("GET", f"/{shift_id}", None),
        ("GET", f"/{shift_id}/report", None),
        ("GET", f"/{shift_id}/cash-movements", None),
        ("POST", f"/{shift_id}/cash-movements", {}),
        ("POST", f"/{shift_id}/close", {}),
    ]
    for api in (elsewhere, outsider):
        for method, path, body in calls:
            assert error_code(await api.call(method, path, body, 404)) == "NOT_FOUND"
    for method, path in [("GET", ""), ("GET", "/current"), ("POST", "")]:
        body = {} if method == "POST" else None
        assert error_code(await outsider.call(method, path, body, 404)) == "NOT_FOUND"
    for bad in ("nope", "shf_01JD0000000000000000000000", "reg_01JD0000000000000000000000"):
        assert error_code(await shifts.call("GET", f"/{bad}", expect=404)) == "NOT_FOUND"
    bogus = Shifts(client, tenant.headers, "reg_01JD0000000000000000000000")
    assert error_code(await bogus.call("POST", "", {}, 404)) == "NOT_FOUND"
    # Nothing of tenant A changed.
    assert (await shifts.call("GET", f"/{shift_id}"))["status"] == "open"


async def test_permissions_and_locations(
    client: httpx.AsyncClient, tenant: TenantFixture, register: Json
) -> None:
    elsewhere = await add_location(client, tenant, "Elsewhere")
    _, cashier = await add_user(client, tenant, "cashier", location_ids=[register["locationId"]])
    _, outsider = await add_user(client, tenant, "cashier", location_ids=[elsewhere["locationId"]])
    mine = Shifts(client, {"Authorization": f"Bearer {cashier}"}, register["registerId"])
    theirs = Shifts(client, {"Authorization": f"Bearer {outsider}"}, register["registerId"])
    shift_id = (await mine.open(20))["shiftId"]
    await mine.move(shift_id, "paid_in", 1, "tip jar")
    assert error_code(await theirs.call("GET", f"/{shift_id}", expect=404)) == "NOT_FOUND"
    assert error_code(await theirs.call("GET", "", expect=404)) == "NOT_FOUND"
    assert error_code(await theirs.close(shift_id, 1, expect=404)) == "NOT_FOUND"
    key = await client.post(
        "/v1/api-keys", headers=tenant.headers, json={"name": "reader", "scopes": ["orders:read"]}
    )
    reader = Shifts(
        client, {"Authorization": f"Bearer {key.json()['key']}"}, register["registerId"]
    )
    assert (await reader.call("GET", f"/{shift_id}"))["status"] == "open"
    assert error_code(await reader.close(shift_id, 21, expect=403)) == "FORBIDDEN"
    assert (await mine.close(shift_id, 21))["overShort"] == 0


async def test_reports_name_people_not_ids(
    client: httpx.AsyncClient, tenant: TenantFixture, register: Json
) -> None:
    """Who opened and closed a shift: the id stays in the JSON beside the person's name, and
    the printed report shows the name."""
    places = [register["locationId"]]
    cashier_id, cashier = await add_user(client, tenant, "cashier", location_ids=places)
    manager_id, manager = await add_user(client, tenant, "manager", location_ids=places)
    opener = Shifts(client, {"Authorization": f"Bearer {cashier}"}, register["registerId"])
    closer = Shifts(client, {"Authorization": f"Bearer {manager}"}, register["registerId"])
    opened = await opener.open(50)
    shift_id = opened["shiftId"]
    assert (opened["openedBy"], opened["openedByName"]) == (cashier_id, "Cashier")
    assert (opened["closedBy"], opened["closedByName"]) == (None, None)
    x = await opener.report(shift_id)
    assert (x["openedBy"], x["openedByName"], x["closedByName"]) == (cashier_id, "Cashier", None)
    x_text = await opener.text(shift_id)
    assert "  by" in x_text
    assert "Cashier" in x_text

    closed = await closer.close(shift_id, 50)
    assert (closed["openedByName"], closed["closedBy"]) == ("Cashier", manager_id)
    assert closed["closedByName"] == "Manager"
    z = closed["report"]
    assert (z["openedBy"], z["openedByName"]) == (cashier_id, "Cashier")
    assert (z["closedBy"], z["closedByName"]) == (manager_id, "Manager")
    assert await closer.report(shift_id) == z
    listed = (await closer.call("GET", ""))["items"]
    assert [(s["openedByName"], s["closedByName"]) for s in listed] == [("Cashier", "Manager")]
    z_text = await closer.text(shift_id)
    by = [line.split()[-1] for line in z_text.splitlines() if line.startswith("  by")]
    assert by == ["Cashier", "Manager"]
    assert "usr_" not in x_text + z_text

    # An integration opening a shift is named by its API key's name.
    key = await client.post(
        "/v1/api-keys",
        headers=tenant.headers,
        json={"name": "Kiosk", "scopes": ["orders:read", "orders:write"]},
    )
    kiosk = Shifts(client, {"Authorization": f"Bearer {key.json()['key']}"}, register["registerId"])
    assert (await kiosk.open(10))["openedByName"] == "Kiosk"


# ---- with sales ------------------------------------------------------------------------------


def money(value: Any) -> Decimal:
    return Decimal(str(value))


async def open_shift_of(till: Till) -> Json:
    shift: Json = await till.get(f"/v1/registers/{till.register_id}/shifts/current")
    return shift


async def cash_sale(till: Till, sku: str, quantity: int, tendered: Any = None) -> Json:
    """An order paid in cash; with ``tendered`` more than due, change is given."""
    order = await till.order(till.line(sku, quantity))
    due = order["totals"]["balanceDue"]
    extra = {} if tendered is None else {"amountTendered": tendered}
    paid: Json = await till.pay(order, due, tender="cash", **extra)
    assert paid["order"]["status"] == "completed", paid
    return paid


async def test_close_arithmetic_with_sales(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)  # opens a shift with a float of 100
    shift = await open_shift_of(till)
    api = Shifts(client, tenant.headers, till.register_id)
    sku = await till.product(price=10)  # 10.90 with 9 % tax

    with_change = await cash_sale(till, sku, 1, tendered=20)
    assert money(with_change["payment"]["amount"]) == money("10.90")
    assert money(with_change["payment"]["changeDue"]) == money("9.10")
    exact = await cash_sale(till, sku, 2)  # 21.80
    card = await till.sell(till.line(sku, 3))  # 32.70 by card
    split = await till.order(till.line(sku, 1))
    await till.pay(split, 5)  # card
    rest = await till.pay(split, "5.90", tender="cash", amountTendered=10)
    assert rest["order"]["status"] == "completed"
    await api.move(shift["shiftId"], "paid_in", 20, "change from the bank")
    await api.move(shift["shiftId"], "paid_out", "7.50", "window cleaner")
    # One of the two exact-cash units back in cash (its original tender), one card unit to the
    # card; a cash sale voided in the shift moves no cash at all.
    for sold in (exact["order"], card):
        await till.post(
            f"/v1/orders/{sold['orderId']}/refunds",
            {
                "lineItems": [{"lineItemId": sold["lineItems"][0]["lineItemId"], "quantity": 1}],
                "reason": "changed mind",
            },
        )
    voided = (await cash_sale(till, sku, 5))["order"]
    await till.post(f"/v1/orders/{voided['orderId']}/void", {"reason": "wrong items"}, 200)

    cash_sales = money("10.90") + money("21.80") + money("5.90")
    expected = 100 + cash_sales - money("10.90") + 20 - money("7.50")
    x = await api.report(shift["shiftId"])
    assert x["kind"] == "X"
    assert money(x["cashSales"]) == cash_sales
    assert money(x["expectedCash"]) == expected

    closed = await api.close(shift["shiftId"], 140)
    assert money(closed["expectedCash"]) == expected == money("140.20")
    assert money(closed["overShort"]) == 140 - expected == money("-0.20")
    z = closed["report"]
    assert money(z["cashSales"]) == cash_sales
    assert money(z["cashRefunds"]) == money("10.90")
    assert (money(z["paidIn"]), money(z["paidOut"])) == (Decimal(20), money("7.50"))
    assert (z["orderCount"], z["paymentCount"], z["refundCount"]) == (5, 5, 2)
    assert z["voidedPaymentCount"] == 1
    tenders = {t["tenderType"]: t for t in z["tenders"]}
    assert set(tenders) == {"cash", "credit_card"}
    cash, card_totals = tenders["cash"], tenders["credit_card"]
    assert (cash["paymentCount"], money(cash["payments"])) == (3, cash_sales)
    assert (cash["refundCount"], money(cash["refunds"])) == (1, money("10.90"))
    assert money(cash["net"]) == cash_sales - money("10.90")
    assert (card_totals["paymentCount"], money(card_totals["payments"])) == (2, money("37.70"))
    assert (card_totals["refundCount"], money(card_totals["refunds"])) == (1, money("10.90"))
    assert money(card_totals["net"]) == money("26.80")
    for order in (with_change["order"], exact["order"], card, split, voided):
        got = await till.get(f"/v1/orders/{order['orderId']}")
        assert got["shiftId"] == shift["shiftId"]
        assert {p["shiftId"] for p in got["payments"]} == {shift["shiftId"]}
    assert await api.report(shift["shiftId"]) == z
    text = await api.text(shift["shiftId"])
    assert "Over/short (Short)" in text
    assert "-$0.20" in text

    # No shift, no cash: sales in cash wait for the next shift.
    refused = await till.order(till.line(sku, 1))
    error = await till.pay(refused, refused["totals"]["balanceDue"], tender="cash", status=409)
    assert error["error"]["code"] == "SHIFT_NOT_OPEN"


async def test_every_order_is_in_exactly_one_shift(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)
    api = Shifts(client, tenant.headers, till.register_id)
    sku = await till.product(price=4)
    first = await open_shift_of(till)
    early = (await cash_sale(till, sku, 1))["order"]
    in_first = [early["orderId"], (await till.sell(till.line(sku, 2)))["orderId"]]
    # Started in the first shift, partly paid by card there, finished in cash in the second.
    straddling = await till.order(till.line(sku, 3))
    partly = await till.pay(straddling, 1)
    first_closed = await api.close(first["shiftId"], 100)
    second = await api.open(50)
    # A cash sale of the first shift given back in the second comes out of the second drawer.
    line = {"lineItemId": early["lineItems"][0]["lineItemId"], "quantity": 1}
    await till.post(
        f"/v1/orders/{early['orderId']}/refunds", {"lineItems": [line], "reason": "faulty"}
    )
    finished = await till.pay(straddling, partly["order"]["totals"]["balanceDue"], tender="cash")
    assert finished["order"]["status"] == "completed"
    in_second = [straddling["orderId"], (await cash_sale(till, sku, 4))["order"]["orderId"]]
    closed = await api.close(second["shiftId"], 0)

    for order_id in in_first:
        assert (await till.get(f"/v1/orders/{order_id}"))["shiftId"] == first["shiftId"]
    for order_id in in_second:
        assert (await till.get(f"/v1/orders/{order_id}"))["shiftId"] == second["shiftId"]
    first_z = (await api.call("GET", f"/{first['shiftId']}"))["report"]
    assert first_z == first_closed["report"]  # frozen at its close
    assert (first_z["orderCount"], closed["report"]["orderCount"]) == (2, 2)
    assert (money(first_z["cashRefunds"]), money(closed["report"]["cashRefunds"])) == (
        Decimal(0),
        money("4.36"),
    )
    # The straddling order's card payment stays in the first shift's figures, its cash in the
    # second's.
    payments = (await till.get(f"/v1/orders/{straddling['orderId']}"))["payments"]
    assert [(p["tenderType"], p["shiftId"]) for p in payments] == [
        ("credit_card", first["shiftId"]),
        ("cash", second["shiftId"]),
    ]
    second_cash = next(t for t in closed["report"]["tenders"] if t["tenderType"] == "cash")
    assert second_cash["paymentCount"] == 2


PAYERS = 12


async def test_cash_payments_racing_a_close_land_in_exactly_one_shift(
    client: httpx.AsyncClient, tenant: TenantFixture, dialect: str
) -> None:
    """Real parallel connections on PostgreSQL: cash payments and paid-ins sent together with
    the close are each either in the closed shift's figures or refused, never both, never
    neither."""
    if dialect == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    till = await make_shop(client, tenant)
    api = Shifts(client, tenant.headers, till.register_id)
    sku = await till.product(price=3)
    sold_for = money("3.27")  # with tax
    shift_id = (await open_shift_of(till))["shiftId"]

    async def post(path: str, body: Json) -> httpx.Response:
        return await client.post(path, headers=tenant.headers, json=body)

    for position in (0, PAYERS // 3, PAYERS // 2, PAYERS):
        orders = [await till.order(till.line(sku, 1)) for _ in range(PAYERS)]
        sold = [(await cash_sale(till, sku, 1))["order"] for _ in range(2)]
        cash = {"tenderType": "cash", "amount": 5, "amountTendered": 5}
        paid_in = {"kind": "paid_in", "amount": 1, "reason": "race"}
        calls = [post(f"/v1/orders/{o['orderId']}/payments", cash) for o in orders]
        calls.insert(PAYERS // 4, post(f"{api.base}/{shift_id}/cash-movements", paid_in))
        calls.insert(3 * PAYERS // 4, post(f"{api.base}/{shift_id}/cash-movements", paid_in))
        for n, order in enumerate(sold):
            line = {"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}
            refund = post(
                f"/v1/orders/{order['orderId']}/refunds", {"lineItems": [line], "reason": "race"}
            )
            calls.insert(PAYERS // 3 + n * 4, refund)
        calls.insert(position, post(f"{api.base}/{shift_id}/close", {"countedCash": 0}))
        responses = await asyncio.gather(*calls)
        closing = [r for r in responses if r.url.path.endswith("/close")]
        assert [r.status_code for r in closing] == [200], closing[0].text
        z = closing[0].json()["report"]

        counted_payments: list[Json] = []
        counted_refunds: list[Json] = []
        counted_paid_in = 0
        for response in responses:
            if response.url.path.endswith("/close"):
                continue
            if response.status_code == 409:
                assert response.json()["error"]["code"] == "SHIFT_NOT_OPEN", response.text
                continue
            assert response.status_code == 201, response.text
            if response.url.path.endswith("/cash-movements"):
                counted_paid_in += 1
            elif response.url.path.endswith("/refunds"):
                assert response.json()["shiftId"] == shift_id
                counted_refunds.append(response.json())
            else:
                payment = response.json()["payment"]
                assert payment["shiftId"] == shift_id
                counted_payments.append(payment)
        taken = sum((money(p["amount"]) for p in counted_payments), Decimal(0)) + 2 * sold_for
        given = sum((money(r["amount"]) for r in counted_refunds), Decimal(0))
        assert money(z["cashSales"]) == taken
        assert money(z["cashRefunds"]) == given
        assert z["paymentCount"] == z["orderCount"] == len(counted_payments) + 2
        assert z["refundCount"] == len(counted_refunds)
        assert (money(z["paidIn"]), z["paidInCount"]) == (Decimal(counted_paid_in), counted_paid_in)
        # The refused orders took no payment and are still open, in no shift.
        paid_ids = {p["paymentId"] for p in counted_payments}
        for order in orders:
            got = await till.get(f"/v1/orders/{order['orderId']}")
            if got["status"] == "completed":
                assert got["shiftId"] == shift_id
                assert {p["paymentId"] for p in got["payments"]} <= paid_ids
            else:
                assert (got["status"], got["shiftId"], got["payments"]) == ("open", None, [])
        assert money(z["expectedCash"]) == 100 + taken - given + counted_paid_in
        shift_id = (await api.open(100))["shiftId"]


async def test_a_close_waits_for_a_payment_holding_the_shift(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture, dialect: str
) -> None:
    """The close queues on the lock a payment takes (``current_shift(…, lock=True)``) and reads
    its figures only after that transaction ends."""
    if dialect == "sqlite":
        pytest.skip("SQLite serialises whole write transactions instead")
    till = await make_shop(client, tenant)
    api = Shifts(client, tenant.headers, till.register_id)
    shift_id = (await open_shift_of(till))["shiftId"]
    async with transaction(db, tenant_id=tenant.id) as session:
        held = await current_shift(session, till.register_id, lock=True)
        assert held is not None
        assert held.id == shift_id
        closing = asyncio.create_task(api.close(shift_id, 100))
        await asyncio.sleep(0.5)
        assert not closing.done()
    closed = await closing
    assert closed["status"] == "closed"


async def test_parallel_opens_leave_one_open_shift(
    client: httpx.AsyncClient, tenant: TenantFixture, shifts: Shifts
) -> None:
    responses = await asyncio.gather(
        *(
            client.post(shifts.base, headers=tenant.headers, json={"openingFloat": n})
            for n in range(8)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "SHIFT_ALREADY_OPEN"
    }
    assert (await shifts.call("GET", ""))["total"] == 1
