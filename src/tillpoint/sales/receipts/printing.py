"""Receipts on paper: ESC/POS bytes, sent to a network printer over raw TCP (port 9100).

Printing writes nothing to the database: whether the printer answers or not, the order is
exactly as it was. A printer that cannot be reached is a 502 ``PRINTER_UNREACHABLE`` naming
the printer and the reason, so the till can say what to fix and print again.
"""

import contextlib
import io
from typing import Any

from escpos.exceptions import BarcodeCodeError, BarcodeSizeError, BarcodeTypeError
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.errors import AppError
from tillpoint.core.schemas import ApiModel
from tillpoint.sales.receipts.rendering import WIDTH, entry_lines, receipt_layout
from tillpoint.sales.receipts.service import BARCODE_TYPE, ReceiptOut, load_receipt
from tillpoint.stores import printer_addresses
from tillpoint.stores.models import Printer
from tillpoint.stores.printer_transport import send_to_printer, unreachable_reason
from tillpoint.stores.printers import default_printer, get_printer
from tillpoint.stores.schemas import printer_address

CENTERED = ("shop", "center", "heading")


class ReceiptPrintIn(ApiModel):
    printer_id: str | None = Field(
        default=None,
        max_length=40,
        description="Default: the first active receipt printer of the order's location",
    )


class ReceiptPrintOut(ApiModel):
    printed: bool
    printer_id: str
    bytes: int = Field(description="How many bytes of ESC/POS the printer took")


def render_escpos(receipt: ReceiptOut) -> bytes:
    """ESC/POS commands for a receipt printer: initialise, the text lines with emphasis, the
    receipt number as a CODE128 barcode, feed and cut."""
    # Imported here, not at the top: importing escpos.printer parses the library's printer
    # database (~0.3 s), writes a pickle of it to a new temp directory and calls
    # logging.basicConfig(); only a process that renders ESC/POS should pay for that.
    from escpos.printer import Dummy

    printer = Dummy()
    printer.hw("INIT")
    style: dict[str, object] = {}
    for entry in receipt_layout(receipt):
        if entry.kind == "barcode":
            _barcode(printer, entry.left)
            style = {}
            continue
        centered = entry.kind in CENTERED
        wanted: dict[str, object] = {
            "align": "center" if centered else "left",
            "bold": entry.kind in ("shop", "heading", "grand"),
            "double_height": entry.kind in ("shop", "grand"),
            "normal_textsize": entry.kind not in ("shop", "grand"),
        }
        if wanted != style:  # only what changes, or every line would repeat every command
            printer.set(**wanted)
            style = wanted
        # The printer centers by itself; the text format's padding would push lines right.
        lines = [line.strip() for line in entry_lines(entry)] if centered else entry_lines(entry)
        printer.text("".join(line + "\n" for line in lines))
    printer.set(align="left", bold=False, normal_textsize=True)
    printer.cut()
    output: bytes = printer.output
    return output


def _barcode(printer: Any, data: str) -> None:
    try:
        # The library announces which renderer it chose on stdout; keep that out of our logs.
        with contextlib.redirect_stdout(io.StringIO()):
            printer.barcode(
                "{B" + data, BARCODE_TYPE, height=64, width=2, pos="BELOW", function_type="B"
            )
        printer.text("\n")
    except (BarcodeCodeError, BarcodeSizeError, BarcodeTypeError):
        # Not printable as CODE128 set B (non-ASCII): the number as text still identifies it.
        printer.set(align="center", bold=False, normal_textsize=True)
        printer.text(data[:WIDTH] + "\n")


async def choose_printer(
    session: AsyncSession, principal: Principal, location_id: str, printer_id: str | None
) -> Printer:
    """The printer named (of this location, active), else the location's first active receipt
    printer; 409 CONFLICT when there is none."""
    if printer_id is not None:
        printer = await get_printer(session, principal, location_id, printer_id)
        if not printer.active:
            raise AppError("CONFLICT", f"Printer {printer.name!r} is archived.")
        return printer
    found = await default_printer(session, location_id, "receipt")
    if found is None:
        raise AppError(
            "CONFLICT",
            "The location has no active receipt printer: add one under "
            f"/v1/locations/{location_id}/printers or name a printerId.",
        )
    return found


async def print_at_location(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    printer_id: str | None,
    data: bytes,
    *,
    unchanged: str,
    allow_loopback: bool = False,
) -> ReceiptPrintOut:
    """Send ``data`` to a receipt printer of the location (``choose_printer``); a printer
    that cannot be reached is 502 PRINTER_UNREACHABLE, whose message says ``unchanged`` (what
    stays as it was: "the order", "the shift")."""
    chosen = await choose_printer(session, principal, location_id, printer_id)
    chosen_id, name, host, port = chosen.id, chosen.name, chosen.host, chosen.port
    # Everything is read: end the transaction before waiting on the printer (up to 13 s).
    # Held open, it would keep a pooled connection — and on SQLite the database's write lock,
    # stopping every till's sales. (Nothing was written; the request's audit entry gets a
    # transaction of its own at the end. The rollback expires the rows: use the copies.)
    await session.rollback()
    try:
        await send_to_printer(host, port, data, allow_loopback=allow_loopback)
    except (OSError, TimeoutError, UnicodeError, printer_addresses.PrinterAddressRefused) as exc:
        address = printer_address(host, port)
        reason = unreachable_reason(exc)
        raise AppError(
            "PRINTER_UNREACHABLE",
            f"Printer {name!r} at {address} could not be reached ({reason}); "
            f"nothing was printed and {unchanged} is unchanged.",
            details=[
                {
                    "message": reason,
                    "printerId": chosen_id,
                    "host": host,
                    "port": port,
                    "reason": reason,
                }
            ],
        ) from None
    return ReceiptPrintOut(printed=True, printer_id=chosen_id, bytes=len(data))


async def print_receipt(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    printer_id: str | None,
    *,
    allow_loopback: bool = False,
) -> ReceiptPrintOut:
    receipt = await load_receipt(session, principal, order_id)
    data = render_escpos(receipt)
    return await print_at_location(
        session,
        principal,
        receipt.location_id,
        printer_id,
        data,
        unchanged="the order",
        allow_loopback=allow_loopback,
    )


def text_to_escpos(text: str) -> bytes:
    """Plain text (already laid out for WIDTH columns) as ESC/POS: initialise, the lines,
    feed and cut. Control characters in it are printed as spaces, never sent as commands."""
    from escpos.printer import Dummy  # see render_escpos: a costly import, made when needed

    printer = Dummy()
    printer.hw("INIT")
    printer.set(align="left", bold=False, normal_textsize=True)
    # Each line cleaned, its indentation kept (clean() would strip it).
    lines = ("".join(c if c.isprintable() else " " for c in line) for line in text.splitlines())
    printer.text("".join(line.rstrip() + "\n" for line in lines))
    printer.cut()
    output: bytes = printer.output
    return output
