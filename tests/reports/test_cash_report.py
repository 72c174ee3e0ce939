"""The cash report over HTTP: each shift's drawer as its own X/Z report says, their sums per
business day and per location, CSV with the JSON's numbers, location limits, bad input."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from tests.support.sales import Till, make_shop
from tests.support.shifts import Shifts
from tests.support.tenants import TenantFixture, add_user, bearer
from tillpoint.core.db import Database
from tillpoint.reports.cash import CashFigures

Json = dict[str, Any]
FIGURES = ("openingFloat", "cashSales", "cashRefunds", "paidIn", "paidOut", "expectedCash")


def money(value: Any) -> Decimal:
    return Decimal(str(value))


async def cash_report(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Json:
    response = await client.get("/v1/reports/cash", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


async def current_shift_id(till: Till) -> str:
    shift: Json = await till.get(f"/v1/registers/{till.register_id}/shifts/current")
    return str(shift["shiftId"])


async def cash_sale(till: Till, sku: str, quantity: int) -> Json:
    order = await till.order(till.line(sku, quantity))
    paid: Json = await till.pay(order, tender="cash")
    assert paid["order"]["status"] == "completed", paid
    return paid["order"]


async def refund_one(till: Till, order: Json) -> None:
    line = order["lineItems"][0]
    await till.post(
        f"/v1/orders/{order['orderId']}/refunds",
        {"lineItems": [{"lineItemId": line["lineItemId"], "quantity": 1}], "reason": "x"},
    )


async def busy_shift(till: Till, *, counted: Any | None) -> tuple[str, Decimal]:
    """A shift (float 100) with two cash sales, a cash refund, a card sale, paid in and out;
    closed with ``counted`` unless None. Returns its id and what its drawer should hold."""
    shift_id = await current_shift_id(till)
    api = Shifts(till.client, till.tenant.headers, till.register_id)
    sku = await till.product(price=10)  # 10.90 with 9 % tax
    one = await cash_sale(till, sku, 1)
    two = await cash_sale(till, sku, 2)
    await till.sell(till.line(sku, 4))  # card: no cash
    await refund_one(till, two)  # 10.90 back in cash
    await api.move(shift_id, "paid_in", 25, "change")
    await api.move(shift_id, "paid_out", 3.5, "milk")
    expected = (
        (100 + money(one["totals"]["grandTotal"]) + money(two["totals"]["grandTotal"]))
        - money("10.90")
        + 25
        - money("3.5")
    )
    if counted is not None:
        await api.close(shift_id, counted)
    return shift_id, expected


def own_report_figures(report: Json) -> dict[str, Decimal]:
    return {name: money(report[name]) for name in FIGURES}


async def test_each_shift_is_its_own_x_or_z_report(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    closed_till = await make_shop(client, tenant)
    open_till = await make_shop(client, tenant)
    closed_id, closed_expected = await busy_shift(closed_till, counted=150)
    open_id, open_expected = await busy_shift(open_till, counted=None)
    assert closed_expected == open_expected == money("143.30")

    body = await cash_report(client, tenant.headers)
    rows = {row["shiftId"]: row for row in body["rows"]}
    assert set(rows) == {closed_id, open_id}
    closed, opened = rows[closed_id], rows[open_id]
    z = await Shifts(client, tenant.headers, closed_till.register_id).report(closed_id)
    x = await Shifts(client, tenant.headers, open_till.register_id).report(open_id)
    assert (z["kind"], x["kind"]) == ("Z", "X")
    assert {n: money(closed[n]) for n in FIGURES} == own_report_figures(z)
    assert {n: money(opened[n]) for n in FIGURES} == own_report_figures(x)
    assert money(closed["expectedCash"]) == closed_expected
    assert money(closed["countedCash"]) == 150
    assert money(closed["overShort"]) == 150 - closed_expected == money("6.70")
    assert (closed["status"], closed["openShiftCount"], closed["shiftCount"]) == ("closed", 0, 1)
    assert (opened["status"], opened["countedCash"], opened["overShort"]) == ("open", None, None)
    assert opened["openShiftCount"] == 1

    # Totals: every figure the sum of the shifts'; count and over/short the closed one's only.
    totals = body["totals"]
    for name in FIGURES:
        assert money(totals[name]) == money(closed[name]) + money(opened[name]), name
    assert money(totals["countedCash"]) == 150
    assert money(totals["overShort"]) == money("6.70")
    assert (totals["shiftCount"], totals["openShiftCount"]) == (2, 1)
    by_location = {loc["locationId"]: loc for loc in body["locations"]}
    assert money(by_location[closed_till.location_id]["expectedCash"]) == closed_expected
    assert by_location[open_till.location_id]["countedCash"] is None


async def test_days_and_locations_sum_the_shifts_and_csv_has_the_same_numbers(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)
    api = Shifts(client, tenant.headers, till.register_id)
    first, expected_first = await busy_shift(till, counted=160)
    await api.open(50)
    second = await current_shift_id(till)
    await api.move(second, "paid_out", 10, "float to the bank")
    await api.close(second, 40)

    by_shift = await cash_report(client, tenant.headers, locationId=till.location_id)
    assert [row["shiftId"] for row in by_shift["rows"]] == [first, second]
    by_day = await cash_report(client, tenant.headers, locationId=till.location_id, groupBy="day")
    [day] = by_day["rows"]
    today = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()
    assert (day["locationId"], day["businessDay"], day["shiftCount"]) == (
        till.location_id,
        today.isoformat(),
        2,
    )
    assert money(day["openingFloat"]) == 150
    assert money(day["expectedCash"]) == expected_first + 40
    assert money(day["countedCash"]) == 200
    assert money(day["overShort"]) == 200 - (expected_first + 40)
    by_location = await cash_report(
        client, tenant.headers, locationId=till.location_id, groupBy="location"
    )
    assert by_location["rows"] == by_location["locations"]
    for name in (*FIGURES, "countedCash", "overShort", "shiftCount"):
        assert by_location["rows"][0][name] == day[name] == by_day["totals"][name], name

    for group_by, body in (("shift", by_shift), ("day", by_day)):
        response = await client.get(
            "/v1/reports/cash",
            params={"locationId": till.location_id, "groupBy": group_by},
            headers={**tenant.headers, "Accept": "text/csv"},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        lines = list(csv.DictReader(io.StringIO(response.text)))
        assert len(lines) == len(body["rows"]) + 1
        for line, row in zip(lines, [*body["rows"], body["totals"]], strict=True):
            for name in FIGURES:
                assert money(line[name]) == money(row[name]), (group_by, name)
        assert next(iter(lines[-1].values())) == "total"
        assert set(lines[0]) == set(body["rows"][0])


async def test_a_shift_falls_on_its_locations_business_day(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    # UTC+14 and UTC−11 are 25 hours apart: their local dates always differ.
    east = await make_shop(client, tenant)
    west = await make_shop(client, tenant)
    for till, zone in ((east, "Pacific/Kiritimati"), (west, "Pacific/Pago_Pago")):
        response = await client.patch(
            f"/v1/locations/{till.location_id}",
            json={"timezone": zone, "version": 1},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
    now = datetime.now(UTC)
    east_day = now.astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    west_day = now.astimezone(ZoneInfo("Pacific/Pago_Pago")).date()
    assert east_day != west_day
    east_only = await cash_report(client, tenant.headers, **{"from": east_day, "to": east_day})
    assert {row["locationId"] for row in east_only["rows"]} == {east.location_id}
    assert east_only["rows"][0]["businessDay"] == east_day.isoformat()
    west_only = await cash_report(client, tenant.headers, **{"from": west_day, "to": west_day})
    assert {row["locationId"] for row in west_only["rows"]} == {west.location_id}
    # With no dates: every location's own today.
    both = await cash_report(client, tenant.headers)
    assert {row["locationId"] for row in both["rows"]} == {east.location_id, west.location_id}
    assert len(both["locations"]) == 2


async def test_shifts_are_read_in_a_fixed_number_of_queries(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    till = await make_shop(client, tenant)
    api = Shifts(client, tenant.headers, till.register_id)

    async def statements() -> int:
        seen: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            await cash_report(client, tenant.headers, groupBy="day")
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        return len(seen)

    await api.close(await current_shift_id(till), 100)
    await statements()  # warm: the tenant's currency is cached after its first read
    one = await statements()
    for _ in range(3):
        await api.open(10)
        await api.close(await current_shift_id(till), 10)
    assert await statements() == one


async def test_location_limited_reader_sees_only_theirs(
    client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: Any
) -> None:
    mine = await make_shop(client, tenant)
    theirs = await make_shop(client, tenant)
    _, token = await add_user(client, tenant, "manager", location_ids=[mine.location_id])
    body = await cash_report(client, bearer(token))
    assert [loc["locationId"] for loc in body["locations"]] == [mine.location_id]
    assert {row["locationId"] for row in body["rows"]} == {mine.location_id}
    hidden = await client.get(
        "/v1/reports/cash", params={"locationId": theirs.location_id}, headers=bearer(token)
    )
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "NOT_FOUND")
    other = await make_tenant()
    foreign = await client.get(
        "/v1/reports/cash", params={"locationId": mine.location_id}, headers=other.headers
    )
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, "NOT_FOUND")
    _, cashier = await add_user(client, tenant, "cashier")
    refused = await client.get("/v1/reports/cash", headers=bearer(cashier))
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-02", "to": "2026-02-01"}, "from"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"to": "0"}, "to"),
        ({"groupBy": "week"}, "groupBy"),
        ({"format": "xml"}, "format"),
    ],
)
async def test_bad_input_is_400(
    client: httpx.AsyncClient, tenant: TenantFixture, params: Json, field: str
) -> None:
    response = await client.get("/v1/reports/cash", params=params, headers=tenant.headers)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [d["field"] for d in error["details"]] == [field]


@pytest.mark.parametrize(
    ("first", "last"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")]
)
async def test_days_at_the_ends_of_the_calendar_are_empty(
    client: httpx.AsyncClient, tenant: TenantFixture, first: str, last: str
) -> None:
    till = await make_shop(client, tenant)
    response = await client.patch(
        f"/v1/locations/{till.location_id}",
        json={"timezone": "Asia/Tokyo", "version": 1},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = await cash_report(client, tenant.headers, **{"from": first, "to": last})
    assert body["rows"] == []
    assert body["totals"]["shiftCount"] == 0


money_minor = st.integers(0, 10**9)
drawers = st.lists(
    st.tuples(
        money_minor, money_minor, money_minor, money_minor, money_minor, st.none() | money_minor
    ),
    max_size=6,
)


@settings(max_examples=50, deadline=None, database=None)
@given(shifts=drawers)
def test_a_sum_of_drawers_is_each_figure_summed(
    shifts: list[tuple[int, int, int, int, int, int | None]],
) -> None:
    total = CashFigures()
    for opening, sales, refunds, paid_in, paid_out, counted in shifts:
        expected = opening + sales - refunds + paid_in - paid_out
        total.add(
            CashFigures(
                shift_count=1,
                open_shift_count=1 if counted is None else 0,
                opening_float=opening,
                cash_sales=sales,
                cash_refunds=refunds,
                paid_in=paid_in,
                paid_out=paid_out,
                counted=counted,
                over_short=None if counted is None else counted - expected,
            )
        )
    closed = [s for s in shifts if s[5] is not None]
    assert total.expected == sum(o + s - r + i - p for o, s, r, i, p, _ in shifts)
    assert total.shift_count == len(shifts)
    assert total.open_shift_count == len(shifts) - len(closed)
    if closed:
        assert total.counted == sum(c for *_, c in closed if c is not None)
        assert total.over_short == sum(
            c - (o + s - r + i - p) for o, s, r, i, p, c in closed if c is not None
        )
    else:
        assert (total.counted, total.over_short) == (None, None)
