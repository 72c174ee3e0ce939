"""Printer endpoints under a location (included into the stores router)."""

from typing import Annotated

from fastapi import APIRouter, Query

from tillpoint.core.deps import AppSettings, DbSession
from tillpoint.core.openapi import error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.stores import printer_test_page, printers
from tillpoint.stores.deps import LocationToChange, PrinterToChange, SettingsReader, SettingsWriter
from tillpoint.stores.models import Printer
from tillpoint.stores.schemas import PrinterIn, PrinterOut, PrinterTestPageOut, PrinterUpdate

router = APIRouter(tags=["printers"])

# The catalogued 400s of a printer body, with the plain validation error they sit beside.
BODY_ERRORS = error_responses(
    "VALIDATION_ERROR",
    "MALFORMED_JSON",
    "INVALID_PRINTER_IP_FORMAT",
    "PRINTER_ADDRESS_NOT_ALLOWED",
    "PRINTER_NAME_REQUIRED",
)
UPDATE_ERRORS = BODY_ERRORS | error_responses("VERSION_CONFLICT")


@router.get("/locations/{location_id}/printers", response_model=Page[PrinterOut])
async def list_printers(
    location_id: str,
    session: DbSession,
    paging: Pagination,
    principal: SettingsReader,
    include_inactive: Annotated[bool, Query(alias="includeInactive")] = False,
) -> dict[str, object]:
    """The location's printers; archived ones only with ``includeInactive=true``."""
    items, total = await printers.list_printers(
        session, principal, location_id, paging, include_inactive=include_inactive
    )
    return paging.page_of(items, total)


@router.post(
    "/locations/{location_id}/printers",
    response_model=PrinterOut,
    status_code=201,
    responses=BODY_ERRORS,
)
async def create_printer(
    location: LocationToChange,
    body: PrinterIn,
    session: DbSession,
    principal: SettingsWriter,
    settings: AppSettings,
) -> Printer:
    """Add a network printer (ESC/POS over TCP): ``{name, type: receipt|kitchen, address}``
    with ``address`` as ``host[:port]``, port 9100 by default; never a loopback, link-local,
    multicast or metadata address."""
    return await printers.create_printer(
        session, principal, location.id, body, allow_loopback=settings.printer_allow_loopback
    )


@router.get("/locations/{location_id}/printers/{printer_id}", response_model=PrinterOut)
async def get_printer(
    location_id: str, printer_id: str, session: DbSession, principal: SettingsReader
) -> Printer:
    return await printers.get_printer(session, principal, location_id, printer_id)


@router.patch(
    "/locations/{location_id}/printers/{printer_id}",
    response_model=PrinterOut,
    responses=UPDATE_ERRORS,
)
async def update_printer(
    printer: PrinterToChange,
    body: PrinterUpdate,
    session: DbSession,
    principal: SettingsWriter,
    settings: AppSettings,
) -> Printer:
    return await printers.update_printer(
        session,
        principal,
        printer.location_id,
        printer.id,
        body,
        allow_loopback=settings.printer_allow_loopback,
    )


@router.delete("/locations/{location_id}/printers/{printer_id}", response_model=PrinterOut)
async def archive_printer(
    location_id: str, printer_id: str, session: DbSession, principal: SettingsWriter
) -> Printer:
    """Archive a printer: kept, but no longer listed or printed to by default."""
    return await printers.archive_printer(session, principal, location_id, printer_id)


@router.post(
    "/locations/{location_id}/printers/{printer_id}/test-print",
    response_model=PrinterTestPageOut,
    responses=error_responses("CONFLICT", "PRINTER_UNREACHABLE"),
)
async def print_test_page(
    printer: PrinterToChange, session: DbSession, principal: SettingsWriter, settings: AppSettings
) -> PrinterTestPageOut:
    """Print a test page (ESC/POS over TCP, as receipts are): the printer's name, location and
    address, so whoever set it up sees it works. An archived printer is 409 CONFLICT; one that
    does not answer is 502 PRINTER_UNREACHABLE. Nothing is written."""
    return await printer_test_page.print_test_page(
        session,
        principal,
        printer.location_id,
        printer.id,
        allow_loopback=settings.printer_allow_loopback,
    )
