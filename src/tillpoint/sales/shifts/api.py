"""Register shift endpoints (included into the sales router)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from tillpoint.core.deps import AppSettings, DbSession
from tillpoint.core.errors import not_found
from tillpoint.core.openapi import error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.sales.deps import (
    OrderReader,
    OrderWriter,
    RegisterToChange,
    RegisterToRead,
    ShiftToChange,
    ShiftToRead,
)
from tillpoint.sales.receipts.printing import ReceiptPrintIn, ReceiptPrintOut
from tillpoint.sales.shifts import service as shifts
from tillpoint.sales.shifts.printing import print_shift_report
from tillpoint.sales.shifts.schemas import (
    CashMovementIn,
    CashMovementOut,
    ShiftCloseIn,
    ShiftOpenIn,
    ShiftOut,
    ShiftReportOut,
    ShiftStatus,
)

router = APIRouter(tags=["register shifts"])

NOT_OPEN = error_responses("SHIFT_NOT_OPEN", "VERSION_CONFLICT")


@router.post(
    "/registers/{register_id}/shifts",
    response_model=ShiftOut,
    status_code=201,
    responses=error_responses("SHIFT_ALREADY_OPEN", "INVALID_STATUS"),
)
async def open_shift(
    register: RegisterToChange, body: ShiftOpenIn, session: DbSession, principal: OrderWriter
) -> ShiftOut:
    """Open a shift on the register with the cash float in its drawer. One open shift per
    register (409 SHIFT_ALREADY_OPEN); cash sales and cash refunds need one."""
    return await shifts.open_shift(session, principal, register, body)


@router.get("/registers/{register_id}/shifts", response_model=Page[ShiftOut])
async def list_shifts(
    register: RegisterToRead,
    session: DbSession,
    paging: Pagination,
    principal: OrderReader,
    status: ShiftStatus | None = None,
) -> dict[str, object]:
    rows, total = await shifts.list_shifts(session, principal, register, paging, status=status)
    return paging.page_of(rows, total)


@router.get("/registers/{register_id}/shifts/current", response_model=ShiftOut)
async def current_shift(
    register: RegisterToRead, session: DbSession, principal: OrderReader
) -> ShiftOut:
    """The register's open shift; 404 when none is open."""
    shift = await shifts.current_shift(session, register.id, lock=False)
    if shift is None:
        raise not_found("Open shift")
    return await shifts.view_shift(session, principal, shift)


@router.get("/registers/{register_id}/shifts/{shift_id}", response_model=ShiftOut)
async def get_shift(shift: ShiftToRead, session: DbSession, principal: OrderReader) -> ShiftOut:
    return await shifts.view_shift(session, principal, shift)


@router.post(
    "/registers/{register_id}/shifts/{shift_id}/cash-movements",
    response_model=CashMovementOut,
    status_code=201,
    responses=error_responses("SHIFT_NOT_OPEN"),
)
async def add_cash_movement(
    shift: ShiftToChange, body: CashMovementIn, session: DbSession, principal: OrderWriter
) -> CashMovementOut:
    """Paid in (cash put into the drawer) or paid out (taken out), with a reason; only while
    the shift is open."""
    return await shifts.add_cash_movement(session, principal, shift, body)


@router.get(
    "/registers/{register_id}/shifts/{shift_id}/cash-movements",
    response_model=Page[CashMovementOut],
)
async def list_cash_movements(
    shift: ShiftToRead, session: DbSession, paging: Pagination, principal: OrderReader
) -> dict[str, object]:
    rows, total = await shifts.list_cash_movements(session, principal, shift, paging)
    return paging.page_of(rows, total)


@router.post(
    "/registers/{register_id}/shifts/{shift_id}/close", response_model=ShiftOut, responses=NOT_OPEN
)
async def close_shift(
    shift: ShiftToChange, body: ShiftCloseIn, session: DbSession, principal: OrderWriter
) -> ShiftOut:
    """Close with the cash counted in the drawer: expected cash = float + cash sales − cash
    refunds + paid in − paid out, over/short = counted − expected, and the totals per tender
    are frozen as the shift's Z report. Every payment and refund taken under the shift is in
    it; one that arrives after the close is refused (SHIFT_NOT_OPEN), never split."""
    return await shifts.close_shift(session, principal, shift, body)


@router.get(
    "/registers/{register_id}/shifts/{shift_id}/report",
    response_model=ShiftReportOut,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def shift_report(
    register: RegisterToRead,
    shift: ShiftToRead,
    session: DbSession,
    principal: OrderReader,
    format: Annotated[Literal["json", "text"], Query()] = "json",
) -> ShiftReportOut | PlainTextResponse:
    """The closed shift's Z report as frozen at the close, or an open shift's figures so far
    (an X report, ``kind: "X"``). ``format=text`` renders it for 42-column receipt paper."""
    if format == "text":
        text = await shifts.shift_report_text(session, principal, register, shift)
        return PlainTextResponse(text)
    return await shifts.shift_report(session, principal, shift)


@router.post(
    "/registers/{register_id}/shifts/{shift_id}/report/print",
    response_model=ReceiptPrintOut,
    responses=error_responses("CONFLICT", "PRINTER_UNREACHABLE"),
)
async def print_report(
    register: RegisterToRead,
    shift: ShiftToRead,
    body: ReceiptPrintIn,
    session: DbSession,
    principal: OrderWriter,
    settings: AppSettings,
) -> ReceiptPrintOut:
    """Print the shift's report (``format=text``: the Z report once closed, an X report while
    open) on a printer of the register's location: the one named, else its first active
    receipt printer (none: 409 CONFLICT). Unreachable: 502 PRINTER_UNREACHABLE."""
    return await print_shift_report(
        session,
        principal,
        register,
        shift,
        body.printer_id,
        allow_loopback=settings.printer_allow_loopback,
    )
