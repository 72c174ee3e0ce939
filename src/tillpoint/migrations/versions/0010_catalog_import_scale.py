"""CSV imports at scale (issue 14): an import keeps the count of all its row errors
(``error_count``) beside the first 1,000 it stores.

Revision ID: 0010
Revises: 0008 (the lead re-points this to 0009 when the catalog branch merges)
Create Date: 2026-12-04 09:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("error_count", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_imports", schema=None) as batch_op:
        batch_op.drop_column("error_count")
