"""The daily summary e-mail: a real SMTP server on loopback receives each location's day that
just ended, once; an SMTP server that is down leaves the day to the next run."""

import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.sales import make_shop
from tests.support.smtp import Mailbox, free_port, smtp_server
from tests.support.tenants import TenantFixture, add_location
from tillpoint.core.db import Database
from tillpoint.core.jobs import JobContext
from tillpoint.core.mail import MailNotSent
from tillpoint.reports.accounting.summary_mail import send_daily_summaries, send_tenant_summaries


def _context(app: Any, db: Database, **smtp: Any) -> JobContext:
    settings = app.state.settings.model_copy(
        update={"smtp_tls": "none", "smtp_from": "books@tillpoint.example.com", **smtp}
    )
    return JobContext(None, "summary", None, 1, db, settings=settings)


async def test_each_location_gets_its_day_once(
    client: httpx.AsyncClient, tenant: TenantFixture, app: Any, db: Database
) -> None:
    name = f"Harbour {uuid.uuid4().hex[:6]}"
    location = await add_location(client, tenant, name, timezone="Asia/Tokyo")
    to = f"owner-{uuid.uuid4().hex[:8]}@shop.example.com"
    saved = await client.put(
        "/v1/accounting/settings", json={"summaryRecipients": [to]}, headers=tenant.headers
    )
    assert saved.status_code == 200, saved.text
    day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")).date() - timedelta(days=1)

    # Nothing listens there: the day is not marked sent.
    down = _context(app, db, smtp_host="127.0.0.1", smtp_port=free_port())
    assert down.settings is not None
    with pytest.raises(MailNotSent):
        await send_tenant_summaries(db, down.settings, tenant.id, [to])

    with smtp_server() as mailbox:
        context = _context(app, db, smtp_host=mailbox.host, smtp_port=mailbox.port)
        await send_daily_summaries(context, {})
        await send_daily_summaries(context, {})
    mine = _to(mailbox, to)
    subjects = [m.message["Subject"] for m in mine]
    assert f"Daily summary: {name}, {day.isoformat()}" in subjects
    assert len(subjects) == len(set(subjects))  # once per location and day
    [message] = [m for m in mine if name in m.message["Subject"]]
    text = message.message.get_content()
    assert "Not closed for export yet." in text
    assert "No sales, refunds or voids." in text
    assert location["locationId"]


def _to(mailbox: Mailbox, address: str) -> list[Any]:
    return [m for m in mailbox.received if address in m.recipients]


async def test_the_summary_carries_the_days_journal(
    client: httpx.AsyncClient, tenant: TenantFixture, app: Any, db: Database
) -> None:
    till = await make_shop(client, tenant)
    zone = ZoneInfo("America/New_York")
    yesterday = datetime.now(UTC).astimezone(zone).date() - timedelta(days=1)
    noon = datetime.combine(yesterday, time(12), zone).astimezone(UTC).isoformat()
    lamp = await till.product("Lamp", 40)
    order = await till.order(till.line(lamp), occurredAt=noon)
    await till.pay(order)
    total = Decimal(str(order["totals"]["grandTotal"]))
    to = f"books-{uuid.uuid4().hex[:8]}@shop.example.com"

    with smtp_server() as mailbox:
        context = _context(app, db, smtp_host=mailbox.host, smtp_port=mailbox.port)
        assert context.settings is not None
        await send_tenant_summaries(db, context.settings, tenant.id, [to])
    name = (await till.get(f"/v1/locations/{till.location_id}"))["name"]
    subject = f"Daily summary: {name}, {yesterday.isoformat()}"
    [message] = [m for m in _to(mailbox, to) if m.message["Subject"] == subject]
    text = message.message.get_content()
    assert f"{total:,.2f}" in text  # the card taken and the journal's totals
    assert "Card Clearing" in text
    assert "Sales: Uncategorised" in text
    assert text.count(f"{total:,.2f}") >= 3  # card line, total debit, total credit
