"""The catalog as CSV: one row per product, then one per option variant (``parent_sku`` set).

Lists inside a cell are separated by ``|``: ``images`` are URLs, ``attributes`` and
``option_values`` are ``Name=Value`` pairs. Booleans are true/false (also yes/no, 1/0).
Parsing reports every bad row with its line number; nothing is written from here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (CSV injection: a product named ``=HYPERLINK(…)`` in a manager's Excel). The export
writes such a cell with a leading ``'``, which spreadsheets show as text, and the import takes
that one ``'`` off again, so an exported file imports back to exactly what was exported.
"""

import csv
import heapq
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from tillpoint.catalog.schemas import ProductIn, ProductOut

COLUMNS = (
    "sku",
    "parent_sku",
    "name",
    "description",
    "barcode",
    "barcode_internal",
    "category",
    "price",
    "cost",
    "tax_class",
    "supplier_id",
    "active",
    "in_store_only",
    "sold_by",
    "option_values",
    "images",
    "attributes",
)
REQUIRED = ("sku", "name", "price")
VARIANT_COLUMNS = frozenset(
    {"sku", "parent_sku", "name", "barcode", "barcode_internal", "price", "cost", "option_values"}
)
# The product's own columns: on a variant row they must be empty (a value there is an error).
PRODUCT_ONLY_COLUMNS = tuple(c for c in COLUMNS if c not in VARIANT_COLUMNS)
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}
# API field (camelCase) → CSV column, for error messages.
_COLUMN_OF = {
    "barcodeInternal": "barcode_internal",
    "taxClass": "tax_class",
    "supplierId": "supplier_id",
    "inStoreOnly": "in_store_only",
    "soldBy": "sold_by",
    "optionValues": "option_values",
}

_FIELD_OF = {column: api_field for api_field, column in _COLUMN_OF.items()}
# A cell a spreadsheet would run as a formula, already quoted with any number of ``'``.
_FORMULA_LIKE = re.compile(r"'*[=+\-@\t\r]")


def neutralise_formula(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: one ``'`` before a formula-like start."""
    return f"'{cell}" if _FORMULA_LIKE.match(cell) else cell


def restore_formula(cell: str) -> str:
    """What ``neutralise_formula`` wrote, back as it was."""
    return cell[1:] if cell.startswith("'") and _FORMULA_LIKE.match(cell, 1) else cell


@dataclass
class RowError:
    line: int
    sku: str
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "sku": self.sku, "field": self.field, "message": self.message}


MAX_KEPT_ERRORS = 1000


class RowErrors:
    """An import's row errors: every one counted, the first ``keep`` by line kept (in the
    order found within a line), so a file of 100,000 bad rows holds 1,000 errors in memory,
    not 100,000. Iterating gives the kept ones by line; ``len`` is the count of all."""

    def __init__(self, errors: Iterable[RowError] = (), keep: int = MAX_KEPT_ERRORS) -> None:
        self.keep = keep
        self.count = 0
        # (-line, -n, error): the heap's top is the kept error to give up first (the latest
        # line, the last found on it), for one found on an earlier line.
        self._heap: list[tuple[int, int, RowError]] = []
        self.extend(errors)

    def append(self, error: RowError) -> None:
        self.count += 1
        item = (-error.line, -self.count, error)
        if len(self._heap) < self.keep:
            heapq.heappush(self._heap, item)
        elif self._heap and item[:2] > self._heap[0][:2]:
            heapq.heapreplace(self._heap, item)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.append(error)

    def __iadd__(self, errors: Iterable[RowError]) -> "RowErrors":
        self.extend(errors)
        return self

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[RowError]:
        return iter([error for *_, error in sorted(self._heap, key=lambda t: (-t[0], -t[1]))])


@dataclass
class RowLines:
    """Where a product and its variants came from: line numbers and skus."""

    line: int
    sku: str
    variant_lines: list[int] = field(default_factory=list)
    variant_skus: list[str] = field(default_factory=list)

    def locate(self, api_field: str) -> tuple[int, str, str]:
        """(line, column, sku) of an error about ``api_field`` (``variants[1].barcode``)."""
        if api_field.startswith("variants["):
            index = int(api_field[len("variants[") : api_field.index("]")])
            rest = api_field.partition("].")[2] or "sku"
            if index < len(self.variant_lines):
                return self.variant_lines[index], column_of(rest), self.variant_skus[index]
        return self.line, column_of(api_field), self.sku

    def error(self, api_field: str, message: str) -> "RowError":
        line, column, sku = self.locate(api_field)
        return RowError(line, sku, column or "row", message)


@dataclass
class ParsedProduct:
    item: ProductIn
    lines: RowLines


def column_of(api_field: str) -> str:
    head = api_field.split(".")[0].split("[")[0]
    return _COLUMN_OF.get(head, head)


def _bool(value: str) -> bool | str:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    return value  # left for validation to reject, naming the column


def _pairs(value: str) -> list[dict[str, str]] | str:
    pairs = []
    for part in filter(None, (p.strip() for p in value.split("|"))):
        name, sep, val = part.partition("=")
        if not sep:
            return value  # not Name=Value: validation names the column
        pairs.append({"name": name.strip(), "value": val.strip()})
    return pairs


