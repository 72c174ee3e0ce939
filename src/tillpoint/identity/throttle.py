"""Login throttling per login name (known or not, so it reveals nothing).

Each attempt is admitted first (``begin_attempt``) and settled after its check
(``end_attempt``), each in a short transaction of its own, so no lock is held while the
deliberately slow password hash runs. Failures count within a window; the ``login_max_failures``-th
locks the name for ``login_lockout_seconds``; a success clears both. Attempts being checked at
the same moment are capped (``login_max_concurrent_attempts``): a burst of guesses cannot all be
checked before their failures count, and a till that meets the cap is told to retry in a
second (429) rather than locked out.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.db import Database, dialect_insert, utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.transactions import transaction
from tillpoint.identity.models import LoginThrottle

# An attempt still "in flight" after this long belongs to a process that died.
IN_FLIGHT_STALE = timedelta(seconds=60)


async def begin_attempt(db: Database, settings: Settings, username_key: str) -> None:
    """Admit one attempt, or raise 423 ACCOUNT_LOCKED / 429 RATE_LIMITED (nothing counted)."""
    now = utcnow()
    row = LoginThrottle
    # Raising inside the transaction rolls the admission back: a refused attempt counts nothing.
    async with transaction(db) as session:
        stmt = _upsert(
            session,
            username_key,
            now,
            failures=0,
            in_flight=1,
            on_conflict={
                "in_flight": case(
                    (row.last_attempt_at < now - IN_FLIGHT_STALE, 1), else_=row.in_flight + 1
                ),
                "last_attempt_at": now,
            },
        ).returning(row.in_flight, row.locked_until)
        in_flight, locked_until = (await session.execute(stmt)).one()
        seconds = _seconds_left(locked_until, now)
        if seconds is not None:
            raise AppError("ACCOUNT_LOCKED", headers={"Retry-After": str(seconds)})
        if in_flight > settings.login_max_concurrent_attempts:
            raise AppError(
                "RATE_LIMITED",
                "Too many logins for this account at once; retry in a moment.",
                headers={"Retry-After": "1"},
            )


async def end_attempt(
    db: Database, settings: Settings, username_key: str, *, failed: bool, succeeded: bool
) -> None:
    """Settle an admitted attempt: a failure counts (and may lock); a success clears."""
    now = utcnow()
    row = LoginThrottle
    values: dict[str, object] = {"in_flight": case((row.in_flight > 0, row.in_flight - 1), else_=0)}
    if failed:
        values |= _failure(settings, now)
    elif succeeded:
        values |= {"failures": 0, "locked_until": None}
    async with transaction(db) as session:
        await session.execute(update(row).where(row.username_hash == username_key).values(**values))


def _failure(settings: Settings, now: datetime) -> dict[str, object]:
    """The update that counts one failure in the window (and locks at the limit)."""
    row = LoginThrottle
    stale = row.window_started_at < now - timedelta(seconds=settings.login_lockout_seconds)
    failures = case((stale, 1), else_=row.failures + 1)
    return {
        "failures": failures,
        "window_started_at": case((stale, now), else_=row.window_started_at),
        "locked_until": case(
            (failures >= settings.login_max_failures, _lock_until(settings, now)),
            else_=row.locked_until,
        ),
    }


async def locked_for(session: AsyncSession, username_key: str) -> int | None:
    """Seconds the login name stays locked, or None: a re-authentication (the password asked
    again of a signed-in user) is refused while the name is locked, like a login."""
    now = utcnow()
    locked_until = (
        await session.execute(
            select(LoginThrottle.locked_until).where(LoginThrottle.username_hash == username_key)
        )
    ).scalar_one_or_none()
    return _seconds_left(locked_until, now)


async def count_failure(session: AsyncSession, settings: Settings, username_key: str) -> None:
    """Count a wrong password given to re-authenticate, in the request's own transaction (the
    caller raises with ``commit_changes``): a stolen session cannot guess the password faster
    than a login could."""
    now = utcnow()
    stmt = _upsert(
        session,
        username_key,
        now,
        failures=1,
        in_flight=0,
        on_conflict={**_failure(settings, now), "last_attempt_at": now},
    )
    await session.execute(stmt)


def _upsert(
    session: AsyncSession,
    username_key: str,
    now: datetime,
    *,
    failures: int,
    in_flight: int,
    on_conflict: dict[str, Any],
) -> Any:
    """The login name's throttle row: inserted with these counts, or updated by ``on_conflict``."""
    row = LoginThrottle
    return (
        dialect_insert(session)(row)
        .values(
            username_hash=username_key,
            failures=failures,
            in_flight=in_flight,
            window_started_at=now,
            locked_until=None,
            last_attempt_at=now,
        )
        .on_conflict_do_update(index_elements=[row.username_hash], set_=on_conflict)
    )


def _seconds_left(locked_until: datetime | None, now: datetime) -> int | None:
    """Whole seconds (rounded up) a lock still holds, or None when there is none."""
    if locked_until is None or locked_until <= now:
        return None
    return int((locked_until - now).total_seconds()) + 1


def _lock_until(settings: Settings, now: datetime) -> datetime:
    return now + timedelta(seconds=settings.login_lockout_seconds)
