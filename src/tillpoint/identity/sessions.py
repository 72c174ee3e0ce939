"""Logging in and out, token refresh with reuse detection, lockout, TOTP, and token resolution."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.db import Database, table_of, utcnow
from tillpoint.core.driver import DriverStatement
from tillpoint.core.errors import AppError
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.security import new_token, token_digest, verify_password
from tillpoint.identity.models import (
    ApiKey,
    AuthSession,
    Role,
    RotatedRefreshToken,
    User,
)
from tillpoint.identity.permissions import entitlements
from tillpoint.identity.throttle import begin_attempt, end_attempt

ACCESS_PREFIX, REFRESH_PREFIX, API_KEY_PREFIX = "tpa_", "tpr_", "tp_"
# A browser session's secret (a user's, in the session cookie): never accepted as a bearer token.
BROWSER_PREFIX = "tpb_"
ALL_TENANTS = {"all_tenants": True}
TOTP_ISSUER = "Tillpoint"
_SESSION_USER = (User.tenant_id == AuthSession.tenant_id) & (User.id == AuthSession.user_id)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    # None for a browser session, which is not refreshed (it lives in a cookie, then ends).
    refresh_token: str | None
    expires_in: int
    user: User
    permissions: frozenset[str]


def _login_error() -> AppError:
    # The same answer for an unknown user, a wrong password and a wrong code.
    return AppError("LOGIN_ERROR")


@dataclass(frozen=True)
class _CredentialCheck:
    user: User | None = None
    failed: bool = False
    mfa_missing: bool = False
    mfa_step: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.user is not None and not self.failed and not self.mfa_missing


async def _check_credentials(
    db: Database, username: str, password: str, mfa_code: str | None
) -> _CredentialCheck:
    # A read session: no lock is held while the (deliberately slow) hash runs.
    async with db.session(read_only=True) as read:
        user = (
            await read.execute(
                select(User).where(User.email == username).execution_options(**ALL_TENANTS)
            )
        ).scalar_one_or_none()
    password_ok = await verify_password(user.password_hash if user else None, password)
    if user is None or not user.active or not password_ok:
        return _CredentialCheck(failed=True)
    if not user.mfa_enabled:
        return _CredentialCheck(user)
    if not mfa_code:
        return _CredentialCheck(user, mfa_missing=True)
    step = matching_totp_step(user.mfa_secret, mfa_code)
    return _CredentialCheck(user, failed=step is None, mfa_step=step)


async def login(
    db: Database,
    session: AsyncSession,
    settings: Settings,
    username: str,
    password: str,
    mfa_code: str | None,
    *,
    browser: bool = False,
) -> IssuedTokens:
    """A new login: bearer tokens, or with ``browser`` the secret of a cookie session (a user's
    in the browser app, which has no refresh token and lasts ``browser_session_ttl_seconds``)."""
    username = username.strip().lower()
    username_key = token_digest(username)
    await begin_attempt(db, settings, username_key)
    check = _CredentialCheck()
    try:
        check = await _check_credentials(db, username, password, mfa_code)
    finally:
        await end_attempt(
            db, settings, username_key, failed=check.failed, succeeded=check.succeeded
        )
    user = check.user
    if user is None or check.failed:
        raise _login_error()
    if check.mfa_missing:
        raise AppError("MFA_REQUIRED")
    if check.mfa_step is not None and not await _claim_totp_step(session, user, check.mfa_step):
        raise _login_error()

    now = utcnow()
    session.info["tenant_id"] = user.tenant_id
    permissions = await _role_permissions(session, user)
    if browser:
        secret, ttl = new_token(BROWSER_PREFIX), settings.browser_session_ttl_seconds
        refresh_token = None
    else:
        secret, ttl = new_token(ACCESS_PREFIX), settings.access_token_ttl_seconds
        refresh_token = new_token(REFRESH_PREFIX)
    session.add(
        AuthSession(
            tenant_id=user.tenant_id,
            id=new_id("session"),
            kind="browser" if browser else "bearer",
            user_id=user.id,
            access_token_hash=token_digest(secret),
            access_expires_at=now + timedelta(seconds=ttl),
            refresh_token_hash=token_digest(refresh_token) if refresh_token else None,
            refresh_expires_at=(
                now + timedelta(seconds=settings.refresh_token_ttl_seconds)
                if refresh_token
                else None
            ),
            created_at=now,
        )
    )
    return IssuedTokens(secret, refresh_token, ttl, user, permissions)


def matching_totp_step(secret: str | None, code: str) -> int | None:
    """The time step whose code this is (±1 step for clock drift), or None."""
    if not secret or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(utcnow())
    for candidate in (step - 1, step, step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None


async def _claim_totp_step(session: AsyncSession, user: User, step: int) -> bool:
    """Accept a code's time step once: claimed atomically, so a replayed code — even a
    concurrent one — is refused."""
    claimed = await session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.tenant_id == user.tenant_id,
            or_(User.mfa_last_code_at.is_(None), User.mfa_last_code_at < step),
        )
        .values(mfa_last_code_at=step, updated_at=User.updated_at)
        .execution_options(**ALL_TENANTS)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


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
    row = (
        await session.execute(
            select(AuthSession, User)
            .join(User, _SESSION_USER)
            .where(AuthSession.refresh_token_hash == digest)
            .with_for_update(of=AuthSession)
            .execution_options(**ALL_TENANTS)
        )
    ).one_or_none()
    if row is None:
        # Checked after the locking lookup, so a rotation that committed while we waited on
        # the row counts too: a token already exchanged came back, so someone else holds it.
        await _revoke_if_reused(session, digest, now)
        raise AppError("INVALID_TOKEN")
    auth, user = row
    expired = auth.refresh_expires_at is None or auth.refresh_expires_at <= now
    if auth.revoked_at is not None or expired or not user.active:
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


async def _revoke_if_reused(session: AsyncSession, digest: str, now: datetime) -> None:
    reused = (
        await session.execute(
            select(RotatedRefreshToken)
            .where(RotatedRefreshToken.token_hash == digest)
            .execution_options(**ALL_TENANTS)
        )
    ).scalar_one_or_none()
    if reused is None:
        return
    revoked = await session.execute(
        update(AuthSession)
        .where(AuthSession.id == reused.session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason="refresh_token_reused")
        .returning(AuthSession.user_id)
        .execution_options(**ALL_TENANTS)
    )
    user_id = revoked.scalar_one_or_none()
    if user_id is not None:
        record_event(
            session,
            "user.session_revoked",
            {"userId": user_id, "sessionId": reused.session_id, "reason": "refresh_token_reused"},
            subject_id=user_id,
            tenant_id=reused.tenant_id,
        )
    raise AppError("INVALID_TOKEN", commit_changes=True)


async def logout(session: AsyncSession, principal: Principal) -> None:
    if principal.session_id is None:
        # Not the request's fault but the principal's kind: 403 with the way that works.
        raise AppError(
            "FORBIDDEN",
            "API keys have no session to end; revoke the key instead.",
            details=[{"message": "revoke an API key with DELETE /v1/api-keys/{apiKeyId}"}],
        )
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == principal.session_id)
        .values(revoked_at=utcnow(), revoked_reason="logout")
    )


async def revoke_user_sessions(
    session: AsyncSession, user_id: str, reason: str, *, keep: str | None = None
) -> None:
    """End the user's logins (all but ``keep``, the session making the change)."""
    stmt = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    await session.execute(stmt.values(revoked_at=utcnow(), revoked_reason=reason))


