"""A refusal for card data names the field and the rule (issue 13, item 9).

Under load, ``bench.checkout`` got 400s to ``POST /v1/orders`` that looked unexplained: its SKUs
were ``CK-<run id>-<5 digits>``, and when the random run id was all decimal digits, a tenth of
the SKUs formed 13 digits joined by one dash that pass the Luhn check — the shape of a card
number, refused as one. The answer was right; what was wrong is that it said ``field: null``,
so nobody could tell which part of the body was refused, or why.
"""

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture
from tillpoint.core.card_numbers import luhn_valid


def bench_sku(*, luhn: bool = True) -> str:
    """A bench-style SKU, ``CK-41234567-00125``: 13 digits that pass the Luhn check (or, with
    ``luhn=False``, the same but for a last digit that fails it)."""
    stem = "412345670012"
    digits = next(stem + d for d in "0123456789" if luhn_valid(stem + d) is luhn)
    return f"CK-{digits[:8]}-{digits[8:]}"


@pytest.fixture
async def till_shop(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


async def test_a_sku_shaped_like_a_card_number_is_refused_by_name(till_shop: Till) -> None:
    till = till_shop
    sold = await till.product("Socks", 4)
    lines = [till.line(sold), till.line(bench_sku(), 2)]
    body = {"locationId": till.location_id, "lineItems": lines}
    response = await till.client.post("/v1/orders", json=body, headers=till.auth)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "CARD_DATA_NOT_ALLOWED"
    assert [d["field"] for d in error["details"]] == ["lineItems[1].sku"]
    assert "Luhn" in error["details"][0]["message"]
    assert bench_sku()[3:11] not in response.text  # the digits are never echoed
    assert (await till.get("/v1/orders", locationId=till.location_id))["total"] == 0

    # Another last digit and it fails the Luhn check: just a SKU, validated as one (unknown here).
    lines[1]["sku"] = bench_sku(luhn=False)
    error = await till.error("POST", "/v1/orders", body, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in error["details"]] == ["lineItems[1].sku"]


@pytest.mark.parametrize(
    ("reference", "meta", "query", "field"),
    [
        ("card {pan}", {}, "", "reference"),
        (
            "",
            {"terminal": [{"ok": "1234"}, {"raw": "4242-4242-4242-4242"}]},
            "",
            "meta.terminal[1].raw",
        ),
        ("", {"{pan}": "x"}, "", "meta"),
        ("", {}, "?note={pan}", "note"),
    ],
)
async def test_the_refused_field_is_named_and_no_key_is_echoed(
    till_shop: Till, reference: str, meta: dict[str, object], query: str, field: str
) -> None:
    pan = "4242424242424242"
    order = await till_shop.order(till_shop.line(await till_shop.product("Hat", 10)))
    body = {
        "tenderType": "other",
        "amount": 1,
        "reference": reference.format(pan=pan) or "ok",
        "meta": {key.format(pan=pan): value for key, value in meta.items()},
    }
    path = f"/v1/orders/{order['orderId']}/payments{query.format(pan=pan)}"
    error = await till_shop.error("POST", path, body, 400, "CARD_DATA_NOT_ALLOWED")

    assert [d["field"] for d in error["details"]] == [field]
    assert pan not in str(error)


async def test_a_card_number_in_a_query_is_refused_without_a_body(till_shop: Till) -> None:
    error = await till_shop.error(
        "GET", "/v1/orders?notes=4242424242424242", None, 400, "CARD_DATA_NOT_ALLOWED"
    )
    assert [d["field"] for d in error["details"]] == ["notes"]