def _amount(raw: str) -> Decimal | str:
    # A cell is text; an amount in the API is a JSON number. What does not read as a number
    # stays text, for the model to refuse with its own message.
    try:
        return Decimal(raw)
    except ArithmeticError:
        return raw


def _cell_values(row: dict[str, str], columns: Iterable[str]) -> dict[str, Any]:
    """The non-empty cells of a row as API fields (camelCase), lists and booleans parsed."""
    out: dict[str, Any] = {}
    for column in columns:
        raw = restore_formula((row.get(column) or "").strip())
        if not raw or column == "parent_sku":
            continue
        key = _FIELD_OF.get(column, column)
        if column in ("barcode_internal", "active", "in_store_only"):
            out[key] = _bool(raw)
        elif column in ("attributes", "option_values"):
            out[key] = _pairs(raw)
        elif column == "images":
            out[key] = [u.strip() for u in raw.split("|") if u.strip()]
        elif column in ("price", "cost"):
            out[key] = _amount(raw)
        else:
            out[key] = raw
    return out


def _errors_of(exc: ValidationError, lines: RowLines) -> list[RowError]:
    found = []
    for error in exc.errors():
        loc = list(error["loc"])
        if len(loc) >= 2 and loc[0] == "variants" and isinstance(loc[1], int):
            api_field = f"variants[{loc[1]}]." + ".".join(str(p) for p in loc[2:])
        else:
            api_field = ".".join(str(p) for p in loc)
        found.append(lines.error(api_field, error["msg"]))
    return found


def header_errors(header: list[str]) -> tuple[list[RowError], bool]:
    """Every problem of the header row (line 1), and whether the rows can still be checked
    (they can unless a required column is missing)."""
    problems = [f"unknown column {h!r}" for h in dict.fromkeys(header) if h not in COLUMNS]
    problems += [
        f"column {h!r} is given {header.count(h)} times"
        for h in dict.fromkeys(header)
        if header.count(h) > 1
    ]
    missing = [c for c in REQUIRED if c not in header]
    problems += [f"missing column {c!r}" for c in missing]
    errors = [RowError(1, "", "header", "; ".join(problems))] if problems else []
    return errors, not missing


def variant_row_errors(line: int, row: dict[str, str]) -> list[RowError]:
    """A variant row that gives a value in a column of the product (tax_class, category, …)."""
    sku = (row.get("sku") or "").strip()
    return [
        RowError(line, sku, column, f"{column} is the product's; leave it empty on a variant row")
        for column in PRODUCT_ONLY_COLUMNS
        if (row.get(column) or "").strip()
    ]


def parse_product(
    product: tuple[int, dict[str, str]],
    children: list[tuple[int, dict[str, str]]],
    known: list[str],
) -> ParsedProduct | list[RowError]:
    """A product row and its variant rows as a ``ProductIn``, or every error the model finds
    in them (each on its own line and column). ``known``: the header's known columns."""
    start, row = product
    sku = (row.get("sku") or "").strip()
    body = _cell_values(row, known)
    variant_columns = [c for c in known if c in VARIANT_COLUMNS]
    body["variants"] = [_cell_values(r, variant_columns) for _, r in children]
    lines = RowLines(
        start, sku, [s for s, _ in children], [(r.get("sku") or "").strip() for _, r in children]
    )
    try:
        return ParsedProduct(ProductIn.model_validate(body), lines)
    except ValidationError as exc:
        return _errors_of(exc, lines)


def _decimal(value: Any) -> str:
    return "" if value is None else format(Decimal(str(value)), "f")


def _join_pairs(pairs: Iterable[Any]) -> str:
    return "|".join(f"{p.name}={p.value}" for p in pairs)


def catalog_rows(
    products: Iterable[ProductOut], category_path: Callable[[str], str]
) -> Iterator[dict[str, str]]:
    """CSV rows (as dicts over ``COLUMNS``) of products, each followed by its variants;
    categories are written as paths ('Apparel > Tees') so an import finds the same one."""
    for product in products:
        yield {
            "sku": product.sku,
            "parent_sku": "",
            "name": product.name,
            "description": product.description,
            "barcode": product.barcode or "",
            "barcode_internal": "true" if product.barcode_internal else "false",
            "category": category_path(product.category_id) if product.category_id else "",
            "price": _decimal(product.price),
            "cost": _decimal(product.cost),
            "tax_class": product.tax_class,
            "supplier_id": product.supplier_id or "",
            "active": "true" if product.active else "false",
            "in_store_only": "true" if product.in_store_only else "false",
            "sold_by": product.sold_by,
            "option_values": "",
            "images": "|".join(product.images),
            "attributes": _join_pairs(product.attributes),
        }
        for variant in product.variants:
            if variant.archived:
                continue
            yield {
                **dict.fromkeys(COLUMNS, ""),
                "sku": variant.sku,
                "parent_sku": product.sku,
                "name": variant.name,
                "barcode": variant.barcode or "",
                "barcode_internal": "true" if variant.barcode_internal else "false",
                "price": _decimal(variant.price),
                "cost": _decimal(variant.cost),
                "option_values": _join_pairs(variant.option_values),
            }


def write_catalog_csv(rows: Iterable[dict[str, str]], out: io.TextIOBase | Any) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({column: neutralise_formula(cell) for column, cell in row.items()})
        count += 1
    return count
