"""Accounting endpoints: the account settings, a location-day's journal in our JSON and in
QuickBooks Online's and Xero's layouts (docs/accounting.md), and closing a day for export."""

from collections.abc import Iterator
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from tillpoint.core.deps import DbSession, prepared_json
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.promotions.schemas import LocalDate
from tillpoint.reports.accounting import days, formats
from tillpoint.reports.accounting import settings as accounting_settings
from tillpoint.reports.accounting.models import AccountingSettings
from tillpoint.reports.accounting.presenters import journal_out
from tillpoint.reports.accounting.schemas import (
    AccountingSettingsIn,
    AccountingSettingsOut,
    JournalFormat,
    JournalOut,
    QuickBooksJournalEntry,
    XeroManualJournals,
)
from tillpoint.reports.csv_rows import CSV_MEDIA_TYPE
from tillpoint.reports.deps import CSV_CONTENT, AccountingExporter, CaughtUpExportSession
from tillpoint.reports.scope import report_locations

router = APIRouter(prefix="/v1/accounting", tags=["accounting"], responses=COMMON_ERRORS)

DayQuery = Annotated[LocalDate, Query(alias="date", description="The location's business day")]
LocationQuery = Annotated[str, Query(alias="locationId", max_length=40)]
FORMAT_DESCRIPTION = (
    "`json` (ours), `quickbooks-csv` / `xero-csv` (their import layouts), "
    "`quickbooks-json` (a JournalEntry body) or `xero-json` (a ManualJournals body)"
)


@router.get(
    "/settings",
    response_model=AccountingSettingsOut,
    responses=error_responses("FORBIDDEN"),
)
async def get_settings(principal: AccountingExporter, session: DbSession) -> Response:
    row = await accounting_settings.get_settings(session, principal.tenant_id)
    return _settings_reply(row)


@router.put(
    "/settings",
    response_model=AccountingSettingsOut,
    responses=error_responses("FORBIDDEN", "VALIDATION_ERROR", "VERSION_CONFLICT"),
)
async def put_settings(
    body: AccountingSettingsIn, principal: AccountingExporter, session: DbSession
) -> Response:
    row = await accounting_settings.replace_settings(session, principal, body)
    return _settings_reply(row)


def _settings_reply(row: AccountingSettings) -> Response:
    out = AccountingSettingsOut.model_validate(accounting_settings.settings_json(row))
    return prepared_json(out.model_dump_json(by_alias=True).encode())


@router.get(
    "/journal",
    response_model=JournalOut | QuickBooksJournalEntry | XeroManualJournals,
    responses={
        200: {"content": CSV_CONTENT},
        **error_responses("FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR"),
    },
)
async def get_journal(
    principal: AccountingExporter,
    session: CaughtUpExportSession,
    day: DayQuery,
    location_id: LocationQuery,
    format: Annotated[JournalFormat, Query(description=FORMAT_DESCRIPTION)] = "json",
) -> Response:
    [location] = await report_locations(session, principal, location_id)
    found = await days.day_journal(session, principal.tenant_id, location, day)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    journal = found.journal
    if format == "quickbooks-csv":
        return _csv(formats.quickbooks_csv(journal, exponent), f"{journal.number}-quickbooks.csv")
    if format == "xero-csv":
        lines = formats.xero_csv(journal, exponent, found.xero_tax_rate)
        return _csv(lines, f"{journal.number}-xero.csv")
    if format == "quickbooks-json":
        return prepared_json(orjson.dumps(formats.quickbooks_journal_entry(journal, exponent)))
    if format == "xero-json":
        return prepared_json(orjson.dumps(formats.xero_manual_journals(journal, exponent)))
    return prepared_json(journal_out(found, exponent).model_dump_json(by_alias=True).encode())


def _csv(lines: Iterator[str], filename: str) -> StreamingResponse:
    return StreamingResponse(
        iter(list(lines)),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/day-closes",
    response_model=JournalOut,
    status_code=201,
    responses=error_responses("FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR", "DAY_ALREADY_CLOSED"),
)
async def close_day(
    principal: AccountingExporter,
    session: CaughtUpExportSession,
    day: DayQuery,
    location_id: LocationQuery,
) -> Response:
    [location] = await report_locations(session, principal, location_id)
    closed = await days.close_day(session, principal, location, day)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    body = journal_out(closed, exponent).model_dump_json(by_alias=True).encode()
    return prepared_json(body, 201)
