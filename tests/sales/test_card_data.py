"""Full card numbers are refused anywhere in a sales request and leave no trace anywhere
(the guard on every other request: tests/app/test_card_guard.py)."""

import logging
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.cards import PAN, found_pans, refused
from tests.support.sales import Till, make_shop
from tests.support.server import cli_env, cli_tenant, running_server
from tests.support.tenants import PASSWORD, TenantFixture
from tillpoint.core.db import Database
from tillpoint.migrations.metadata import metadata

Json = dict[str, Any]
SPACED, DASHED = "4242 4242 4242 4242", "4242-4242-4242-4242"
CARD = {"tenderType": "credit_card", "amount": 1, "cardLast4": "4242", "cardBrand": "visa"}

PAYMENT_BODIES = {
    "processorRef": CARD | {"processorRef": PAN},
    "reference": {"tenderType": "other", "amount": 1, "reference": PAN},
    "authorizationCode": CARD | {"authorizationCode": PAN},
    "cardBrand": CARD | {"cardBrand": PAN},
    "unknown-field": CARD | {"pan": PAN},
    "json-number": CARD | {"track": int(PAN)},
    "key": CARD | {PAN: "visa"},
    "spaced": CARD | {"processorRef": SPACED},
    "dashed": CARD | {"processorRef": DASHED},
    "in-longer-text": {"tenderType": "other", "amount": 1, "reference": f"card {PAN} exp 12/29"},
    "nested": CARD | {"meta": {"terminal": [{"raw": f"x{DASHED}y"}]}},
}


def leaks(text: str) -> bool:
    """Whether a test card number appears in ``text`` in any of its written forms."""
    return bool(found_pans(text))


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


async def open_order(till: Till) -> Json:
    return await till.order(till.line(await till.product("Hat", 10)))  # 10.90 with tax


@pytest.mark.parametrize("body", PAYMENT_BODIES.values(), ids=PAYMENT_BODIES.keys())
async def test_card_number_anywhere_in_a_payment_is_refused(till: Till, body: Json) -> None:
    order = await open_order(till)
    path = f"/v1/orders/{order['orderId']}/payments"
    await refused(await till.client.post(path, json=body, headers=till.auth))
    assert await till.get(f"/v1/orders/{order['orderId']}") == order


async def test_card_number_in_order_notes_is_refused_on_create_and_edit(till: Till) -> None:
    sku = await till.product("Scarf", 20)
    body = {"locationId": till.location_id, "lineItems": [till.line(sku)], "notes": f"pan {PAN}"}
    await refused(await till.client.post("/v1/orders", json=body, headers=till.auth))
    line = till.line(sku, notes=f"card {SPACED}")
    await refused(
        await till.client.post(
            "/v1/orders", json=body | {"notes": "", "lineItems": [line]}, headers=till.auth
        )
    )
    assert (await till.get("/v1/orders", locationId=till.location_id))["total"] == 0

    order = await till.order(till.line(sku))
    path = f"/v1/orders/{order['orderId']}"
    await refused(await till.client.patch(path, json={"notes": DASHED}, headers=till.auth))
    await refused(await till.client.post(f"{path}/line-items", json=line, headers=till.auth))
    await refused(await till.client.post(f"/v1/orders?note={PAN}", json={}, headers=till.auth))
    assert await till.get(path) == order


async def test_card_number_in_a_refund_is_refused(till: Till) -> None:
    done = await till.sell(till.line(await till.product("Mug", 8)))
    line_id = done["lineItems"][0]["lineItemId"]
    body = {
        "lineItems": [{"lineItemId": line_id, "quantity": 1}],
        "reason": "damaged",
        "tenders": [{"tenderType": "credit_card", "amount": 8.72, "processorRef": PAN}],
    }
    path = f"/v1/orders/{done['orderId']}/refunds"
    response = await till.client.post(path, json=body, headers=till.auth)
    if response.status_code in (404, 405):
        pytest.skip("POST /v1/orders/{id}/refunds is not served yet")
    await refused(response)
    await refused(
        await till.client.post(path, json=body | {"reason": f"card {SPACED}"}, headers=till.auth)
    )
    assert await till.get(f"/v1/orders/{done['orderId']}") == done


