"""Reading a catalog CSV for an import in two passes, so memory holds a batch, not the file.

Pass 1 (``index_catalog``) reads every row once and keeps only what a check over the whole
file needs: each sku's first line (a repeated sku), how many variant rows each product has (a
variant row whose product row is missing), and the errors found. Pass 2 (``product_groups``)
reads the rows again and hands out each product with its variant rows as soon as the group is
whole — at once in an exported file, where variants follow their product — checked against the
model (``ProductIn``), every column of every row. Nothing is written from here.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field

from tillpoint.catalog.csv_io import (
    COLUMNS,
    ParsedProduct,
    RowError,
    RowErrors,
    header_errors,
    parse_product,
    variant_row_errors,
)

Row = tuple[int, dict[str, str]]  # (line, the row's cells by column)


@dataclass
class CatalogIndex:
    """What pass 1 learned: the readable columns, the row count, the errors, the lines pass 2
    skips (rows that cannot be grouped; their error is in ``errors``) and each product's number
    of variant rows."""

    known: list[str]
    errors: RowErrors
    readable: bool
    rows: int = 0
    skipped: set[int] = field(default_factory=set)
    variant_counts: dict[str, int] = field(default_factory=dict)


def _lines(text: str) -> Iterator[str]:
    """The text's lines, each with its ``\n``, cut one at a time: no copy of the whole text
    (``io.StringIO`` would hold one at four bytes a character)."""
    start, end = (1 if text.startswith("\ufeff") else 0), len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def _rows(text: str) -> tuple[list[str], Iterator[Row]]:
    reader = csv.DictReader(_lines(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header

    def rows() -> Iterator[Row]:
        line = 1
        for row in reader:
            start, line = line + 1, reader.line_num
            yield start, row

    return header, rows()


def _cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


def index_catalog(text: str) -> CatalogIndex:
    """Pass 1: every row read once; the errors that need the whole file found."""
    header, rows = _rows(text)
    found, readable = header_errors(header)
    errors = RowErrors(found)
    index = CatalogIndex([h for h in dict.fromkeys(header) if h in COLUMNS], errors, readable)
    if not readable:
        return index
    seen: dict[str, int] = {}
    products: set[str] = set()
    variants: dict[str, list[tuple[int, str]]] = {}
    for start, row in rows:
        index.rows += 1
        sku = _cell(row, "sku")
        if None in row:
            errors.append(RowError(start, sku, "row", "more cells than columns"))
        elif not sku:
            errors.append(RowError(start, "", "sku", "sku is required"))
        elif sku in seen:
            errors.append(RowError(start, sku, "sku", f"sku repeats line {seen[sku]}"))
        else:
            seen[sku] = start
            parent = _cell(row, "parent_sku")
            if parent:
                errors.extend(variant_row_errors(start, row))
                variants.setdefault(parent, []).append((start, sku))
            else:
                products.add(sku)
            continue
        index.skipped.add(start)
    for parent, children in variants.items():
        if parent in products:
            index.variant_counts[parent] = len(children)
            continue
        message = f"no product row with sku {parent!r} in this file"
        for start, sku in children:
            errors.append(RowError(start, sku, "parent_sku", message))
            index.skipped.add(start)
    return index


def product_groups(text: str, index: CatalogIndex) -> Iterator[ParsedProduct | list[RowError]]:
    """Pass 2: each product with its variant rows, parsed, or the errors of that group; in the
    order their groups complete."""
    if not index.readable:
        return
    _, rows = _rows(text)
    waiting: dict[str, tuple[Row | None, list[Row]]] = {}
    for start, row in rows:
        if start in index.skipped:
            continue
        parent = _cell(row, "parent_sku")
        key = parent or _cell(row, "sku")
        product, children = waiting.get(key, (None, []))
        if parent:
            children.append((start, row))
        else:
            product = (start, row)
        if product is not None and len(children) == index.variant_counts.get(key, 0):
            waiting.pop(key, None)
            yield parse_product(product, children, index.known)
        else:
            waiting[key] = (product, children)
