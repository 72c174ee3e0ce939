"""Finding an order by its receipt number (typed, or scanned from the receipt's barcode):
``GET /v1/orders?receiptNumber=`` gives that order and no other, and another tenant's
receipt is simply not there."""

import httpx

from tests.support.sales import make_shop
from tests.support.tenants import TenantFactory, TenantFixture


async def test_an_order_is_found_by_its_receipt_number(
    client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: TenantFactory
) -> None:
    till = await make_shop(client, tenant)
    mug = await till.product("Mug", 12)
    first = await till.sell(till.line(mug))
    second = await till.sell(till.line(mug, 2))
    assert first["receiptNumber"] != second["receiptNumber"]

    found = await till.get("/v1/orders", receiptNumber=second["receiptNumber"])
    assert [o["orderId"] for o in found["items"]] == [second["orderId"]]
    assert found["total"] == 1
    none = await till.get("/v1/orders", receiptNumber="R-1999-999999")
    assert none == {**none, "items": [], "total": 0}
    await till.error("GET", f"/v1/orders?receiptNumber={'9' * 41}", None, 400, "VALIDATION_ERROR")

    other = await make_shop(till.client, await make_tenant("Other Shop"))
    theirs = await other.get("/v1/orders", receiptNumber=second["receiptNumber"])
    assert theirs["items"] == []
