"""Accounting exports (issue 17 item 8, docs/accounting.md): a tenant's account mapping and
the location-days closed for export with their journal, and the daily summary e-mails sent.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 00:35:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tillpoint.core.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "accounting_settings",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("accounts", _json(), nullable=False),
        sa.Column("xero_tax_rate", sa.String(length=100), nullable=False),
        sa.Column("summary_recipients", _json(), nullable=False),
        sa.Column("updated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    op.create_table(
        "accounting_day_closes",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("closed_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=80), nullable=True),
        sa.Column("journal", _json(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "location_id", "business_day"),
    )

    op.create_table(
        "accounting_summary_sends",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("sent_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "location_id", "business_day"),
    )


def downgrade() -> None:
    op.drop_table("accounting_summary_sends")
    op.drop_table("accounting_day_closes")
    op.drop_table("accounting_settings")
