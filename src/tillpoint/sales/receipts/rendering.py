"""A receipt laid out as labelled rows (``receipt_layout``), and those rows rendered as text
or HTML. The ESC/POS renderer (``receipts/printing.py``) reads the same rows, so the three
always say the same thing; the receipt itself (``ReceiptOut``) is ``receipts/service.py``'s.
"""

import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

import barcode
from babel.numbers import format_currency
from barcode.writer import SVGWriter
from jinja2 import Environment
from markupsafe import Markup

from tillpoint.sales.models import PRINT_LOCALE
from tillpoint.sales.receipts.service import ReceiptOut
from tillpoint.sales.schemas import AppliedDiscountOut

WIDTH = 42  # characters per line of 80 mm thermal paper in the printer's font A
DETAIL_INDENT = 4


# ---- layout: labelled rows every renderer reads ----------------------------------------------

EntryKind = Literal[
    "shop", "center", "heading", "rule", "item", "detail", "amount", "grand", "note", "barcode"
]


@dataclass(frozen=True)
class Entry:
    kind: EntryKind
    left: str = ""
    right: str = ""


def clean(text: str) -> str:
    """User text made safe for a printer: control and format characters (ESC, GS, …) would be
    printer commands in ESC/POS, so they become spaces."""
    return "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text).strip()


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _discount_label(discount: AppliedDiscountOut, base: str = "Discount") -> str:
    label = f"{base} {_number(discount.value)}%" if discount.type == "percentage" else base
    return f"{label} ({clean(discount.reason)})" if discount.reason else label


def receipt_layout(receipt: ReceiptOut) -> list[Entry]:
    def money(amount: Decimal) -> str:
        return format_currency(amount, receipt.currency, locale=PRINT_LOCALE)

    def minus(amount: Decimal) -> str:
        return money(-amount) if amount else money(amount)

    totals = receipt.totals
    zone = ZoneInfo(receipt.timezone)
    when = datetime.fromisoformat(receipt.local_time).astimezone(zone)
    out: list[Entry] = [Entry("shop", clean(receipt.shop_name))]
    if clean(receipt.location_name) != clean(receipt.shop_name):
        out.append(Entry("center", clean(receipt.location_name)))
    out += [Entry("center", clean(line)) for line in receipt.address_lines]
    out += [Entry("center", when.strftime("%Y-%m-%d %H:%M %Z")), Entry("rule")]
    if receipt.status == "voided":
        out.append(Entry("heading", "*** VOIDED ***"))
        if receipt.void_reason:
            out.append(Entry("center", clean(receipt.void_reason)))
    if receipt.receipt_number is None:
        if receipt.status == "open":
            out.append(Entry("heading", "PROVISIONAL BILL"))
        out.append(Entry("center", "Not a receipt"))
    else:
        out.append(Entry("heading", f"Receipt {receipt.receipt_number}"))
    out += [Entry("note", f"Order {receipt.order_id}"), Entry("rule")]

    for line in receipt.line_items:
        out.append(
            Entry("item", f"{_number(line.quantity)} x {clean(line.name)}", money(line.subtotal))
        )
        if line.quantity != 1:
            out.append(Entry("detail", f"@ {money(line.unit_price)} each"))
        for mod in line.modifiers:
            price = f" ({'+' if mod.price >= 0 else ''}{money(mod.price)})" if mod.price else ""
            out.append(Entry("detail", f"+ {clean(mod.name)}{price}"))
        for discount in line.discounts:
            out.append(Entry("detail", _discount_label(discount), minus(discount.amount)))
        if line.notes:
            out.append(Entry("detail", f"Note: {clean(line.notes)}"))
        if line.refunded_quantity:
            out.append(Entry("detail", f"Refunded: {_number(line.refunded_quantity)}"))
    out.append(Entry("rule"))

    out.append(Entry("amount", "Subtotal", money(totals.subtotal)))
    for discount in receipt.discounts:
        out.append(
            Entry("amount", _discount_label(discount, "Order discount"), minus(discount.amount))
        )
    if totals.discount_total:
        out.append(Entry("amount", "Discount total", minus(totals.discount_total)))
    for charge in receipt.service_charges:
        rate = f" {_number(charge.value)}%" if charge.type == "percentage" else ""
        out.append(Entry("amount", f"{clean(charge.name)}{rate}", money(charge.amount)))
    included = "incl. " if totals.tax_included else ""
    for tax in receipt.taxes:
        label = f"{included}{clean(tax.name)} {_number(tax.rate)}%"
        out.append(Entry("amount", label, money(tax.amount)))
    if not receipt.taxes and totals.tax_total:
        out.append(Entry("amount", f"{included}Tax", money(totals.tax_total)))
    if totals.tip_total:
        out.append(Entry("amount", "Tip", money(totals.tip_total)))
    if totals.cash_rounding:
        out.append(Entry("amount", "Cash rounding", money(totals.cash_rounding)))
    out.append(Entry("grand", "TOTAL", money(totals.grand_total)))

    if receipt.tenders:
        out.append(Entry("rule"))
    for tender in receipt.tenders:
        status = "" if tender.status == "captured" else f" ({tender.status})"
        out.append(Entry("amount", f"{clean(tender.label)}{status}", money(tender.amount)))
        if tender.amount_tendered is not None:
            out.append(Entry("detail", "Tendered", money(tender.amount_tendered)))
        if tender.change_due:
            out.append(Entry("detail", "Change", money(tender.change_due)))
    if receipt.change_due:
        out.append(Entry("grand", "CHANGE", money(receipt.change_due)))
    if totals.balance_due:
        out.append(Entry("grand", "BALANCE DUE", money(totals.balance_due)))

    if receipt.refunds:
        out.append(Entry("rule"))
    for refund in receipt.refunds:
        day = refund.created_at.astimezone(zone).strftime("%Y-%m-%d")
        out.append(Entry("amount", f"Refund {day}: {clean(refund.reason)}", minus(refund.amount)))
    if totals.refunded:
        out.append(Entry("amount", "Refunded total", minus(totals.refunded)))

    if receipt.notes:
        out += [Entry("rule"), Entry("note", clean(receipt.notes))]
    out.append(Entry("rule"))
    if receipt.barcode is not None:
        out.append(Entry("barcode", receipt.barcode.data))
    out.append(Entry("center", "Thank you!"))
    return out


