"""Card-number test data, shared by the card tests and the pg_dump sweep: the standard test card
numbers, the ways of writing one that the guard must see through, the requests that carry one
in every resource, and a scan for any of those numbers in text (by the guard's own detector)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.api import Api
from tests.support.catalog import unique_sku
from tests.support.tenants import PASSWORD
from tillpoint.core.card_numbers import card_numbers_in

Json = dict[str, Any]

# The networks' published test numbers.
PANS = {
    "visa": "4242424242424242",
    "visa-2": "4111111111111111",
    "mastercard": "5555555555554444",
    "mastercard-2-series": "2223003122003222",
    "amex": "378282246310005",
    "discover": "6011111111111117",
    "jcb": "3530111333300000",
    "diners": "30569309025904",
    "unionpay": "6200000000000005",
}
PAN = PANS["visa"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def written_forms(pan: str) -> dict[str, str]:
    """``pan`` written every way the probe got past the old guard, and a few more."""
    groups = [pan[i : i + 4] for i in range(0, len(pan), 4)]
    return {
        "plain": pan,
        "spaces": " ".join(groups),
        "dashes": "-".join(groups),
        "dots": ".".join(groups),
        "slashes": "/".join(groups),
        "underscores": "_".join(groups),
        "double spaces": "  ".join(groups),
        "spaced dashes": " - ".join(groups),
        "no-break spaces": "\u00a0".join(groups),
        "zero-width spaces": "\u200b".join(groups),
        "zero-width joiners": "\u200c\u200d".join(groups),
        "word joiners and BOMs": "\u2060\ufeff".join(groups),
        "en dashes": "\u2013".join(groups),
        "full-width digits": pan.translate(FULL_WIDTH),
        "Arabic-Indic digits": pan.translate(ARABIC_INDIC),
        "Devanagari digits, thin spaces": "\u2009".join(groups).translate(DEVANAGARI),
        "in a sentence with the expiry": f"card {' '.join(groups)} exp 12/29 cvc 123",
        "between letters": f"x{'-'.join(groups)}y",
    }


def found_pans(text: str) -> set[str]:
    """The test card numbers ``text`` holds, written in any form the guard sees through."""
    return set(card_numbers_in(text)) & set(PANS.values())


async def refused(response: httpx.Response) -> None:
    """A 400 CARD_DATA_NOT_ALLOWED in the envelope that echoes no card number."""
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "CARD_DATA_NOT_ALLOWED", response.text
    assert not found_pans(response.text), response.text
    assert not found_pans(str(response.headers)), response.headers


@dataclass
class Shop:
    """What the resource requests refer to: two locations, a product, a role."""

    api: Api
    location_id: str
    other_location_id: str
    product_id: str
    sku: str
    role_id: str


async def card_shop(client: httpx.AsyncClient, headers: dict[str, str]) -> Shop:
    api = Api(client, headers)
    first = await api.post("/v1/locations", {"name": "Main street"})
    second = await api.post("/v1/locations", {"name": "Warehouse"})
    tax_classes = await api.get("/v1/tax-classes")
    if not any(t["code"] == "standard" for t in tax_classes["items"]):
        await api.post("/v1/tax-classes", {"code": "standard", "name": "Standard"})
    product = await api.post(
        "/v1/catalog/products", {"name": "Cap", "sku": unique_sku(), "price": 5}
    )
    roles = (await api.get("/v1/roles"))["items"]
    return Shop(
        api,
        first["locationId"],
        second["locationId"],
        product["productId"],
        product["sku"],
        next(r["roleId"] for r in roles if r["name"] == "cashier"),
    )


# A request that puts ``text`` in a field the resource stores: (method, path, JSON body or CSV).
ResourceRequest = Callable[[Shop, str], tuple[str, str, Json | str]]


def _csv(_shop: Shop, text: str) -> tuple[str, str, Json | str]:
    quoted = text.replace('"', '""')
    return (
        "POST",
        "/v1/catalog/imports",
        f'sku,name,price,description\n{unique_sku()},Hat,4,"{quoted}"\n',
    )


RESOURCE_REQUESTS: dict[str, ResourceRequest] = {
    "product": lambda _s, t: (
        "POST",
        "/v1/catalog/products",
        {"name": "Scarf", "sku": unique_sku(), "price": 9, "description": t},
    ),
    "variant": lambda s, t: (
        "POST",
        f"/v1/catalog/products/{s.product_id}/variants",
        {"sku": unique_sku(), "name": t},
    ),
    "category": lambda _s, t: ("POST", "/v1/catalog/categories", {"name": t}),
    "location": lambda _s, t: ("POST", "/v1/locations", {"name": "Kiosk", "address": {"line1": t}}),
    "employee": lambda s, t: ("POST", "/v1/employees", {"name": t, "roleId": s.role_id}),
    "user": lambda s, t: (
        "POST",
        "/v1/users",
        {
            "email": f"u-{uuid.uuid4().hex[:8]}@shop.example.com",
            "name": t,
            "password": PASSWORD,
            "roleId": s.role_id,
            "currentPassword": PASSWORD,  # creating a user sets a password: the owner confirms
        },
    ),
    "register": lambda s, t: ("POST", f"/v1/locations/{s.location_id}/registers", {"name": t}),
    "printer": lambda s, t: (
        "POST",
        f"/v1/locations/{s.location_id}/printers",
        {"name": t, "type": "receipt", "address": "192.168.1.50:9100"},
    ),
    "role": lambda _s, t: (
        "POST",
        "/v1/roles",
        {"name": f"Clerk {uuid.uuid4().hex[:6]}", "description": t, "permissions": ["orders:read"]},
    ),
    "webhook": lambda _s, t: (
        "POST",
        "/v1/webhooks",
        {"url": "https://93.184.215.14/hooks", "eventTypes": ["order.created"], "description": t},
    ),
    "adjustment": lambda s, t: (
        "POST",
        "/v1/inventory/adjustments",
        {
            "locationId": s.location_id,
            "reason": "received",
            "items": [{"sku": s.sku, "deltaQuantity": 1}],
            "notes": t,
        },
    ),
    "transfer": lambda s, t: (
        "POST",
        "/v1/inventory/transfers",
        {
            "sourceLocationId": s.location_id,
            "destinationLocationId": s.other_location_id,
            "items": [{"sku": s.sku, "quantity": 1}],
            "notes": t,
        },
    ),
    "tax class": lambda _s, t: (
        "POST",
        "/v1/tax-classes",
        {"code": f"c_{uuid.uuid4().hex[:8]}", "name": t},
    ),
    "tax rate": lambda s, t: (
        "POST",
        f"/v1/locations/{s.location_id}/tax-rates",
        {"taxClass": "standard", "name": t, "rate": 5},
    ),
    "API key": lambda _s, t: ("POST", "/v1/api-keys", {"name": t, "scopes": ["orders:read"]}),
    "CSV import": _csv,
}


async def send(shop: Shop, request: tuple[str, str, Json | str], **headers: str) -> httpx.Response:
    method, path, body = request
    all_headers = {**shop.api.headers, **headers}
    if isinstance(body, str):
        return await shop.api.client.request(
            method,
            path,
            content=body.encode(),
            headers={**all_headers, "Content-Type": "text/csv"},
        )
    return await shop.api.client.request(method, path, json=body, headers=all_headers)


async def send_card_requests(shop: Shop) -> list[httpx.Response]:
    """Every way of carrying a test card number that the card tests send, with the answers:
    the written forms of each number into an order's notes, each resource, the query string
    and the kept headers. (The pg_dump sweep replays them against a real server.)"""
    order = {"locationId": shop.location_id, "lineItems": [{"sku": shop.sku, "quantity": 1}]}
    answers = []
    for pan in PANS.values():
        for text in written_forms(pan).values():
            answers.append(await send(shop, ("POST", "/v1/orders", order | {"notes": text})))
    for request in RESOURCE_REQUESTS.values():
        answers.append(await send(shop, request(shop, f"card {PANS['mastercard']}")))
        answers.append(await send(shop, request(shop, written_forms(PAN)["dots"])))
    client, headers = shop.api.client, shop.api.headers
    answers.append(await client.get(f"/v1/orders?notes={PAN}", headers=headers))
    for name in ("Idempotency-Key", "X-Request-Id"):
        for text in (PAN, f"retry-{written_forms(PAN)['underscores']}"):
            answers.append(await send(shop, ("POST", "/v1/orders", order), **{name: text}))
    return answers
