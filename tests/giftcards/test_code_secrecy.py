"""No gift card code is kept or logged in clear; wrong codes are counted per principal, logged
without the code, and limited (429) — also for a right code once the limit is reached."""

import logging

import pytest

from tests.app.test_tenant_isolation import tenant_rows
from tests.support.stored_value import GiftShop
from tillpoint.core.db import Database

CODES = ["SECRET-PHYS-7731", "SECRET-RELD-8842"]


def forms(code: str) -> set[str]:
    plain = code.replace("-", "")
    return {code, plain, plain.lower(), code.lower()}


async def test_no_code_in_any_table_or_log_line(
    shop: GiftShop, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    till = shop.till
    await till.post("/v1/gift-cards/codes", {"codes": [CODES[0]]})
    generated = (await till.post("/v1/gift-cards/codes", {"count": 2}))["codes"]
    sold = await shop.sell_card(25, code=CODES[0])
    await shop.sell_card(25, code=CODES[1])  # unregistered: registered as it is sold
    await shop.sell_card(10, code=CODES[1])  # a reload
    order = await till.order(till.line(shop.goods_sku))
    await shop.pay_with_card(order, 3, CODES[0])
    await shop.lookup(CODES[1])
    await shop.lookup("SECRET-WRNG-0000", status=404)
    await till.post(
        f"/v1/orders/{sold['orderId']}/refunds",
        {
            "lineItems": [{"lineItemId": sold["lineItems"][0]["lineItemId"], "quantity": 1}],
            "reason": "x",
        },
        status=409,  # 3.00 of it was spent
    )
    secrets = set().union(*(forms(c) for c in [*CODES, *generated, "SECRET-WRNG-0000"]))

    dumped = repr(await tenant_rows(db, till.tenant.id))
    assert "gift_cards" in dumped
    assert not {s for s in secrets if s in dumped}

    # The server's log lines (the test's own HTTP client logs the URLs it calls).
    logged = "\n".join(
        f"{r.getMessage()} {r.__dict__}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )
    assert "wrong gift card code" in logged
    assert not {s for s in secrets if s in logged}


async def test_wrong_codes_are_limited_per_principal(shop: GiftShop, app: object) -> None:
    till = shop.till
    await shop.sell_card(10, code="RIGHT-CODE-0001")
    limit = app.state.settings.gift_card_wrong_codes_per_minute  # type: ignore[attr-defined]
    for n in range(limit):
        got = await shop.lookup(f"WRONG-CODE-{n:04}", status=404)
        assert got["error"]["code"] == "GIFT_CARD_NOT_FOUND"
    limited = await till.client.get(
        "/v1/gift-cards/lookup", params={"code": "WRONG-CODE-LAST"}, headers=till.auth
    )
    assert (limited.status_code, limited.json()["error"]["code"]) == (429, "RATE_LIMITED")
    assert int(limited.headers["Retry-After"]) >= 1
    # Past the limit even the right code is refused, at lookup and as a tender.
    await shop.lookup("RIGHT-CODE-0001", status=429)
    order = await till.order(till.line(shop.goods_sku))
    await shop.pay_with_card(order, 1, "RIGHT-CODE-0001", status=429)