# ---- text ------------------------------------------------------------------------------------


def _pair(left: str, right: str = "", indent: int = 0) -> list[str]:
    """``left`` wrapped within the width, ``right`` right-aligned on its first line."""
    pad = " " * indent
    room = WIDTH - indent - (len(right) + 1 if right else 0)
    if room < WIDTH // 3:  # an amount too wide to share the line gets a line of its own
        return [*_pair(left, indent=indent), right[-WIDTH:].rjust(WIDTH)]
    first, *rest = textwrap.wrap(left, room) or [""]
    lines = [pad + first.ljust(room) + " " + right if right else pad + first]
    more = textwrap.wrap(" ".join(rest), WIDTH - indent - 2)
    return lines + [pad + "  " + part for part in more]


def entry_lines(entry: Entry) -> list[str]:
    """An entry as lines of at most ``WIDTH`` characters (the barcode as its number)."""
    if entry.kind == "rule":
        return ["-" * WIDTH]
    if entry.kind in ("shop", "center", "heading", "barcode"):
        return [part.center(WIDTH).rstrip() for part in textwrap.wrap(entry.left, WIDTH)]
    if entry.kind == "detail":
        return _pair(entry.left, entry.right, DETAIL_INDENT)
    return _pair(entry.left, entry.right)


def render_text(receipt: ReceiptOut) -> str:
    """Plain text for 42-column thermal paper."""
    return "".join(line + "\n" for entry in receipt_layout(receipt) for line in entry_lines(entry))


# ---- HTML ------------------------------------------------------------------------------------

# Autoescaping on: product names, reasons and notes are user input.
_HTML = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  body { margin: 0; padding: 1em; background: #f4f4f4; color: #111;
         font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
  table.receipt { max-width: 26em; margin: 0 auto; background: #fff; padding: 1em;
                  border-collapse: collapse; width: 100%; }
  td { padding: 0.15em 0.3em; vertical-align: top; }
  td.amount { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  tr.shop td { text-align: center; font-size: 1.4em; font-weight: bold; }
  tr.center td, tr.heading td, tr.barcode td { text-align: center; }
  tr.heading td { font-weight: bold; padding-top: 0.5em; }
  tr.detail td:first-child { padding-left: 1.5em; color: #555; }
  tr.grand td { font-weight: bold; font-size: 1.2em; }
  tr.rule td { border-bottom: 1px dashed #999; padding: 0.2em 0; }
  tr.note td { color: #555; font-size: 0.9em; }
  .number { font-family: "Courier New", monospace; letter-spacing: 0.1em; }
  svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<table class="receipt">
{% for entry in entries %}
{% if entry.kind == "rule" %}
  <tr class="rule"><td colspan="2"></td></tr>
{% elif entry.kind == "barcode" %}
  <tr class="barcode">
    <td colspan="2">{{ barcode_svg }}<div class="number">{{ entry.left }}</div></td>
  </tr>
{% elif entry.kind in ("shop", "center", "heading", "note") %}
  <tr class="{{ entry.kind }}"><td colspan="2">{{ entry.left }}</td></tr>
{% else %}
  <tr class="{{ entry.kind }}">
    <td>{{ entry.left }}</td><td class="amount">{{ entry.right }}</td>
  </tr>
{% endif %}
{% endfor %}
</table>
</body>
</html>
"""
)


def barcode_svg(data: str) -> str:
    """A CODE128 barcode as an inline ``<svg>`` element (no XML prolog)."""
    code = barcode.get("code128", data, writer=SVGWriter())
    svg: bytes = code.render(
        writer_options={"module_height": 12.0, "quiet_zone": 2.0, "write_text": False}
    )
    text = svg.decode()
    return text[text.index("<svg") :].strip()


def render_html(receipt: ReceiptOut) -> str:
    """A self-contained HTML page for e-mail and screens."""
    if receipt.receipt_number is None:
        title = f"Provisional bill — {receipt.shop_name}"
    else:
        title = f"Receipt {receipt.receipt_number} — {receipt.shop_name}"
    svg = "" if receipt.barcode is None else barcode_svg(receipt.barcode.data)
    return _HTML.render(
        title=clean(title),
        entries=receipt_layout(receipt),
        # Our own markup, made by the library from the receipt number; nothing else is trusted.
        barcode_svg=Markup(svg),
    )
