"""Register shifts with sales in them, over HTTP: the close's arithmetic, every order in
exactly one shift, cash payments racing a close, parallel opens."""

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.shifts import Json, Shifts
from tests.support.tenants import TenantFixture
from tillpoint.core.db import Database
from tillpoint.core.transactions import transaction
from tillpoint.sales.shifts.service import current_shift


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
    rest = await till.pay(split, 5.90, tender="cash", amountTendered=10)
    assert rest["order"]["status"] == "completed"
    await api.move(shift["shiftId"], "paid_in", 20, "change from the bank")
    await api.move(shift["shiftId"], "paid_out", 7.50, "window cleaner")
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
