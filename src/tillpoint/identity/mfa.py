"""Two-factor authentication (TOTP): enrolment, confirmation with the password, turning it off.
Login checks the codes (identity/sessions.py)."""

from dataclasses import dataclass

import pyotp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.errors import AppError
from tillpoint.core.events import record_event
from tillpoint.identity.models import User
from tillpoint.identity.reauth import reauthenticate, require_signed_in_user
from tillpoint.identity.sessions import TOTP_ISSUER, matching_totp_step


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


async def confirm_mfa(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    code: str,
    current_password: str | None,
) -> None:
    # A second factor bound by a stolen session would lock its owner out: ask the password.
    await reauthenticate(
        session, settings, principal, current_password, "turn on two-factor authentication"
    )
    user = await _current_user(session, principal)
    if user.mfa_enabled:
        raise AppError("MFA_ALREADY_ENABLED")
    if not user.mfa_pending_secret:
        raise AppError("MFA_NOT_STARTED")
    # A new secret starts a new code history; codes of an old secret say nothing about it.
    step = matching_totp_step(user.mfa_pending_secret, code)
    if step is None:
        raise AppError("INVALID_MFA_CODE")
    user.mfa_secret, user.mfa_last_code_at = user.mfa_pending_secret, step
    user.mfa_enabled = True
    user.mfa_pending_secret = None
    record_event(session, "user.mfa_enabled", {"userId": user.id}, subject_id=user.id)


async def disable_mfa(session: AsyncSession, principal: Principal, code: str) -> None:
    user = await _current_user(session, principal)
    step = matching_totp_step(user.mfa_secret, code) if user.mfa_enabled else None
    if step is None or (user.mfa_last_code_at is not None and step <= user.mfa_last_code_at):
        raise AppError("INVALID_MFA_CODE")
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_code_at = None
    record_event(session, "user.mfa_disabled", {"userId": user.id}, subject_id=user.id)


async def _current_user(session: AsyncSession, principal: Principal) -> User:
    require_signed_in_user(principal, "change two-factor authentication")
    return (await session.execute(select(User).where(User.id == principal.id))).scalar_one()
