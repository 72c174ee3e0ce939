"""Gift cards (issue 15): the tenant's default expiry (``gift_card_expiry_months``, 0 = never),
and a gift card line records what it does to its card (issue 15): ``activation`` when the
card was inactive as the line took it (only that sale may activate it: a second open order
selling the same physical card is refused), ``reload`` when it was active. Lines written
before this keep NULL and load as before (activate an inactive card, reload an active one).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("gift_card_expiry_months", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gift_card_load", sa.String(length=10), nullable=True))
        batch_op.create_index(
            "ix_order_lines_gift_card", ["tenant_id", "gift_card_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_gift_card")
        batch_op.drop_column("gift_card_load")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("gift_card_expiry_months")
