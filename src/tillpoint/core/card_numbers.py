"""Refusing full card numbers: card capture happens on an external terminal, never through us.

Anything that looks like a primary account number — 13 to 19 digits, optionally grouped by
single spaces or dashes, that passes the Luhn check — is refused wherever it appears in a
request (any field, key or number), before the body is validated, logged or stored.
"""

import re
from typing import Any

import orjson
from fastapi import Request

from tillpoint.core.errors import AppError

# A run of digits with at most one space or dash between them, not touching other digits.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){12,}(?![0-9])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def looks_like_card_number(text: str) -> bool:
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    return False


def card_number_fields(value: Any) -> list[str]:
    """Where a parsed JSON value holds a card-number-like string, number or key: the fields in
    document order, named as validation errors name them (``lineItems[1].sku``; ``body`` for
    the value itself). A key that looks like one is reported as the object holding it, never
    by its name."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if looks_like_card_number(item):
                found.append(path or "body")
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if looks_like_card_number(str(item)):
                found.append(path or "body")
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                if looks_like_card_number(str(key)):
                    found.append(path or "body")
                    continue
                children.append((f"{path}.{key}" if path else str(key), child))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{path}[{i}]", child) for i, child in enumerate(item)]))
    return list(dict.fromkeys(found))


def contains_card_number(value: Any) -> bool:
    """Whether a parsed JSON value holds a card-number-like string or number anywhere."""
    return bool(card_number_fields(value))


def _query_fields(request: Request) -> list[str]:
    found = [
        "query" if looks_like_card_number(name) else name
        for name, value in request.query_params.multi_items()
        if looks_like_card_number(name) or looks_like_card_number(value)
    ]
    if not found and looks_like_card_number(request.url.query):
        found.append("query")
    return list(dict.fromkeys(found))


# Says which rule refused the field, so that a refusal is never a mystery: a SKU or a reference
# of 13+ digits that happens to pass the Luhn check is refused like a real card number.
WHY_REFUSED = (
    "holds 13 to 19 digits (alone or grouped by single spaces or dashes) that pass the Luhn "
    "check, the shape of a full card number; send only cardLast4, cardBrand and the "
    "processor's reference"
)


async def reject_card_numbers(request: Request) -> None:
    """A dependency for routes that take payment data: 400 CARD_DATA_NOT_ALLOWED naming each
    field where one was found (never echoing it), before anything else reads the body."""
    body = await request.body()
    fields: list[str] = []
    if body:
        try:
            fields = card_number_fields(orjson.loads(body))
        except orjson.JSONDecodeError:
            # Not JSON (validation answers that); still never let a number through in raw text.
            if looks_like_card_number(body.decode("utf-8", errors="replace")):
                fields = ["body"]
    fields += _query_fields(request)
    if fields:
        raise AppError(
            "CARD_DATA_NOT_ALLOWED",
            details=[{"field": field, "message": WHY_REFUSED} for field in fields],
        )
