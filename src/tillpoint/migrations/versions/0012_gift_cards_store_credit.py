"""Gift cards and store credit (issue 15): the cards (a keyed digest of the code and its last
4, never the code) with their ledger, store credit accounts per customer with their ledger,
the product's ``gift_card`` flag, a gift card line's card, and the card or customer a
stored-value payment drew on.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 15:38:33.512691
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tillpoint.core.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gift_card_entries",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("gift_card_id", sa.String(length=40), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("payment_id", sa.String(length=40), nullable=True),
        sa.Column("refund_id", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    with op.batch_alter_table("gift_card_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gift_card_entries_card", ["tenant_id", "gift_card_id", "id"], unique=False
        )

    op.create_table(
        "gift_cards",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("code_secret", sa.String(length=400), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("activated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deactivated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deactivation_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "code_digest", name="uq_gift_cards_code_digest"),
    )
    with op.batch_alter_table("gift_cards", schema=None) as batch_op:
        batch_op.create_index("ix_gift_cards_updated", ["tenant_id", "updated_at"], unique=False)

    op.create_table(
        "store_credit_accounts",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "id"], ["customers.tenant_id", "customers.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "store_credit_entries",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("payment_id", sa.String(length=40), nullable=True),
        sa.Column("refund_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    with op.batch_alter_table("store_credit_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_store_credit_entries_customer", ["tenant_id", "customer_id", "id"], unique=False
        )

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("gift_card", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("gift_card_id", sa.String(length=40), nullable=True))

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.String(length=40), nullable=True))

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("gift_card", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("gift_card")

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("account_id")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("gift_card_id")
        batch_op.drop_column("gift_card")

    with op.batch_alter_table("store_credit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_store_credit_entries_customer")

    op.drop_table("store_credit_entries")
    op.drop_table("store_credit_accounts")
    with op.batch_alter_table("gift_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_gift_cards_updated")

    op.drop_table("gift_cards")
    with op.batch_alter_table("gift_card_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_gift_card_entries_card")

    op.drop_table("gift_card_entries")
