"""A printer's test page: a few lines of ESC/POS sent the way receipts are
(``stores/printer_transport.py``), so a manager setting a printer up sees at once whether the
address is right. Like a receipt, it writes nothing to the database."""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.errors import AppError
from tillpoint.stores import printer_addresses
from tillpoint.stores.printer_transport import send_to_printer, unreachable_reason
from tillpoint.stores.printers import get_printer
from tillpoint.stores.schemas import PrinterTestPageOut, printer_address
from tillpoint.stores.service import get_location

TEST_PAGE_TITLE = "Tillpoint test print"


def render_test_page(printer_name: str, location_name: str, address: str, at: datetime) -> bytes:
    """Initialise, a centered bold title, where the page was meant to come out, feed and cut."""
    # Imported here for the reason given in sales/receipts/printing.py (escpos is slow to load).
    from escpos.printer import Dummy

    page = Dummy()
    page.hw("INIT")
    page.set(align="center", bold=True, double_height=True, normal_textsize=False)
    page.text(TEST_PAGE_TITLE + "\n")
    page.set(align="left", bold=False, normal_textsize=True)
    page.text(
        f"Printer: {printer_name}\nLocation: {location_name}\nAddress: {address}\n"
        f"Sent: {at:%Y-%m-%d %H:%M:%S} UTC\n\nIf you can read this, the printer is set up.\n"
    )
    page.cut()
    output: bytes = page.output
    return output


async def print_test_page(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    printer_id: str,
    *,
    allow_loopback: bool = False,
) -> PrinterTestPageOut:
    """Send the test page to the printer: 409 CONFLICT when it is archived, 502
    PRINTER_UNREACHABLE (nothing printed) when it does not answer."""
    location = await get_location(session, principal, location_id)
    printer = await get_printer(session, principal, location_id, printer_id)
    if not printer.active:
        raise AppError("CONFLICT", f"Printer {printer.name!r} is archived; restore it first.")
    printer_id, name, host, port = printer.id, printer.name, printer.host, printer.port
    address = printer_address(host, port)
    data = render_test_page(name, location.name, address, datetime.now(UTC))
    # Nothing to write: end the transaction before waiting on the printer (see print_receipt).
    await session.rollback()
    try:
        await send_to_printer(host, port, data, allow_loopback=allow_loopback)
    except (OSError, TimeoutError, UnicodeError, printer_addresses.PrinterAddressRefused) as exc:
        reason = unreachable_reason(exc)
        raise AppError(
            "PRINTER_UNREACHABLE",
            f"Printer {name!r} at {address} could not be reached ({reason}); nothing was printed.",
            details=[
                {
                    "message": reason,
                    "printerId": printer_id,
                    "host": host,
                    "port": port,
                    "reason": reason,
                },
            ],
        ) from None
    return PrinterTestPageOut(printed=True, printer_id=printer_id, bytes=len(data))
