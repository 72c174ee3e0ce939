"""Loyalty (issue 15): the tenant's program, a points account per customer and its ledger
(entries carry balance_after; core/balances.py keeps the two in step).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 15:31:49.094242
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tillpoint.core.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loyalty_accounts",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("last_activity_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "id"], ["customers.tenant_id", "customers.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    with op.batch_alter_table("loyalty_accounts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loyalty_accounts_activity", ["tenant_id", "last_activity_at"], unique=False
        )

    op.create_table(
        "loyalty_entries",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("refund_id", sa.String(length=40), nullable=True),
        sa.Column("basis_minor", sa.BigInteger(), nullable=True),
        sa.Column(
            "line_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["loyalty_accounts.tenant_id", "loyalty_accounts.id"]
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    with op.batch_alter_table("loyalty_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loyalty_entries_account", ["tenant_id", "account_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_loyalty_entries_order", ["tenant_id", "order_id"], unique=False)

    op.create_table(
        "loyalty_programs",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("points_per_unit", sa.String(length=20), nullable=False),
        sa.Column("point_value", sa.String(length=20), nullable=False),
        sa.Column("rounding", sa.String(length=10), nullable=False),
        sa.Column("minimum_redemption", sa.BigInteger(), nullable=False),
        sa.Column("expiry_months", sa.Integer(), nullable=True),
        sa.Column(
            "excluded_category_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id"),
    )


def downgrade() -> None:
    op.drop_table("loyalty_programs")
    with op.batch_alter_table("loyalty_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_entries_order")
        batch_op.drop_index("ix_loyalty_entries_account")

    op.drop_table("loyalty_entries")
    with op.batch_alter_table("loyalty_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_accounts_activity")

    op.drop_table("loyalty_accounts")
