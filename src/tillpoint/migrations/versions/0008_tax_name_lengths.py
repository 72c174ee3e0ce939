"""Tax class and tax rate names hold 200 characters, as the API has always accepted (on
PostgreSQL a name of 101–200 characters failed with a 500: issue 13 item 3).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("tax_classes", "tax_rates")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "name", existing_type=sa.String(length=100), type_=sa.String(length=200)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "name", existing_type=sa.String(length=200), type_=sa.String(length=100)
            )
