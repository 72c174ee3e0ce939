"""Customers, their tags and the history of their marketing consent.

Search keys: ``name_key`` ("first last"), ``last_name_key`` and ``email_key`` are the lower-cased
text, ``phone`` the E.164 number and ``phone_national`` its national digits; each is indexed and
searched by prefix as a range (``key >= q AND key < q⁺``), which an index serves on both
databases. On PostgreSQL these columns use the "C" collation, so the index's order is the code
point order a prefix range needs (under a language's collation punctuation and case are
ignored at first, and a range is no prefix); SQLite compares text byte by byte already.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned


def search_key(length: int) -> Any:
    """A text column searched by prefix: code point order on both databases."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Customer(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    # E.164 (+15551234567), normalised with the phonenumbers library.
    phone: Mapped[str | None] = mapped_column(search_key(20))
    email_key: Mapped[str | None] = mapped_column(search_key(254))
    name_key: Mapped[str] = mapped_column(search_key(201), default="")
    last_name_key: Mapped[str] = mapped_column(search_key(100), default="")
    phone_national: Mapped[str | None] = mapped_column(search_key(20))
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    birthday: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    marketing_opt_in: Mapped[bool] = mapped_column(default=False)
    # The latest consent change as the API shows it (the history is customer_consents).
    marketing_consent: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    archived_at: Mapped[datetime | None]
    # The survivor this customer was merged into (always the final one: chains are flattened).
    merged_into: Mapped[str | None] = mapped_column(String(40))
    erased_at: Mapped[datetime | None]

    __table_args__ = (
        # Two customers never share an email (case-insensitively) or a phone number: the
        # database decides, so two concurrent creates cannot both win.
        UniqueConstraint("tenant_id", "email_key", name="uq_customers_email"),
        UniqueConstraint("tenant_id", "phone", name="uq_customers_phone"),
        # With the id: a search's arms read the index alone (listing.py).
        Index("ix_customers_name", "tenant_id", "name_key", "id"),
        Index("ix_customers_last_name", "tenant_id", "last_name_key", "id"),
        Index("ix_customers_phone_national", "tenant_id", "phone_national", "id"),
        Index("ix_customers_updated", "tenant_id", "updated_at"),
        # Only the merged-away rows: the lists' ``merged_into IS NULL`` must not pick this index
        # (with statistics SQLite did, and probed every live customer against the search).
        Index(
            "ix_customers_merged_into",
            "tenant_id",
            "merged_into",
            postgresql_where=text("merged_into IS NOT NULL"),
            sqlite_where=text("merged_into IS NOT NULL"),
        ),
    )


class CustomerTag(TenantScoped, Base):
    __tablename__ = "customer_tags"

    customer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (Index("ix_customer_tags_tag", "tenant_id", "tag"),)


class CustomerConsent(TenantScoped, Base):
    """One change of a customer's marketing consent: given or withdrawn, when, where, how."""

    __tablename__ = "customer_consents"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    opted_in: Mapped[bool]
    occurred_at: Mapped[datetime]
    location_id: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(30))
    # Free text the staff noted about it (a form number); personal, erased with the customer.
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[str] = mapped_column(String(80))

    __table_args__ = (Index("ix_customer_consents_customer", "tenant_id", "customer_id", "id"),)
