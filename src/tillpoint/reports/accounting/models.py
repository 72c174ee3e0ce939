"""A tenant's accounting settings and the days it has closed for export."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Versioned, utcnow


class AccountingSettings(TenantScoped, Versioned, Base):
    """Which account each journal line posts to (``chart.AccountMap`` as JSON), the Xero tax
    rate name for lines without tax, and who gets the daily summary e-mail."""

    __tablename__ = "accounting_settings"

    # {"accounts": {key: {code, name} | None}, "cardBrands": {…}, "categories": {…},
    #  "taxRates": {…}}
    accounts: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    xero_tax_rate: Mapped[str] = mapped_column(String(100))
    summary_recipients: Mapped[list[str]] = mapped_column(JsonType, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(80))


class AccountingDayClose(TenantScoped, Base):
    """A location's business day closed for export, with the journal as it was exported: a
    closed day always exports the same lines, whatever changes after."""

    __tablename__ = "accounting_day_closes"

    location_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(80))
    # {"locationName": …, "lines": [{key, code, name, description, side, amountMinor}]}
    journal: Mapped[dict[str, Any]] = mapped_column(JsonType)


class AccountingSummarySend(TenantScoped, Base):
    """A location-day's summary e-mail, claimed before it is sent: one send per day."""

    __tablename__ = "accounting_summary_sends"

    location_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
