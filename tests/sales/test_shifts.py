"""Register shifts over HTTP: open with a float, paid in and out, close with the counted cash
and the Z report; one open shift per register; validation, events, permissions and reports.
Shifts with sales in them — the close's arithmetic, every order in exactly one shift, races
with a close — are in ``test_shift_sales.py``."""

from typing import Any

import httpx
import pytest

from tests.support.shifts import Json, Shifts, error_code, make_register
from tests.support.tenants import TenantFixture, add_location, add_user
from tillpoint.sales.shifts.report import WIDTH


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
