"""Which failures are the database's passing trouble rather than a defect, in one place.

A lost connection (the server restarted, ``pg_terminate_backend``, a network cut), a
serialisation failure or a deadlock (SQLSTATE 40001 / 40P01), SQLite's "database is locked"
and a pool that had no connection to give within its timeout all say the same to a client:
the request did not happen, try again in a moment — 503 ``SERVICE_UNAVAILABLE`` with
``Retry-After``. The request pipeline retries such a request once itself where that is safe
(``core/pipeline_faults.py``), so most of them never reach the client at all.

``CommitOutcomeUnknown`` is the one that is not safe: the connection was lost while COMMIT was
on its way, and the transaction may or may not have committed.
"""

from collections.abc import Iterator
from enum import StrEnum

from sqlalchemy import exc as sa_exc

# Seconds a client is told to wait before retrying after a 503.
RETRY_AFTER_SECONDS = 1

# SQLSTATEs of a transaction that failed only because of what ran beside it (serialisation
# failure, deadlock, lock not available) or of the server's state (shutting down, terminated,
# too many connections, idle-in-transaction timeout, and every connection exception: class 08).
CONFLICT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
LOST_CONNECTION_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "25P03"})
# What drivers say of a connection that is gone, when they give no SQLSTATE.
LOST_CONNECTION_MESSAGES = (
    "connection was closed",
    "connection is closed",
    "connection has been released",
    "underlying connection is closed",
    "terminating connection",
    "server closed the connection",
)
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")


class CommitOutcomeUnknown(Exception):
    """COMMIT was sent and the answer was lost: the transaction may have committed."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__


class Fault(StrEnum):
    LOST_CONNECTION = "lost_connection"
    CONFLICT = "conflict"  # serialisation failure, deadlock, SQLite busy: nothing committed
    POOL_TIMEOUT = "pool_timeout"


def _is_sqlite(error: object) -> bool:
    return "sqlite" in type(error).__module__


def fault_of(error: BaseException) -> Fault | None:
    """The kind of passing trouble ``error`` is, or None for anything else (a defect, a
    constraint, bad input)."""
    if isinstance(error, CommitOutcomeUnknown):
        return None
    for part in _chain(error):
        if isinstance(part, sa_exc.TimeoutError):  # the pool had no connection to give
            return Fault.POOL_TIMEOUT
        if isinstance(part, sa_exc.IntegrityError):  # a constraint decided: not a fault
            return None
        if isinstance(part, sa_exc.DBAPIError) and part.connection_invalidated:
            return Fault.LOST_CONNECTION
        if isinstance(part, ConnectionError):  # the socket itself: reset, refused, broken
            return Fault.LOST_CONNECTION
        sqlstate = getattr(part, "sqlstate", None) or getattr(part, "pgcode", None)
        if sqlstate in CONFLICT_SQLSTATES:
            return Fault.CONFLICT
        if isinstance(sqlstate, str) and (
            sqlstate in LOST_CONNECTION_SQLSTATES or sqlstate.startswith("08")
        ):
            return Fault.LOST_CONNECTION
        message = str(part).lower()
        if any(m in message for m in LOST_CONNECTION_MESSAGES):
            return Fault.LOST_CONNECTION
        if _is_sqlite(part):
            if any(m in message for m in SQLITE_BUSY_MESSAGES):
                return Fault.CONFLICT
        elif isinstance(part, sa_exc.OperationalError) and not _is_sqlite(part.orig):
            # Server drivers raise OperationalError for a connection that failed or broke.
            return Fault.LOST_CONNECTION
    return None


def is_transient(error: BaseException) -> bool:
    """True for a failure that a retry on a fresh connection may not meet again."""
    return fault_of(error) is not None
