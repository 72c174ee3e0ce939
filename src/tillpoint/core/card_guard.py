"""The card-number guard: every request, refused with 400 CARD_DATA_NOT_ALLOWED when it carries
a full card number anywhere we would read, store, echo or log.

The request pipeline calls ``card_data_in_request`` first, before the principal is resolved,
the rate limit counted or the idempotency key claimed. It looks at the path, the query string
(percent-decoded), the headers we keep (``Idempotency-Key`` is stored, ``X-Request-Id`` is
echoed, logged and written to the audit log) and the body: JSON (every key, string and
number), form fields, multipart parts (their headers and contents) and text, CSV cell by cell.
What counts as a card number is ``core.card_numbers``; a product code field (``barcode``,
``gtin``, ``upc``, ``ean``, ``sku`` — JSON key, query parameter or CSV column) holding a valid
GTIN is left to the GTIN rules.
"""

import csv
import io
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

import anyio
import orjson
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
from starlette.types import Scope

from tillpoint.core.card_numbers import (
    card_number_field,
    exempt_product_code,
    holds_card_number,
    is_product_code_name,
)
from tillpoint.core.gtin import is_valid_gtin

# The request headers that are stored, echoed or logged, by their names on the wire.
KEPT_HEADERS = ("Idempotency-Key", "X-Request-Id")
READ_IN_THREAD_BYTES = 256 * 1024
MESSAGE = (
    "this looks like a full card number (13 to 19 digits with a card issuer's prefix that pass "
    "the Luhn check), which is not accepted: card capture happens on the payment terminal; "
    "send cardBrand, cardLast4 and the processor's reference"
)


async def card_data_in_request(scope: Scope, headers: Headers, body: bytes) -> str | None:
    """Where the request carries a card number (a field, query parameter, header name, or
    ``path`` / ``query`` / ``body``), or None. The answer never holds the number itself."""
    if len(body) > READ_IN_THREAD_BYTES:  # a bulk upload: keep the event loop free meanwhile
        return await anyio.to_thread.run_sync(find_card_data, scope, headers, body)
    return find_card_data(scope, headers, body)


def find_card_data(scope: Scope, headers: Headers, body: bytes) -> str | None:
    if holds_card_number(scope["path"]):
        return "path"
    query = scope.get("query_string", b"")
    if query:
        found = _in_pairs(parse_qsl(query.decode("latin-1"), keep_blank_values=True), "query")
        if found is not None:
            return found
    for name in KEPT_HEADERS:
        if any(holds_card_number(value) for value in headers.getlist(name)):
            return name
    if body:
        return _in_body(body, headers.get("content-type", ""))
    return None


def refusal_details(where: str) -> list[dict[str, Any]]:
    return [{"field": where, "message": MESSAGE}]


def _in_pairs(pairs: Iterable[tuple[str, str]], whole: str) -> str | None:
    for name, value in pairs:
        if holds_card_number(name):
            return whole
        if not exempt_product_code(name, value) and holds_card_number(value):
            return name
    return None


def _decode(data: bytes) -> str:
    # UTF-8 as a rule; UTF-16 and -32 too, since the JSON parser accepts them.
    return data.decode(json.detect_encoding(data), errors="replace")


def _in_body(body: bytes, content_type: str) -> str | None:
    media = content_type.partition(";")[0].strip().lower()
    if media == "multipart/form-data":
        return _in_multipart(body, content_type)
    text = _decode(body)
    if media == "application/x-www-form-urlencoded":
        return _in_pairs(parse_qsl(text, keep_blank_values=True), "body")
    document = _json(text)
    if document is not None:
        return card_number_field(document[0])
    return "body" if _in_text(text) else None


def _json(text: str) -> tuple[Any] | None:
    """The parsed JSON document (in a 1-tuple, since null is a document), or None."""
    try:
        return (orjson.loads(text),)
    except orjson.JSONDecodeError:
        pass
    try:  # what orjson refuses but the standard parser takes: NaN, integers past 64 bits
        return (json.loads(text),)
    except (ValueError, RecursionError):
        return None


def _in_text(text: str) -> bool:
    """Whether non-JSON text holds a card number, read as CSV: each cell on its own (so one
    row's last number and the next row's first are not read as one), a product code column's
    GTINs left to the GTIN rules."""
    if not holds_card_number(text):
        return False
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows, [])
        if any(holds_card_number(cell) for cell in header):
            return True
        codes = {i for i, name in enumerate(header) if is_product_code_name(name)}
        return any(
            holds_card_number(cell)
            for row in rows
            for i, cell in enumerate(row)
            if not (i in codes and is_valid_gtin(cell.strip()))
        )
    except csv.Error:
        return True


class _Parts:
    """A multipart body's parts: each one's header values and data."""

    def __init__(self) -> None:
        self.headers: list[list[str]] = []
        self.data: list[bytearray] = []
        self._value = bytearray()

    def begin(self) -> None:
        self.headers.append([])
        self.data.append(bytearray())

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value.extend(data[start:end])

    def header_end(self) -> None:
        self.headers[-1].append(self._value.decode("utf-8", errors="replace"))
        self._value.clear()

    def part_data(self, data: bytes, start: int, end: int) -> None:
        self.data[-1].extend(data[start:end])


def _in_multipart(body: bytes, content_type: str) -> str | None:
    boundary = parse_options_header(content_type)[1].get(b"boundary")
    parts = _Parts()
    try:
        if not boundary:
            raise ValueError("no boundary")
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": parts.begin,
                "on_header_value": parts.header_value,
                "on_header_end": parts.header_end,
                "on_part_data": parts.part_data,
            },
        )
        parser.write(body)
        parser.finalize()
    except Exception:  # unreadable: the endpoint refuses it; still, look at all of it
        return "body" if _in_text(_decode(body)) else None
    for headers, data in zip(parts.headers, parts.data, strict=True):
        if any(holds_card_number(value) for value in headers) or _in_text(_decode(bytes(data))):
            return _part_name(headers)
    return None


def _part_name(headers: list[str]) -> str:
    for value in headers:
        kind, options = parse_options_header(value)
        name = options.get(b"name")
        if kind == b"form-data" and name and not holds_card_number(name.decode("latin-1")):
            return name.decode("latin-1")
    return "body"
