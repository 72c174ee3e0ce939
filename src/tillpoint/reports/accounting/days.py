"""A location-day's journal — live from the summaries, or as stored when the day was closed —
and closing a day for export."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError, field_error
from tillpoint.core.events import record_event
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.reports.accounting.chart import Account
from tillpoint.reports.accounting.figures import day_figures
from tillpoint.reports.accounting.journal import Journal, JournalLine, build_journal
from tillpoint.reports.accounting.models import AccountingDayClose
from tillpoint.reports.accounting.presenters import DayJournal, journal_out
from tillpoint.reports.accounting.settings import account_map, get_settings
from tillpoint.reports.scope import ReportLocation


def _snapshot(journal: Journal) -> dict[str, Any]:
    return {
        "locationName": journal.location_name,
        "lines": [
            {
                "key": line.key,
                "code": line.account.code,
                "name": line.account.name,
                "description": line.description,
                "side": line.side,
                "amountMinor": line.amount_minor,
            }
            for line in journal.lines
        ],
    }


def _from_snapshot(row: AccountingDayClose) -> Journal:
    lines = tuple(
        JournalLine(
            line["key"],
            Account(line["code"], line["name"]),
            line["description"],
            line["side"],
            int(line["amountMinor"]),
        )
        for line in row.journal["lines"]
    )
    return Journal(row.location_id, row.journal["locationName"], row.business_day, lines)


async def _closed(session: AsyncSession, location_id: str, day: date) -> AccountingDayClose | None:
    stmt = select(AccountingDayClose).where(
        AccountingDayClose.location_id == location_id, AccountingDayClose.business_day == day
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _live(
    session: AsyncSession, tenant_id: str, location: ReportLocation, day: date
) -> tuple[Journal, str]:
    settings = await get_settings(session, tenant_id)
    figures = await day_figures(session, location, day)
    journal = build_journal(
        figures,
        account_map(settings),
        location_id=location.location_id,
        location_name=location.name,
        business_day=day,
    )
    return journal, settings.xero_tax_rate


async def day_journal(
    session: AsyncSession, tenant_id: str, location: ReportLocation, day: date
) -> DayJournal:
    """The closed day's stored journal, else the day's journal from the summaries now."""
    closed = await _closed(session, location.location_id, day)
    if closed is not None:
        settings = await get_settings(session, tenant_id)
        return DayJournal(_from_snapshot(closed), closed.closed_at, settings.xero_tax_rate)
    journal, tax_rate = await _live(session, tenant_id, location, day)
    return DayJournal(journal, None, tax_rate)


async def close_day(
    session: AsyncSession, principal: Principal, location: ReportLocation, day: date
) -> DayJournal:
    """Store the day's journal as exported and record ``accounting.day_closed``. A day that
    has not ended at the location is 400; a day closed already is 409 ``DAY_ALREADY_CLOSED``
    (also when two closes race: the key decides)."""
    if day >= location.local(utcnow()).date():
        # Sales still to come would count on a day already exported.
        raise field_error("date", "the business day has not ended at this location")
    if await _closed(session, location.location_id, day) is not None:
        raise AppError("DAY_ALREADY_CLOSED")
    journal, tax_rate = await _live(session, principal.tenant_id, location, day)
    now = utcnow()
    row = AccountingDayClose(
        tenant_id=principal.tenant_id,
        location_id=location.location_id,
        business_day=day,
        closed_at=now,
        closed_by=principal.id,
        journal=_snapshot(journal),
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise AppError("DAY_ALREADY_CLOSED") from None
    closed = DayJournal(journal, now, tax_rate)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    record_event(
        session,
        "accounting.day_closed",
        journal_out(closed, exponent).model_dump(mode="json", by_alias=True),
        subject_id=location.location_id,
        location_id=location.location_id,
    )
    return closed
