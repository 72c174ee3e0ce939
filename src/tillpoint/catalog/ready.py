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
from decimal import Decimal
from typing import Any

from pydantic.alias_generators import to_camel
from pydantic_core import to_json

from tillpoint.core.schemas import json_number, utc_z

# Decimal fields (money and quantities), by field name: a name means one thing in every model
# of the catalog.
_DECIMALS = frozenset({"price", "cost", "on_hand", "reserved", "available", "reorder_point"})
Number = Callable[[Decimal], int | float]


def _converter(key: str, number: Number) -> Callable[[Any], Any] | None:
    """What the field ``key`` becomes in JSON; None: passed as it is (text, flags, stored JSON
    lists)."""
    if key in _DECIMALS:
        return number
    if key == "location_prices":
        return lambda prices: [
            {"locationId": p["location_id"], "price": number(p["price"])} for p in prices
        ]
    if key in ("variants", "inventory"):
        return lambda items: [plain(item, number) for item in items]
    if key in ("created_at", "updated_at"):
        return utc_z
    return None


# Per way of writing numbers, each field name once: its JSON key and its conversion.
_SPECS: dict[Number, dict[str, tuple[str, Callable[[Any], Any] | None]]] = {}


def plain(fields: dict[str, Any], number: Number = json_number) -> dict[str, Any]:
    """A model's fields as its JSON object: camelCase keys, decimals as numbers, ``Z`` times.
    ``number`` writes a decimal: ``json_number`` (whole values as integers) for the responses
    made here, ``model_number`` for exactly what the models dump (events)."""
    specs = _SPECS.get(number)
    if specs is None:
        specs = _SPECS[number] = {}
    out = {}
    for key, value in fields.items():
        spec = specs.get(key)
        if spec is None:
            spec = specs[key] = (to_camel(key), _converter(key, number))
        name, convert = spec
        out[name] = value if convert is None or value is None else convert(value)
    return out


def model_number(value: Decimal) -> float:
    """A decimal as the models dump it: ``json_number``, then the serializer's declared type
    (``DecimalNumber``'s ``return_type=float``), so 24 is written 24.0."""
    return float(json_number(value))


def page_json(items: list[dict[str, Any]], page: int, page_size: int, total: int) -> bytes:
    """``Page[…]`` of these items' fields as JSON."""
    items_json = [plain(item) for item in items]
    return to_json({"items": items_json, "page": page, "pageSize": page_size, "total": total})


def item_json(fields: dict[str, Any]) -> bytes:
    """One model's fields as JSON."""
    return to_json(plain(fields))
