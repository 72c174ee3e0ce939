"""CSV imports at scale (issue 14): an import keeps the count of all its row errors
(``error_count``) beside the first 1,000 it stores, and holds its events past the first
thousands in ``catalog_import_events`` until it commits (memory stays bounded).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 09:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tillpoint.core.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("error_count", sa.Integer(), nullable=False, server_default="0")
        )

    op.create_table(
        "catalog_import_events",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("import_key", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("occurred_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("tenant_id", "import_key", "n"),
    )


def downgrade() -> None:
    op.drop_table("catalog_import_events")
    with op.batch_alter_table("catalog_imports", schema=None) as batch_op:
        batch_op.drop_column("error_count")
