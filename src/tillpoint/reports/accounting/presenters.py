"""A day's journal as our JSON (``JournalOut``), amounts with the currency's precision."""

from dataclasses import dataclass
from datetime import datetime

from tillpoint.core.money import from_minor
from tillpoint.reports.accounting.journal import Journal
from tillpoint.reports.accounting.schemas import JournalLineOut, JournalOut


@dataclass(frozen=True)
class DayJournal:
    """A day's journal and, when the day is closed, when it was."""

    journal: Journal
    closed_at: datetime | None
    xero_tax_rate: str


def journal_out(day: DayJournal, exponent: int) -> JournalOut:
    journal = day.journal
    return JournalOut(
        location_id=journal.location_id,
        location_name=journal.location_name,
        business_day=journal.business_day,
        number=journal.number,
        narration=journal.narration,
        closed=day.closed_at is not None,
        closed_at=day.closed_at,
        lines=[
            JournalLineOut(
                account_key=line.key,
                account_code=line.account.code,
                account_name=line.account.name,
                description=line.description,
                debit=from_minor(line.amount_minor, exponent) if line.side == "debit" else None,
                credit=from_minor(line.amount_minor, exponent) if line.side == "credit" else None,
            )
            for line in journal.lines
        ],
        total_debit=from_minor(journal.debit_minor, exponent),
        total_credit=from_minor(journal.credit_minor, exponent),
        unreconciled_difference=from_minor(journal.unreconciled_minor, exponent),
    )
