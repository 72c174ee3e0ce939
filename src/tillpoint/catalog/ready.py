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

from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic.alias_generators import to_camel
from pydantic_core import to_json

from tillpoint.core.schemas import json_number, utc_z


@cache
def _camel(name: str) -> str:
    return to_camel(name)


def plain(value: Any) -> Any:
    """Model fields as their JSON values: camelCase keys, numbers and ``Z`` timestamps."""
    kind = type(value)
    if kind is dict:
        return {_camel(key): plain(item) for key, item in value.items()}
    if kind is list:
        return [plain(item) for item in value]
    if kind is Decimal:
        return json_number(value)
    if kind is datetime:
        return utc_z(value)
    return value


def page_json(items: list[dict[str, Any]], page: int, page_size: int, total: int) -> bytes:
    """``Page[…]`` of these items' fields as JSON."""
    items_json = [plain(item) for item in items]
    return to_json({"items": items_json, "page": page, "pageSize": page_size, "total": total})


def item_json(fields: dict[str, Any]) -> bytes:
    """One model's fields as JSON."""
    return to_json(plain(fields))
