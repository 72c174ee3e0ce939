"""Reports as CSV with the JSON's columns: flat rows, one header, a total line.

A report is a list of rows (``{column: value}``; nested dicts flatten to ``parent.child``
columns) and its totals. CSV writes one line per row under a header of the same column names
as the JSON's fields, then a ``total`` line, line by line so a long range streams.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"tenders": {"cash": 1}}`` → ``{"tenders.cash": 1}``; lists are not report values."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{name}.")
        else:
            flat[name] = value
    return flat


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every column any row has, in the order they first appear."""
    seen: dict[str, None] = {}
    for row in rows:
        for name in flatten(row):
            seen.setdefault(name, None)
    return list(seen)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # The JSON's number, written without float noise (24.0 → "24.0", 0.1 → "0.1").
        return format(Decimal(repr(value)), "f")
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        # A product named "=HYPERLINK(…)" must not run as a formula in a spreadsheet (OWASP
        # CSV injection): text, never numbers, gets a leading apostrophe.
        return "'" + text
    return text


def csv_lines(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], totals: Mapping[str, Any] | None
) -> Iterator[str]:
    """The header, one line per row and a last ``total`` line (its first column says so)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(v) for v in values])
        return buffer.getvalue()

    yield line(columns)
    for row in rows:
        flat = flatten(row)
        yield line(flat.get(name) for name in columns)
    if totals is not None:
        flat = flatten(totals)
        first = columns[0] if columns else ""
        yield line("total" if name == first else flat.get(name) for name in columns)
