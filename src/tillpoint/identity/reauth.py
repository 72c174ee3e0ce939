"""Who may change credentials: a signed-in person, never an API key, and only after giving their
own password again.

Passwords (setting one — creating a user sets one — or changing one), and who owns the tenant
(an owner's deactivation or change of role, giving someone the owner role) are changed only by
a person signed in with a session who re-authenticates on the request with ``currentPassword``,
their own password. An API key is a machine's credential: if it leaks, it must not become a
person's login, so a key is refused (403 ``SIGNED_IN_USER_REQUIRED``) whatever its scopes. A
session token without the password behind it (a stolen token, an unlocked till left alone) is
refused too (403 ``REAUTHENTICATION_REQUIRED``). A wrong ``currentPassword`` counts as a failed
login of that person, so the lockout bounds guessing through a stolen session as it bounds
guessing at the login.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.errors import AppError
from tillpoint.core.security import token_digest, verify_password
from tillpoint.identity.models import User
from tillpoint.identity.throttle import count_failure, locked_for

CURRENT_PASSWORD = "currentPassword"


def require_signed_in_user(principal: Principal, action: str) -> None:
    """403 ``SIGNED_IN_USER_REQUIRED`` for an API key or an employee signed in by PIN."""
    if principal.kind != "user":
        who = "An API key" if principal.kind == "api_key" else "An employee signed in by PIN"
        raise AppError(
            "SIGNED_IN_USER_REQUIRED",
            f"{who} cannot {action}; a user signed in with their password must do it.",
        )


async def reauthenticate(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    current_password: str | None,
    action: str,
) -> None:
    """Pass only a signed-in user who sent their own current password; else 403 (or 423 while
    their login is locked). Call it before the request changes anything: a wrong password
    commits the request's transaction to count the failure."""
    require_signed_in_user(principal, action)
    if not current_password:
        raise AppError(
            "REAUTHENTICATION_REQUIRED",
            f"To {action}, send your current password as {CURRENT_PASSWORD}.",
            details=[{"field": CURRENT_PASSWORD, "message": "required for this change"}],
        )
    email, password_hash = (
        await session.execute(select(User.email, User.password_hash).where(User.id == principal.id))
    ).one()
    username_key = token_digest(email)
    seconds = await locked_for(session, username_key)
    if seconds is not None:
        raise AppError("ACCOUNT_LOCKED", headers={"Retry-After": str(seconds)})
    if not await verify_password(password_hash, current_password):
        await count_failure(session, settings, username_key)
        raise AppError(
            "REAUTHENTICATION_REQUIRED",
            "The current password is not correct.",
            details=[{"field": CURRENT_PASSWORD, "message": "not your current password"}],
            commit_changes=True,
        )
