"""Logging in and out, token refresh with reuse detection, lockout, TOTP, and token resolution."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.db import dialect_insert, utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.security import new_token, token_digest, verify_password
from tillpoint.identity.models import (
    ApiKey,
    AuthSession,
    LoginThrottle,
    Role,
    RotatedRefreshToken,
    Tenant,
    User,
)
from tillpoint.identity.permissions import entitlements

ACCESS_PREFIX, REFRESH_PREFIX, API_KEY_PREFIX = "tpa_", "tpr_", "tp_"
ALL_TENANTS = {"all_tenants": True}
TOTP_ISSUER = "Tillpoint"


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User
    permissions: frozenset[str]


def _login_error() -> AppError:
    # The same answer for an unknown user, a wrong password and a wrong code.
    return AppError("LOGIN_ERROR", commit_changes=True)


async def login(
    session: AsyncSession, settings: Settings, username: str, password: str, mfa_code: str | None
) -> IssuedTokens:
    username_key = token_digest(username.strip().lower())
    now = utcnow()
    throttle = (
        await session.execute(
            select(LoginThrottle)
            .where(LoginThrottle.username_hash == username_key)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        raise AppError("ACCOUNT_LOCKED", headers=_retry_after(throttle.locked_until, now))

    user = (
        await session.execute(
            select(User)
            .where(User.email == username.strip().lower())
            .execution_options(**ALL_TENANTS)
        )
    ).scalar_one_or_none()
    password_ok = await verify_password(user.password_hash if user else None, password)
    if user is None or not user.active or not password_ok:
        await _record_failure(session, settings, username_key, now)
        raise _login_error()
    if user.mfa_enabled:
        if not mfa_code:
            raise AppError("MFA_REQUIRED")
        if not _accept_totp(user, mfa_code):
            await _record_failure(session, settings, username_key, now)
            raise _login_error()

    await session.execute(delete(LoginThrottle).where(LoginThrottle.username_hash == username_key))
    session.info["tenant_id"] = user.tenant_id
    permissions = await _role_permissions(session, user)
    access, refresh = new_token(ACCESS_PREFIX), new_token(REFRESH_PREFIX)
    session.add(
        AuthSession(
            tenant_id=user.tenant_id,
            id=new_id("session"),
            user_id=user.id,
            access_token_hash=token_digest(access),
            access_expires_at=now + timedelta(seconds=settings.access_token_ttl_seconds),
            refresh_token_hash=token_digest(refresh),
            refresh_expires_at=now + timedelta(seconds=settings.refresh_token_ttl_seconds),
            created_at=now,
        )
    )
    return IssuedTokens(access, refresh, settings.access_token_ttl_seconds, user, permissions)


def _retry_after(until: datetime, now: datetime) -> dict[str, str]:
    return {"Retry-After": str(max(1, int((until - now).total_seconds()) + 1))}


async def _record_failure(
    session: AsyncSession, settings: Settings, username_key: str, now: datetime
) -> None:
    window_start = now - timedelta(seconds=settings.login_lockout_seconds)
    stmt = dialect_insert(session)(LoginThrottle).values(
        username_hash=username_key, failures=1, window_started_at=now, locked_until=None
    )
    # Failures count within a window; an old window starts again from one.
    stale = LoginThrottle.window_started_at < window_start
    failures = case((stale, 1), else_=LoginThrottle.failures + 1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.username_hash],
        set_={
            "failures": failures,
            "window_started_at": case((stale, now), else_=LoginThrottle.window_started_at),
            "locked_until": case(
                (
                    failures >= settings.login_max_failures,
                    now + timedelta(seconds=settings.login_lockout_seconds),
                ),
                else_=None,
            ),
        },
    )
    await session.execute(stmt)


def _accept_totp(user: User, code: str) -> bool:
    """A current code (±1 step for clock drift), each code usable once."""
    if not user.mfa_secret or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.mfa_secret)
    step = totp.timecode(utcnow())
    for candidate in (step - 1, step, step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            if user.mfa_last_code_at is not None and candidate <= user.mfa_last_code_at:
                return False
            user.mfa_last_code_at = candidate
            return True
    return False


async def _role_permissions(session: AsyncSession, user: User) -> frozenset[str]:
    role = (
        await session.execute(
            select(Role).where(Role.id == user.role_id).execution_options(**ALL_TENANTS)
        )
    ).scalar_one()
    return frozenset(role.permissions) if role.active else frozenset()


async def refresh(session: AsyncSession, settings: Settings, refresh_token: str) -> IssuedTokens:
    digest = token_digest(refresh_token)
    now = utcnow()
    reused = (
        await session.execute(
            select(RotatedRefreshToken)
            .where(RotatedRefreshToken.token_hash == digest)
            .execution_options(**ALL_TENANTS)
        )
    ).scalar_one_or_none()
    if reused is not None:
        # A token already exchanged came back: someone else holds it. End that whole login.
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id == reused.session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="refresh_token_reused")
            .execution_options(**ALL_TENANTS)
        )
        raise AppError("INVALID_TOKEN", commit_changes=True)
    row = (
        await session.execute(
            select(AuthSession, User)
            .join(
                User, (User.tenant_id == AuthSession.tenant_id) & (User.id == AuthSession.user_id)
            )
            .where(AuthSession.refresh_token_hash == digest)
            .with_for_update(of=AuthSession)
            .execution_options(**ALL_TENANTS)
        )
    ).one_or_none()
    if row is None:
        raise AppError("INVALID_TOKEN")
    auth, user = row
    if auth.revoked_at is not None or auth.refresh_expires_at <= now or not user.active:
        raise AppError("INVALID_TOKEN")
    session.info["tenant_id"] = auth.tenant_id
    access, new_refresh = new_token(ACCESS_PREFIX), new_token(REFRESH_PREFIX)
    session.add(
        RotatedRefreshToken(
            tenant_id=auth.tenant_id, token_hash=digest, session_id=auth.id, rotated_at=now
        )
    )
    auth.access_token_hash = token_digest(access)
    auth.access_expires_at = now + timedelta(seconds=settings.access_token_ttl_seconds)
    auth.refresh_token_hash = token_digest(new_refresh)
    permissions = await _role_permissions(session, user)
    return IssuedTokens(access, new_refresh, settings.access_token_ttl_seconds, user, permissions)


async def logout(session: AsyncSession, principal: Principal) -> None:
    if principal.session_id is None:
        raise AppError(
            "VALIDATION_ERROR", "API keys have no session to end; revoke the key instead."
        )
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == principal.session_id)
        .values(revoked_at=utcnow(), revoked_reason="logout")
    )


async def revoke_user_sessions(session: AsyncSession, user_id: str, reason: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


async def resolve_principal(
    session: AsyncSession, token: str, *, user_rate_limit: int
) -> Principal | None:
    """The principal behind a bearer token, or None if it is unknown, expired or revoked."""
    if token.startswith(ACCESS_PREFIX):
        return await _user_principal(session, token, user_rate_limit)
    if token.startswith(API_KEY_PREFIX):
        return await _api_key_principal(session, token)
    return None


async def _user_principal(session: AsyncSession, token: str, rate_limit: int) -> Principal | None:
    row = (
        await session.execute(
            select(
                AuthSession.id, AuthSession.access_expires_at, User, Role.permissions, Role.active
            )
            .join(
                User, (User.tenant_id == AuthSession.tenant_id) & (User.id == AuthSession.user_id)
            )
            .join(Role, (Role.tenant_id == User.tenant_id) & (Role.id == User.role_id))
            .where(
                AuthSession.access_token_hash == token_digest(token),
                AuthSession.revoked_at.is_(None),
            )
            .execution_options(**ALL_TENANTS)
        )
    ).one_or_none()
    if row is None:
        return None
    session_id, expires_at, user, permissions, role_active = row
    if expires_at <= utcnow() or not user.active:
        return None
    return Principal(
        kind="user",
        id=user.id,
        tenant_id=user.tenant_id,
        name=user.name,
        permissions=frozenset(permissions) if role_active else frozenset(),
        location_ids=frozenset(user.location_ids) if user.location_ids else None,
        rate_limit_per_minute=rate_limit,
        session_id=session_id,
    )


async def _api_key_principal(session: AsyncSession, token: str) -> Principal | None:
    key = (
        await session.execute(
            select(ApiKey)
            .where(ApiKey.secret_hash == token_digest(token), ApiKey.revoked_at.is_(None))
            .execution_options(**ALL_TENANTS)
        )
    ).scalar_one_or_none()
    if key is None:
        return None
    return Principal(
        kind="api_key",
        id=key.id,
        tenant_id=key.tenant_id,
        name=key.name,
        permissions=frozenset(key.scopes),
        location_ids=None,
        rate_limit_per_minute=key.rate_limit_per_minute,
    )


@dataclass(frozen=True)
class MfaEnrolment:
    secret: str
    otpauth_uri: str


async def start_mfa(session: AsyncSession, principal: Principal) -> MfaEnrolment:
    user = await _current_user(session, principal)
    if user.mfa_enabled:
        raise AppError("MFA_ALREADY_ENABLED")
    secret = pyotp.random_base32()
    user.mfa_pending_secret = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)
    return MfaEnrolment(secret, uri)


async def confirm_mfa(session: AsyncSession, principal: Principal, code: str) -> None:
    user = await _current_user(session, principal)
    if user.mfa_enabled:
        raise AppError("MFA_ALREADY_ENABLED")
    if not user.mfa_pending_secret:
        raise AppError("MFA_NOT_STARTED")
    # A new secret starts a new code history; codes of an old secret say nothing about it.
    user.mfa_secret, user.mfa_last_code_at = user.mfa_pending_secret, None
    if not _accept_totp(user, code):
        user.mfa_secret = None
        raise AppError("INVALID_MFA_CODE")
    user.mfa_enabled = True
    user.mfa_pending_secret = None
    record_event(session, "user.mfa_enabled", {"userId": user.id}, subject_id=user.id)


async def disable_mfa(session: AsyncSession, principal: Principal, code: str) -> None:
    user = await _current_user(session, principal)
    if not user.mfa_enabled or not _accept_totp(user, code):
        raise AppError("INVALID_MFA_CODE")
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_code_at = None
    record_event(session, "user.mfa_disabled", {"userId": user.id}, subject_id=user.id)


async def _current_user(session: AsyncSession, principal: Principal) -> User:
    if principal.kind != "user":
        raise AppError("FORBIDDEN", "Only a signed-in user has an account to change.")
    return (await session.execute(select(User).where(User.id == principal.id))).scalar_one()


async def tenant_of(session: AsyncSession, tenant_id: str) -> Tenant:
    return (await session.execute(select(Tenant).where(Tenant.id == tenant_id))).scalar_one()


def user_summary(user: User, permissions: frozenset[str]) -> dict[str, object]:
    return {"id": user.id, "name": user.name, "entitlements": entitlements(permissions)}
