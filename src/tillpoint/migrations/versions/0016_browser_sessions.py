"""Browser sessions (issue 16, docs/adr/0013-browser-sessions.md): a login's kind (bearer,
browser cookie, employee on a register), employee sessions beside user ones (no user, no
refresh token), register credentials stored as digests, and registers:pair for the owner and
manager roles of existing tenants.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tillpoint.core.db

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "register_credentials",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("register_id", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", tillpoint.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "register_id"],
            ["registers.tenant_id", "registers.id"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("secret_hash"),
    )
    with op.batch_alter_table("register_credentials", schema=None) as batch_op:
        batch_op.create_index(
            "ix_register_credentials_register", ["tenant_id", "register_id"], unique=False
        )

    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="bearer", nullable=False)
        )
        batch_op.add_column(sa.Column("employee_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("register_id", sa.String(length=40), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.String(length=40), nullable=True)
        batch_op.alter_column(
            "refresh_token_hash", existing_type=sa.String(length=64), nullable=True
        )
        batch_op.alter_column(
            "refresh_expires_at",
            existing_type=tillpoint.core.db.UtcDateTime(timezone=True),
            nullable=True,
        )
        batch_op.create_foreign_key(
            "fk_auth_sessions_employee",
            "employees",
            ["tenant_id", "employee_id"],
            ["tenant_id", "id"],
        )
        batch_op.create_index(
            "ix_auth_sessions_register", ["tenant_id", "register_id"], unique=False
        )
    _grant_on_built_in_roles(PERMISSION, add=True)


def downgrade() -> None:
    # Cookie sessions cannot be kept by a schema that has no place for them: they end.
    auth_sessions = sa.table("auth_sessions", sa.column("kind", sa.String))
    op.execute(auth_sessions.delete().where(auth_sessions.c.kind != "bearer"))
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_sessions_register")
        batch_op.drop_constraint("fk_auth_sessions_employee", type_="foreignkey")
        batch_op.alter_column(
            "refresh_expires_at",
            existing_type=tillpoint.core.db.UtcDateTime(timezone=True),
            nullable=False,
        )
        batch_op.alter_column(
            "refresh_token_hash", existing_type=sa.String(length=64), nullable=False
        )
        batch_op.alter_column("user_id", existing_type=sa.String(length=40), nullable=False)
        batch_op.drop_column("register_id")
        batch_op.drop_column("employee_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("register_credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_register_credentials_register")

    op.drop_table("register_credentials")
    _grant_on_built_in_roles(PERMISSION, add=False)


PERMISSION = "registers:pair"


def _grant_on_built_in_roles(permission: str, *, add: bool) -> None:
    """The owner and manager roles of existing tenants gain (or lose) ``permission``."""
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
            roles.c.built_in.is_(True), roles.c.name.in_(["owner", "manager"])
        )
    ).all()
    for tenant_id, role_id, permissions in rows:
        current = set(permissions or [])
        wanted = current | {permission} if add else current - {permission}
        if wanted != current:
            bind.execute(
                roles.update()
                .where(roles.c.tenant_id == tenant_id, roles.c.id == role_id)
                .values(permissions=sorted(wanted))
            )
