"""The daily summary e-mail (issue 17 item 9): when a location's business day has ended, its
journal goes to the tenant's ``summaryRecipients`` over SMTP (``core/mail.py``).

A recurring job looks every quarter hour for location-days that ended and have not been
sent. A send is claimed first by a row in ``accounting_summary_sends`` (a key per location and
day, so two runners never both send); if the SMTP server fails, the claim is taken back and the
next run tries again. Only the day just ended is sent: a tenant that adds recipients does not
get a backlog.
"""

from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from tillpoint.config import Settings
from tillpoint.core.db import Database, utcnow
from tillpoint.core.jobs import JobContext, job_handler, recurring_job
from tillpoint.core.mail import MailNotConfigured, send_mail
from tillpoint.core.money import from_minor
from tillpoint.core.transactions import transaction
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.reports.accounting.days import day_journal
from tillpoint.reports.accounting.journal import Journal
from tillpoint.reports.accounting.models import AccountingSettings, AccountingSummarySend
from tillpoint.reports.rollup import catch_up
from tillpoint.reports.scope import ReportLocation
from tillpoint.stores.models import Location

# A job kind, not an event type.
SEND = "summary_mail.send"


def summary_text(journal: Journal, exponent: int, closed: bool) -> str:
    """The journal as plain text: one line per account line, then the totals."""

    def money(minor: int) -> str:
        return f"{from_minor(minor, exponent):,f}"

    rows = [
        f"Daily summary — {journal.location_name} — {journal.business_day.isoformat()}",
        "Closed for export." if closed else "Not closed for export yet.",
        "",
        f"{'Account':<32} {'Description':<48} {'Debit':>14} {'Credit':>14}",
    ]
    for line in journal.lines:
        debit = money(line.amount_minor) if line.side == "debit" else ""
        credit = money(line.amount_minor) if line.side == "credit" else ""
        rows.append(
            f"{line.account.name[:32]:<32} {line.description[:48]:<48} {debit:>14} {credit:>14}"
        )
    rows.append(f"{'Total':<81} {money(journal.debit_minor):>14} {money(journal.credit_minor):>14}")
    if not journal.lines:
        rows.append("No sales, refunds or voids.")
    return "\n".join(rows) + "\n"


def summary_message(
    journal: Journal, exponent: int, closed: bool, to: list[str], sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = (
        f"Daily summary: {journal.location_name}, {journal.business_day.isoformat()}"
    )
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(summary_text(journal, exponent, closed))
    return message


async def _claim(db: Database, tenant_id: str, location_id: str, day: date) -> bool:
    try:
        async with transaction(db, tenant_id=tenant_id) as session:
            session.add(
                AccountingSummarySend(
                    tenant_id=tenant_id, location_id=location_id, business_day=day
                )
            )
    except IntegrityError:
        return False
    return True


async def _release(db: Database, tenant_id: str, location_id: str, day: date) -> None:
    async with transaction(db, tenant_id=tenant_id) as session:
        await session.execute(
            delete(AccountingSummarySend).where(
                AccountingSummarySend.location_id == location_id,
                AccountingSummarySend.business_day == day,
            )
        )


async def send_tenant_summaries(
    db: Database, settings: Settings, tenant_id: str, recipients: list[str]
) -> int:
    """Send each of the tenant's locations the day that ended last there; how many went."""
    sent = 0
    await catch_up(db, tenant_id)  # the summaries hold every sale so far (ADR 0016)
    async with transaction(db, tenant_id=tenant_id) as session:
        rows = (
            await session.execute(
                select(Location.id, Location.name, Location.timezone)
                .where(Location.active)
                .order_by(Location.id)
            )
        ).all()
    for row in rows:
        location = ReportLocation(*row)
        day = location.local(utcnow()).date() - timedelta(days=1)
        if not await _claim(db, tenant_id, location.location_id, day):
            continue
        try:
            async with transaction(db, tenant_id=tenant_id) as session:
                found = await day_journal(session, tenant_id, location, day)
                exponent = await tenant_currency_exponent(session, tenant_id)
            message = summary_message(
                found.journal, exponent, found.closed_at is not None, recipients, settings.smtp_from
            )
            await send_mail(settings, message)
        except BaseException:
            await _release(db, tenant_id, location.location_id, day)
            raise
        sent += 1
    return sent


@job_handler(SEND, max_concurrency=1, transactional=False)
async def send_daily_summaries(context: JobContext, _payload: dict[str, Any]) -> None:
    db, settings = context.db, context.settings
    if db is None or settings is None or not settings.smtp_host:
        return  # no SMTP server configured: nothing can be sent (the log says so at start)
    async with transaction(db) as session:
        tenants = (
            await session.execute(
                select(AccountingSettings.tenant_id, AccountingSettings.summary_recipients)
                .order_by(AccountingSettings.tenant_id)
                .execution_options(all_tenants=True)
            )
        ).all()
    for tenant_id, recipients in tenants:
        if recipients:
            try:
                await send_tenant_summaries(db, settings, tenant_id, list(recipients))
            except MailNotConfigured:
                return


recurring_job(SEND, every=timedelta(minutes=15))
