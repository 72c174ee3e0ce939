"""A shift's report on paper: the 42-column text report (``shifts.report.render_text``) as
ESC/POS, sent to a receipt printer of the register's location like a receipt is."""

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.sales.models import Shift
from tillpoint.sales.receipts.printing import ReceiptPrintOut, print_at_location, text_to_escpos
from tillpoint.sales.shifts.service import shift_report_text
from tillpoint.stores.models import Register


async def print_shift_report(
    session: AsyncSession,
    principal: Principal,
    register: Register,
    shift: Shift,
    printer_id: str | None,
    *,
    allow_loopback: bool = False,
) -> ReceiptPrintOut:
    """Print the Z report of a closed shift (an open one's X report) exactly as
    ``GET …/report?format=text`` shows it."""
    location_id = register.location_id
    text = await shift_report_text(session, principal, register, shift)
    return await print_at_location(
        session,
        principal,
        location_id,
        printer_id,
        text_to_escpos(text),
        unchanged="the shift",
        allow_loopback=allow_loopback,
    )
