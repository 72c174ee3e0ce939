"""Reports (issue 17, docs/adr/0016-reports-from-event-rollups.md): the sales summaries rolled
up from the event sequence and their cursor, per-variant cost history for valuation as of a
date (back-filled from today's costs), the unit cost on order lines, and accounting:export for
the owner role of existing tenants.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 00:40:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import tillpoint.core.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERMISSION = "accounting:export"


def _amounts(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False, server_default="0") for name in names]


def _sales_key() -> list[sa.Column[Any]]:
    return [
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("register_id", sa.String(length=40), nullable=False),
        sa.Column("employee_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("shift_id", sa.String(length=40), nullable=False),
    ]


SALES_KEY = ("tenant_id", "location_id", "business_day", "hour", "register_id", "employee_id")
# … then "channel", "shift_id" (and a table's own key columns)


def upgrade() -> None:
    op.create_table(
        "report_cursors",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "name"),
    )
    op.create_table(
        "sales_summaries",
        *_sales_key(),
        *_amounts(
            "order_count",
            "gross_minor",
            "discount_minor",
            "tax_minor",
            "tip_minor",
            "service_charge_minor",
            "gift_card_sold_minor",
            "cash_rounding_minor",
            "cost_minor",
            "units_milli",
            "refund_count",
            "returns_minor",
            "refund_tax_minor",
            "refund_other_minor",
            "returns_cost_minor",
            "void_count",
            "void_minor",
            "void_tax_minor",
            "void_other_minor",
            "void_cost_minor",
            "open_void_count",
            "open_void_minor",
        ),
        sa.PrimaryKeyConstraint(*SALES_KEY, "channel", "shift_id"),
    )
    op.create_index("ix_sales_summaries_day", "sales_summaries", ["tenant_id", "business_day"])
    op.create_table(
        "sales_tender_summaries",
        *_sales_key(),
        sa.Column("tender_type", sa.String(length=20), nullable=False),
        sa.Column("card_brand", sa.String(length=30), nullable=False),
        *_amounts("payment_count", "amount_minor", "refund_count", "refund_minor"),
        sa.PrimaryKeyConstraint(*SALES_KEY, "channel", "shift_id", "tender_type", "card_brand"),
    )
    op.create_table(
        "sales_tax_summaries",
        *_sales_key(),
        sa.Column("tax_rate_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("rate", sa.String(length=20), nullable=False, server_default=""),
        *_amounts("taxable_minor", "tax_minor", "refund_tax_minor"),
        sa.PrimaryKeyConstraint(*SALES_KEY, "channel", "shift_id", "tax_rate_id"),
    )
    op.create_table(
        "product_summaries",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("category_id", sa.String(length=40), nullable=False, server_default=""),
        *_amounts(
            "units_milli",
            "gross_minor",
            "discount_minor",
            "net_minor",
            "cost_minor",
            "returned_units_milli",
            "returns_minor",
            "returns_cost_minor",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "location_id", "business_day", "variant_id"),
    )
    op.create_index(
        "ix_product_summaries_day",
        "product_summaries",
        ["tenant_id", "business_day", "location_id"],
    )
    op.create_table(
        "variant_costs",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("effective_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "variant_id", "effective_at"),
    )
    # Today's cost of every variant, from when it was created: the best history there is.
    op.execute(
        "INSERT INTO variant_costs (tenant_id, variant_id, effective_at, cost_minor) "
        "SELECT v.tenant_id, v.id, v.created_at, COALESCE(v.cost_minor, p.cost_minor) "
        "FROM variants v JOIN products p ON p.tenant_id = v.tenant_id AND p.id = v.product_id"
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_cost_minor", sa.BigInteger(), nullable=True))
    _grant_to_owner(add=True)


def downgrade() -> None:
    _grant_to_owner(add=False)
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("unit_cost_minor")
    op.drop_table("variant_costs")
    op.drop_index("ix_product_summaries_day", table_name="product_summaries")
    op.drop_table("product_summaries")
    op.drop_table("sales_tax_summaries")
    op.drop_table("sales_tender_summaries")
    op.drop_index("ix_sales_summaries_day", table_name="sales_summaries")
    op.drop_table("sales_summaries")
    op.drop_table("report_cursors")


def _grant_to_owner(*, add: bool) -> None:
    """The owner role of existing tenants gains (or loses) accounting:export."""
    bind = op.get_bind()
    roles = sa.table(
        "roles",
        sa.column("tenant_id", sa.String),
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("built_in", sa.Boolean),
        sa.column("permissions", sa.JSON),
    )
    rows = bind.execute(
        sa.select(roles.c.tenant_id, roles.c.id, roles.c.permissions).where(
            roles.c.built_in.is_(True), roles.c.name.in_(["owner", "integration"])
        )
    ).all()
    for tenant_id, role_id, permissions in rows:
        current = set(permissions or [])
        wanted = current | {PERMISSION} if add else current - {PERMISSION}
        if wanted != current:
            bind.execute(
                roles.update()
                .where(roles.c.tenant_id == tenant_id, roles.c.id == role_id)
                .values(permissions=sorted(wanted))
            )
