"""Helpers for tests that need catalog data: valid GTINs, tax classes, products.

Other domains' tests (inventory, imports) import these; they go through the HTTP API.
"""

import itertools
import uuid
from typing import Any

import httpx

from tests.support.tenants import TenantFixture
from tillpoint.catalog.barcodes import gtin_check_digit

_serial = itertools.count(1)
_tax_ready: set[str] = set()


def make_gtin(n: int, *, prefix: str = "200") -> str:
    """A valid GTIN-13 for ``n``: ``prefix`` (the in-store GS1 range by default), ``n`` padded,
    and the check digit. Distinct ``n`` give distinct codes."""
    body = f"{prefix}{n:0{12 - len(prefix)}d}"
    if len(body) != 12:
        raise ValueError("n is too large for this prefix")
    return body + str(gtin_check_digit(body))


def unique_gtin() -> str:
    """A valid GTIN-13 never returned before in this test run."""
    return make_gtin(uuid.uuid4().int % 10**8 * 1000 + next(_serial) % 1000, prefix="2")


# Hex digits written as letters: a SKU of ten hex digits is all digits about once in a hundred,
# and with a row number after it the card guard may rightly read it as a card number.
_LETTERS = str.maketrans("0123456789abcdef", "GHJKLMNPQRABCDEF")


def unique_sku(prefix: str = "SKU") -> str:
    """A new SKU of letters only (``SKU-KBQFHMCAPE``), which no suffix turns into a card number."""
    return f"{prefix}-{uuid.uuid4().hex[:10].translate(_LETTERS)}"


async def ensure_tax_classes(
    client: httpx.AsyncClient, tenant: TenantFixture, codes: tuple[str, ...] = ("standard",)
) -> None:
    """Create these tax classes unless the tenant has them already (new tenants may be seeded)."""
    for code in codes:
        response = await client.post(
            "/v1/tax-classes", headers=tenant.headers, json={"code": code, "name": code.title()}
        )
        assert response.status_code in (201, 409), response.text


async def create_product(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    headers: dict[str, str] | None = None,
    expect: int = 201,
    **overrides: Any,
) -> dict[str, Any]:
    """POST a product (unique sku, no barcode unless given, price 10) and return its body.

    ``overrides`` are JSON field names (``sku``, ``barcode``, ``variants``, ``category``…);
    ``expect`` is the status asserted (the error body is returned for a non-201).
    """
    if tenant.id not in _tax_ready:
        await ensure_tax_classes(client, tenant, ("standard", "exempt"))
        _tax_ready.add(tenant.id)
    body: dict[str, Any] = {"name": "Test product", "sku": unique_sku(), "price": 10}
    body.update(overrides)
    response = await client.post(
        "/v1/catalog/products", headers=headers or tenant.headers, json=body
    )
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_category(
    client: httpx.AsyncClient, tenant: TenantFixture, name: str, parent_id: str | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/v1/catalog/categories",
        headers=tenant.headers,
        json={"name": name, "parentId": parent_id},
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
