"""The product list's index: live products (not archived) of a tenant, by id — the list's
WHERE and ORDER BY — so a page and its count read a partial index instead of the table
(issue 14 item 2).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("archived_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_products_live",
        "products",
        ["tenant_id", "id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_products_live", table_name="products")
