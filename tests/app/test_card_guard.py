"""The card-number guard on every request: each way of writing a number, every resource, the
query string and the kept headers are refused with 400 CARD_DATA_NOT_ALLOWED and leave nothing
in any table or event; barcodes holding valid GTINs and ordinary data pass."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.cards import (
    PAN,
    PANS,
    RESOURCE_REQUESTS,
    Shop,
    card_shop,
    found_pans,
    refused,
    send,
    written_forms,
)
from tests.support.catalog import unique_sku
from tests.support.tenants import TenantFixture
from tillpoint.core.card_numbers import is_card_number
from tillpoint.core.db import Database
from tillpoint.core.gtin import gtin_check_digit, is_valid_gtin
from tillpoint.migrations.metadata import metadata

Json = dict[str, Any]


@pytest.fixture
async def shop(client: httpx.AsyncClient, tenant: TenantFixture) -> Shop:
    return await card_shop(client, tenant.headers)


async def stored_pans(db: Database, tenant_id: str) -> dict[str, set[str]]:
    """The test card numbers in any row of the tenant (events, audit log and idempotency keys
    included), in any written form, by table."""
    found: dict[str, set[str]] = {}
    async with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if "tenant_id" in table.c:
                query = select(table).where(table.c.tenant_id == tenant_id)
            else:
                query = select(table).execution_options(all_tenants=True)  # no tenant column
            for row in (await conn.execute(query)).all():
                pans = found_pans(" | ".join(str(value) for value in row))
                if pans:
                    found.setdefault(table.name, set()).update(pans)
    return found


def luhn_gtin(length: int) -> str:
    """A valid GTIN of ``length`` digits that also passes Luhn with a Visa prefix: a barcode
    the card checks alone would refuse."""
    for n in range(10**6):
        body = f"4{n:0{length - 2}d}"
        code = body + str(gtin_check_digit(body))
        if is_card_number(code):
            return code
    raise AssertionError("no such GTIN")


async def test_every_written_form_of_every_test_number_is_refused_in_order_notes(
    shop: Shop, db: Database, tenant: TenantFixture
) -> None:
    order = {"locationId": shop.location_id, "lineItems": [{"sku": shop.sku, "quantity": 1}]}
    passed = []
    for brand, pan in PANS.items():
        for form, text in written_forms(pan).items():
            response = await send(shop, ("POST", "/v1/orders", order | {"notes": text}))
            if response.status_code != 400:
                passed.append(f"{brand} {form}: {response.status_code}")
            else:
                await refused(response)
    assert passed == []
    assert (await shop.api.get("/v1/orders"))["total"] == 0
    assert await stored_pans(db, tenant.id) == {}


@pytest.mark.parametrize("resource", RESOURCE_REQUESTS)
async def test_each_resource_refuses_a_card_number_and_stores_nothing(
    shop: Shop, db: Database, tenant: TenantFixture, resource: str
) -> None:
    request = RESOURCE_REQUESTS[resource]
    for text in (f"card {PANS['mastercard']}", written_forms(PAN)["dots"]):
        await refused(await send(shop, request(shop, text)))
    assert await stored_pans(db, tenant.id) == {}
    # The same request with harmless digits in that field is taken: the field is stored.
    accepted = await send(shop, request(shop, "ref 2026-01-21 4242"))
    assert accepted.status_code in (201, 202), accepted.text


async def test_a_card_number_in_the_query_string_is_refused_without_a_body(shop: Shop) -> None:
    client, headers = shop.api.client, shop.api.headers
    await refused(await client.get(f"/v1/orders?notes={PAN}", headers=headers))
    await refused(await client.get("/v1/orders?notes=4242%2E4242%2E4242%2E4242", headers=headers))
    nbsp = written_forms(PAN)["no-break spaces"]
    await refused(await client.get("/v1/orders", params={"q": nbsp}, headers=headers))
    await refused(await client.get(f"/v1/orders?{PAN}=1", headers=headers))
    await refused(await client.get(f"/v1/catalog/products/{PAN}", headers=headers))
    assert (await client.get("/v1/orders?page=1", headers=headers)).status_code == 200


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Request-Id"])
async def test_kept_headers_carrying_a_card_number_are_refused_and_nothing_is_kept(
    shop: Shop, db: Database, tenant: TenantFixture, header: str
) -> None:
    order = {"locationId": shop.location_id, "lineItems": [{"sku": shop.sku, "quantity": 1}]}
    for value in (PAN, f"retry-{written_forms(PAN)['underscores']}", f"k {PANS['amex']}"):
        response = await send(shop, ("POST", "/v1/orders", order), **{header: value})
        await refused(response)
        assert response.headers["X-Request-Id"] != value
        assert response.json()["error"]["requestId"] != value
    assert (await shop.api.get("/v1/orders"))["total"] == 0
    assert await stored_pans(db, tenant.id) == {}
    # A UUID key and a trace id are taken, and the request id is echoed as sent.
    for value in ("3f2b8c1e-4242-4242-8242-424242424242", "trace-1234567890123-ab"):
        response = await send(shop, ("POST", "/v1/orders", order), **{header: value})
        assert response.status_code == 201, response.text
        if header == "X-Request-Id":
            assert response.headers["X-Request-Id"] == value


async def test_barcodes_holding_valid_gtins_are_checked_by_the_gtin_rules_not_luhn(
    shop: Shop,
) -> None:
    gtin13, gtin14 = luhn_gtin(13), luhn_gtin(14)
    assert is_valid_gtin(gtin13)
    assert is_valid_gtin(gtin14)
    product = await shop.api.post(
        "/v1/catalog/products",
        {"name": "Jam", "sku": unique_sku(), "price": 3, "barcode": gtin13},
    )
    variant = await shop.api.post(
        f"/v1/catalog/products/{product['productId']}/variants",
        {"sku": unique_sku(), "name": "Large", "barcode": gtin14},
    )
    assert variant["barcode"] == gtin14
    listed = await shop.api.get("/v1/catalog/products", barcode=gtin13)
    assert [p["productId"] for p in listed["items"]] == [product["productId"]]
    found = await shop.api.get("/v1/catalog/lookup", barcode=gtin14, locationId=shop.location_id)
    assert found["variantId"] == variant["variantId"]
    # The same digits in a free-text field are a card number as far as anyone can tell.
    await refused(
        await send(
            shop,
            ("POST", "/v1/catalog/products", {"name": gtin13, "sku": unique_sku(), "price": 1}),
        )
    )
    # An internal (non-GTIN) barcode gets no pass: a card number is not smuggled in as one.
    internal = {"name": "Tag", "sku": unique_sku(), "price": 1, "barcodeInternal": True}
    await refused(await send(shop, ("POST", "/v1/catalog/products", internal | {"barcode": PAN})))
    # One digit off, the same code is neither a GTIN nor a card number: a fine internal code.
    not_gtin = gtin13[:-1] + str((int(gtin13[-1]) + 1) % 10)
    taken = await shop.api.post("/v1/catalog/products", internal | {"barcode": not_gtin})
    assert taken["barcode"] == not_gtin


async def test_a_sku_that_is_a_gtin_is_a_product_code_not_a_card_number(shop: Shop) -> None:
    """Shops that use the EAN as the SKU: one in ten GTIN-13s also pass Luhn."""
    gtin13, gtin14 = luhn_gtin(13), luhn_gtin(14)
    product = await shop.api.post(
        "/v1/catalog/products", {"name": "Jam", "sku": gtin13, "price": 3}
    )
    assert product["sku"] == gtin13
    order = {"locationId": shop.location_id, "lineItems": [{"sku": gtin13, "quantity": 1}]}
    priced = await send(shop, ("POST", "/v1/orders/calculate", order))
    assert priced.status_code == 200, priced.text
    text = f"sku,parent_sku,name,price\n{gtin14},,Marmalade,3\n"
    started = await send(shop, ("POST", "/v1/catalog/imports?dryRun=true", text))
    assert started.status_code == 202, started.text
    # A card number is never a valid GTIN of its length (16 digits): refused as a SKU too.
    await refused(
        await send(shop, ("POST", "/v1/catalog/products", {"name": "Tag", "sku": PAN, "price": 1}))
    )


async def test_csv_imports_leave_barcode_columns_to_the_gtin_rules(
    shop: Shop, db: Database, tenant: TenantFixture
) -> None:
    gtin = luhn_gtin(13)
    sku = unique_sku()
    text = f"sku,name,price,barcode\n{sku},Jam,3,{gtin}\n"
    started = await send(shop, ("POST", "/v1/catalog/imports?dryRun=true", text))
    assert started.status_code == 202, started.text
    upload = await shop.api.client.post(
        "/v1/catalog/imports",
        headers=shop.api.headers,
        params={"dryRun": "true"},
        files={"file": ("goods.csv", text, "text/csv")},
    )
    assert upload.status_code == 202, upload.text
    # The same digits in another column, or a card number in an upload's file name, are not.
    await refused(
        await send(shop, ("POST", "/v1/catalog/imports", text.replace(",Jam,", f",{gtin},")))
    )
    refused_upload = await shop.api.client.post(
        "/v1/catalog/imports",
        headers=shop.api.headers,
        files={"file": (f"{PAN}.csv", f"sku,name,price\n{sku},Jam,3\n", "text/csv")},
    )
    await refused(refused_upload)
    assert await stored_pans(db, tenant.id) == {}


async def test_ordinary_requests_full_of_digits_pass(shop: Shop) -> None:
    """Ids, timestamps, money, quantities, hex and UUID keys, version-like strings and phone
    numbers are not card numbers."""
    order = await shop.api.post(
        "/v1/orders",
        {
            "locationId": shop.location_id,
            "lineItems": [{"sku": shop.sku, "quantity": 3, "notes": "v2.10.3"}],
            "notes": "call +1 (415) 555-0134 · table 12 · 2026-01-21 14:42:18 · 1,234.56",
            "occurredAt": "2026-01-21T14:42:18.123Z",
            "clientOrderId": "3f2b8c1e9d4a4c0e8b7f6a5d4c3b2a19",
        },
    )
    path = f"/v1/orders/{order['orderId']}/payments"
    paid = await shop.api.post(
        path,
        {
            "tenderType": "credit_card",
            "amount": order["totals"]["balanceDue"],
            "cardBrand": "visa",
            "cardLast4": "4242",
            "processorRef": "ch_3PqZ1234567890123abcdef",
            "authorizationCode": "123456",
        },
    )
    assert paid["order"]["status"] == "completed"
    assert (await shop.api.get(f"/v1/orders/{order['orderId']}"))["notes"] == order["notes"]
