"""Tenants, users, roles, login sessions and API keys."""

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned


class Tenant(Timestamped, Versioned, Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    rounding_mode: Mapped[str] = mapped_column(String(16), default="half_up")
    # Cash tenders round to this many minor units (5 = to 0.05); 1 means no cash rounding.
    cash_rounding_increment: Mapped[int] = mapped_column(default=1)
    # A manual discount above this percent of what it applies to needs orders:price_override
    # (or a manager's approval on the request).
    discount_approval_percent: Mapped[int] = mapped_column(default=20)
    # A gift card expires this many months after it is activated (0: gift cards never
    # expire); a card given its own expiry when registered keeps it.
    gift_card_expiry_months: Mapped[int] = mapped_column(default=0)


class Role(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "roles"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    permissions: Mapped[list[str]] = mapped_column(JsonType)
    built_in: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_roles_tenant_name"),)


class User(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Login names are global: a login carries no tenant.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role_id: Mapped[str] = mapped_column(String(40))
    # Empty list = every location.
    location_ids: Mapped[list[str]] = mapped_column(JsonType)
    active: Mapped[bool] = mapped_column(default=True)
    mfa_enabled: Mapped[bool] = mapped_column(default=False)
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_pending_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_last_code_at: Mapped[int | None] = mapped_column()

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "role_id"], ["roles.tenant_id", "roles.id"]),
    )


class AuthSession(TenantScoped, Base):
    """A login, its secrets stored only as SHA-256 digests. ``kind`` says whose and how it is
    carried: ``bearer`` (a user's access and refresh tokens, ``Authorization: Bearer``),
    ``browser`` (a user's, in an httpOnly cookie, no refresh token) or ``employee`` (an
    employee signed in by PIN on ``register_id``, in a cookie; no user, no refresh token)."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="bearer", server_default="bearer")
    user_id: Mapped[str | None] = mapped_column(String(40))
    employee_id: Mapped[str | None] = mapped_column(String(40))
    register_id: Mapped[str | None] = mapped_column(String(40))
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    access_expires_at: Mapped[datetime]
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    refresh_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["employees.tenant_id", "employees.id"],
            name="fk_auth_sessions_employee",
        ),
        Index("ix_auth_sessions_user", "tenant_id", "user_id"),
        Index("ix_auth_sessions_register", "tenant_id", "register_id"),
    )


class RotatedRefreshToken(TenantScoped, Base):
    """A refresh token already exchanged; presenting it again means it leaked."""

    __tablename__ = "rotated_refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(40))
    rotated_at: Mapped[datetime]

    __table_args__ = (Index("ix_rotated_refresh_hash", "token_hash", unique=True),)


class ApiKey(TenantScoped, Timestamped, Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The first characters of the key, shown in lists so a key can be recognised.
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JsonType)
    rate_limit_per_minute: Mapped[int]
    created_by: Mapped[str | None] = mapped_column(String(40))
    revoked_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins per login name, known or not, so lockout reveals nothing."""

    __tablename__ = "login_throttle"

    username_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    # Attempts being checked right now, and when the latest began (see identity/throttle.py).
    in_flight: Mapped[int] = mapped_column(default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None]