async def test_refused_card_numbers_reach_no_table_log_line_or_event(
    till: Till, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    order = await open_order(till)
    for body in PAYMENT_BODIES.values():
        await refused(
            await till.client.post(
                f"/v1/orders/{order['orderId']}/payments",
                json=body,
                headers={**till.auth, "Idempotency-Key": str(uuid.uuid4())},
            )
        )
    sku = order["lineItems"][0]["sku"]
    notes = {"locationId": till.location_id, "lineItems": [till.line(sku)], "notes": SPACED}
    await refused(await till.client.post("/v1/orders", json=notes, headers=till.auth))
    await till.sell(till.line(sku))  # something real happens around the refusals

    async with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            every_tenant = select(table).execution_options(all_tenants=True)  # on purpose
            for row in (await conn.execute(every_tenant)).all():
                assert not any(leaks(str(value)) for value in row), f"{table.name}: {row}"
    for record in caplog.records:
        assert not leaks(f"{record.getMessage()} {vars(record)}"), record
    after = 0
    while True:
        page = await till.get("/v1/events", after=after, limit=1000)
        assert not any(leaks(str(event)) for event in page["items"])
        if not page["hasMore"]:
            break
        after = page["nextAfter"]


async def test_digit_strings_that_are_not_card_numbers_are_accepted(till: Till) -> None:
    gtin = "4006381333931"  # a valid EAN-13 whose digits fail the Luhn check
    sku = await till.product("Jam", 10)
    order = await till.order(till.line(sku), notes=f"shelf label {gtin}")
    assert order["notes"] == f"shelf label {gtin}"
    twelve = await till.pay(order, 1, processorRef="123456789012")
    assert twelve["payment"]["processorRef"] == "123456789012"
    not_luhn = await till.pay(order, 1, processorRef="4242424242424241")
    assert not_luhn["payment"]["processorRef"] == "4242424242424241"
    assert not_luhn["order"]["totals"]["paid"] == 2


def test_server_log_lines_carry_no_card_number(database_url: str, tmp_path: Path) -> None:
    """The real server's structured (JSON) log output, at DEBUG, after refused requests."""
    env = cli_env(database_url, tmp_path, TILLPOINT_LOG_LEVEL="DEBUG", TILLPOINT_LOG_JSON="true")
    email = f"cards-{uuid.uuid4().hex[:8]}@shop.example.com"
    cli_tenant(env, email, PASSWORD)
    with (
        running_server(env, tmp_path / "server.log") as server,
        httpx.Client(base_url=server.base_url, timeout=30) as http,
    ):
        token = http.post("/v1/sessions", json={"username": email, "password": PASSWORD})
        http.headers["Authorization"] = f"Bearer {token.json()['authToken']}"
        location = http.post("/v1/locations", json={"name": "Logged"}).json()["locationId"]
        http.post("/v1/tax-classes", json={"code": "standard", "name": "Standard"})
        product = http.post(
            "/v1/catalog/products", json={"name": "Cap", "sku": "CAP-1", "price": 5}
        )
        assert product.status_code == 201, product.text
        lines = [{"sku": "CAP-1", "quantity": 1}]
        order = http.post("/v1/orders", json={"locationId": location, "lineItems": lines})
        assert order.status_code == 201, order.text
        path = f"/v1/orders/{order.json()['orderId']}/payments"
        for body in PAYMENT_BODIES.values():
            assert http.post(path, json=body).status_code == 400
        notes = {"locationId": location, "lineItems": lines, "notes": DASHED}
        assert http.post("/v1/orders", json=notes).status_code == 400
        log = server.log()
    assert '"status": 400' in log or '"status":400' in log, log[-2000:]
    assert not leaks(log)