async def resolve_principal(
    session: AsyncSession, token: str, *, user_rate_limit: int
) -> Principal | None:
    """The principal behind a bearer token, or None if it is unknown, expired or revoked."""
    if token.startswith(ACCESS_PREFIX):
        return await _user_principal(session, token, "bearer", user_rate_limit)
    if token.startswith(API_KEY_PREFIX):
        return await _api_key_principal(session, token)
    return None


async def resolve_browser_user(
    session: AsyncSession, token: str, *, user_rate_limit: int
) -> Principal | None:
    """The user behind a browser session cookie, or None. (An employee's cookie is resolved by
    stores, which knows registers and employees: ``app.py`` puts the two together.)"""
    if token.startswith(BROWSER_PREFIX):
        return await _user_principal(session, token, "browser", user_rate_limit)
    return None


# Every request resolves its bearer token with one of these: built once, not per request.
_USER_BY_ACCESS_TOKEN = (
    select(AuthSession.id, AuthSession.access_expires_at, User, Role.permissions, Role.active)
    .join(User, _SESSION_USER)
    .join(Role, (Role.tenant_id == User.tenant_id) & (Role.id == User.role_id))
    .where(
        AuthSession.access_token_hash == bindparam("digest"),
        AuthSession.kind == bindparam("kind"),
        AuthSession.revoked_at.is_(None),
    )
    .execution_options(**ALL_TENANTS)
)
_API_KEYS = table_of(ApiKey)
# Every request an integration makes runs this at the driver level (core.driver).
_API_KEY_BY_SECRET = DriverStatement(
    select(
        _API_KEYS.c.id,
        _API_KEYS.c.tenant_id,
        _API_KEYS.c.name,
        _API_KEYS.c.scopes,
        _API_KEYS.c.rate_limit_per_minute,
    )
    .where(_API_KEYS.c.secret_hash == bindparam("digest"), _API_KEYS.c.revoked_at.is_(None))
    .execution_options(**ALL_TENANTS)
)


async def _user_principal(
    session: AsyncSession, token: str, kind: str, rate_limit: int
) -> Principal | None:
    params = {"digest": token_digest(token), "kind": kind}
    row = (await session.execute(_USER_BY_ACCESS_TOKEN, params)).one_or_none()
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
    # Runs on every request an integration makes: columns, not an ORM object.
    digest = {"digest": token_digest(token)}
    found = await _API_KEY_BY_SECRET.rows(session, digest)
    if not found:
        return None
    [key] = found
    return Principal(
        kind="api_key",
        id=key.id,
        tenant_id=key.tenant_id,
        name=key.name,
        permissions=frozenset(key.scopes),
        location_ids=None,
        rate_limit_per_minute=key.rate_limit_per_minute,
    )


def user_summary(user: User, permissions: frozenset[str]) -> dict[str, object]:
    return {"id": user.id, "name": user.name, "entitlements": entitlements(permissions)}
