"""Customers (issue 15): ``customers`` with their search keys and unique email and phone,
``customer_tags``, ``customer_consents`` (the history of marketing consent), and orders by
customer (``ix_orders_customer``).

Until now an order's ``customer_id`` was free text. Each distinct non-blank value of a tenant
becomes a customer (``lastName`` = the text, a note saying where it came from) and its orders
name that customer: the text was typed at the till to say who bought, and a customer keeps it
where staff can see, correct and merge it, whereas clearing it would lose it. Blank values
(spaces only) are cleared. The migration prints and logs both counts.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 15:36:40.666469
"""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tillpoint.core.db
from tillpoint.core.ids import new_id

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")


def search_key(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length=length).with_variant(
        sa.String(length=length, collation="C"), "postgresql"
    )


def json_type() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "customer_consents",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("occurred_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    with op.batch_alter_table("customer_consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_consents_customer", ["tenant_id", "customer_id", "id"], unique=False
        )

    op.create_table(
        "customer_tags",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", "tag"),
    )
    with op.batch_alter_table("customer_tags", schema=None) as batch_op:
        batch_op.create_index("ix_customer_tags_tag", ["tenant_id", "tag"], unique=False)

    op.create_table(
        "customers",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", search_key(20), nullable=True),
        sa.Column("email_key", search_key(254), nullable=True),
        sa.Column("name_key", search_key(201), nullable=False),
        sa.Column("last_name_key", search_key(100), nullable=False),
        sa.Column("phone_national", search_key(20), nullable=True),
        sa.Column("addresses", json_type(), nullable=False),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("marketing_opt_in", sa.Boolean(), nullable=False),
        sa.Column("marketing_consent", json_type(), nullable=True),
        sa.Column("archived_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("merged_into", sa.String(length=40), nullable=True),
        sa.Column("erased_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "email_key", name="uq_customers_email"),
        sa.UniqueConstraint("tenant_id", "phone", name="uq_customers_phone"),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_last_name", ["tenant_id", "last_name_key", "id"], unique=False
        )
        batch_op.create_index(
            "ix_customers_merged_into",
            ["tenant_id", "merged_into"],
            unique=False,
            postgresql_where=sa.text("merged_into IS NOT NULL"),
            sqlite_where=sa.text("merged_into IS NOT NULL"),
        )
        batch_op.create_index("ix_customers_name", ["tenant_id", "name_key", "id"], unique=False)
        batch_op.create_index(
            "ix_customers_phone_national", ["tenant_id", "phone_national", "id"], unique=False
        )
        batch_op.create_index("ix_customers_updated", ["tenant_id", "updated_at"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_customer", ["tenant_id", "customer_id", "id"], unique=False
        )
    customers_from_free_text()


def customers_from_free_text() -> None:
    """Each tenant's distinct non-blank order ``customer_id`` text becomes a customer."""
    bind = op.get_bind()
    orders = sa.table(
        "orders", sa.column("tenant_id", sa.String), sa.column("customer_id", sa.String)
    )
    customers = sa.table(
        "customers",
        *(sa.column(name, sa.String) for name in ("tenant_id", "id", "first_name", "last_name")),
        *(sa.column(name, sa.String) for name in ("name_key", "last_name_key", "notes")),
        sa.column("addresses", sa.JSON),
        sa.column("marketing_opt_in", sa.Boolean),
        sa.column("created_at", tillpoint.core.db.UtcDateTime()),
        sa.column("updated_at", tillpoint.core.db.UtcDateTime()),
        sa.column("version", sa.Integer),
    )
    values = bind.execute(
        sa.select(orders.c.tenant_id, orders.c.customer_id)
        .where(orders.c.customer_id.is_not(None))
        .distinct()
        .order_by(orders.c.tenant_id, orders.c.customer_id)
        .execution_options(all_tenants=True)
    ).all()
    now = datetime.now(UTC)
    created = linked = cleared = 0
    for tenant_id, text in values:
        same = (orders.c.tenant_id == tenant_id) & (orders.c.customer_id == text)
        name = text.strip()[:100]
        if not name:
            cleared += bind.execute(orders.update().where(same).values(customer_id=None)).rowcount
            continue
        customer_id = new_id("customer")
        bind.execute(
            customers.insert().values(
                tenant_id=tenant_id,
                id=customer_id,
                first_name="",
                last_name=name,
                name_key=name.lower(),
                last_name_key=name.lower(),
                notes=f"Made by migration 0011 from the customer text of earlier orders: {text}",
                addresses=[],
                marketing_opt_in=False,
                created_at=now,
                updated_at=now,
                version=1,
            )
        )
        created += 1
        linked += bind.execute(orders.update().where(same).values(customer_id=customer_id)).rowcount
    report = (
        f"0011: {created} customers made from order customer text ({linked} orders linked); "
        f"{cleared} orders with blank customer text cleared"
    )
    log.info(report)
    print(report)  # noqa: T201  (an operator running `tillpoint migrate` reads it)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_customer")

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_updated")
        batch_op.drop_index("ix_customers_phone_national")
        batch_op.drop_index("ix_customers_name")
        batch_op.drop_index("ix_customers_merged_into")
        batch_op.drop_index("ix_customers_last_name")

    op.drop_table("customers")
    with op.batch_alter_table("customer_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_tags_tag")

    op.drop_table("customer_tags")
    with op.batch_alter_table("customer_consents", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_consents_customer")

    op.drop_table("customer_consents")
