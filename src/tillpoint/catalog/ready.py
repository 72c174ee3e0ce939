"""The catalog's hot responses — a product page, a lookup — serialised once, as JSON bytes.

A route that returns models has FastAPI validate them again against its ``response_model`` and
then serialise them: for a page of 200 products with their variants and stock that was most of
the request's CPU. These responses are built from our own rows as plain dicts of the models'
fields (``presenters.product_fields``, ``variant_fields``, ``scan.lookup``) and turned into
exactly the JSON the models would produce: camelCase keys, decimals as JSON numbers
(``json_number``) and timestamps as UTC text with a ``Z`` (``utc_z``). The routes still declare
the models as their ``response_model``, which the OpenAPI document describes;
tests/catalog/test_ready_json.py checks the bytes against the models.
"""

from collections.abc import Callable
from typing import Any

from pydantic.alias_generators import to_camel
from pydantic_core import to_json

from tillpoint.core.schemas import json_number, utc_z


def _prices(prices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"locationId": p["location_id"], "price": json_number(p["price"])} for p in prices]


def _many(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [plain(item) for item in items]


# What each field of ours becomes in JSON (by field name: a name means one thing in every
# model of the catalog); any other field is passed as it is (text, flags, stored JSON lists).
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "price": json_number,
    "cost": json_number,
    "on_hand": json_number,
    "reserved": json_number,
    "available": json_number,
    "reorder_point": json_number,
    "location_prices": _prices,
    "variants": _many,
    "inventory": _many,
    "created_at": utc_z,
    "updated_at": utc_z,
}


# Each field name once: its JSON key and its conversion (None: as it is).
_SPECS: dict[str, tuple[str, Callable[[Any], Any] | None]] = {}


def _spec(key: str) -> tuple[str, Callable[[Any], Any] | None]:
    spec = _SPECS[key] = (to_camel(key), _CONVERT.get(key))
    return spec


def plain(fields: dict[str, Any]) -> dict[str, Any]:
    """A model's fields as its JSON object: camelCase keys, decimals as numbers, ``Z`` times."""
    out = {}
    for key, value in fields.items():
        name, convert = _SPECS.get(key) or _spec(key)
        out[name] = value if convert is None or value is None else convert(value)
    return out


def page_json(items: list[dict[str, Any]], page: int, page_size: int, total: int) -> bytes:
    """``Page[…]`` of these items' fields as JSON."""
    items_json = [plain(item) for item in items]
    return to_json({"items": items_json, "page": page, "pageSize": page_size, "total": total})


def item_json(fields: dict[str, Any]) -> bytes:
    """One model's fields as JSON."""
    return to_json(plain(fields))
