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


def contains_card_number(value: Any) -> bool:
    """Whether a parsed JSON value holds a card-number-like string or number anywhere."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if looks_like_card_number(item):
                return True
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if looks_like_card_number(str(item)):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


async def reject_card_numbers(request: Request) -> None:
    """A dependency for routes that take payment data: 400 CARD_DATA_NOT_ALLOWED, with no echo
    of what was found, before anything else reads the body."""
    body = await request.body()
    if not body:
        return
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        # Not JSON (validation answers that); still never let a number through in raw text.
        parsed = body.decode("utf-8", errors="replace")
    if contains_card_number(parsed) or contains_card_number(request.url.query):
        raise AppError(
            "CARD_DATA_NOT_ALLOWED",
            details=[
                {
                    "field": None,
                    "message": "send only cardLast4, cardBrand and the processor's reference",
                }
            ],
        )
