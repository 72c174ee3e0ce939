"""SQLite through aiosqlite with one trip to the connection's thread per statement.

aiosqlite runs each sqlite3 call on the connection's own thread; every call is a trip there
and back (a queue put, a thread wake-up, a wake-up of the event loop). SQLAlchemy's adapter
makes four per statement — open a cursor, execute, fetch all rows, close the cursor — and one
for a COMMIT or ROLLBACK even when sqlite3 has no transaction open. Here a statement is one
trip: the same four sqlite3 calls run together on that thread, and what SQLAlchemy reads of the
cursor afterwards (description, rowcount, lastrowid, the rows) comes back with them. COMMIT and
ROLLBACK without an open transaction stay on this side: sqlite3 itself does nothing for them
then (it checks the same ``in_transaction``). Nothing else changes: the same SQL, parameters,
connection and errors. Used by ``core.db.Database`` for every SQLite engine.

A transaction's BEGIN rides with its first statement (``begin_with_next_statement``): SQLite
does nothing at BEGIN DEFERRED until the first statement reads, and BEGIN IMMEDIATE takes the
write lock with no statement of ours in between either way; a transaction that runs no
statement sends none. The dialect (``OneTripDialect``, ``sqlite+tillpoint_aiosqlite``) asks
for BEGIN DEFERRED itself; ``core.db`` asks writers' transactions for BEGIN IMMEDIATE with an
engine event on the writers' engine only. A reader's engine then has no engine event at all,
so SQLAlchemy skips its per-statement event dispatch (about a ninth of a barcode lookup's
Python calls).
"""

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT

# What one statement leaves for SQLAlchemy: description, rowcount, lastrowid and the rows.
Outcome = tuple[Any, int, int | None, list[Any]]


def _run(
    connection: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool
) -> Outcome:
    """On the connection's thread: the transaction's BEGIN if it is still to be sent, then the
    statement, its rows and its cursor's figures."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs in one call on the connection's thread."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor is opened here (that would be a trip of its own).
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome: Outcome = (None, -1, None, [])

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[1]

    @property
    def lastrowid(self) -> Any:
        return self._outcome[2]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        """Rows are all fetched with the statement; there is nothing to size."""

    async def _async_soft_close(self) -> None:
        """Nothing is left open on the connection's thread."""

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        driver = cast(aiosqlite.Connection, self._connection)
        adapted = cast(OneTripConnection, self._adapt_connection)
        async with adapted._execute_mutex:
            begin = adapted.take_pending_begin()
            # _conn raises "no active connection" once closed, as aiosqlite's own calls do.
            self._outcome = await driver._execute(  # type: ignore[no-untyped-call]
                _run, driver._conn, begin, operation, parameters, many
            )
            self._rows = collections.deque(self._outcome[3])

    def nextset(self) -> None:
        """No further result set: sqlite3 gives one per statement (PEP 249: None when there
        are no more sets)."""

    def setinputsizes(self, *inputsizes: Sequence[Any]) -> None:
        """sqlite3 ignores input sizes."""


class StreamingCursor(AsyncAdapt_aiosqlite_ss_cursor):
    """SQLAlchemy's server-side cursor (``stream()``), sending a pending BEGIN first."""

    __slots__ = ()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await cast(OneTripConnection, self._adapt_connection).send_pending_begin()
        return await super()._execute_async(operation, parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await cast(OneTripConnection, self._adapt_connection).send_pending_begin()
        return await super()._executemany_async(operation, seq_of_parameters)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_pending_begin",)

    _cursor_cls: type[AsyncAdapt_aiosqlite_cursor] = OneTripCursor
    _ss_cursor_cls: type[AsyncAdapt_aiosqlite_ss_cursor] = StreamingCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._pending_begin: str | None = None

    def begin_with_next_statement(self, begin: str, *, unless_asked: bool = False) -> None:
        """Send ``begin`` (BEGIN DEFERRED / IMMEDIATE) with the next statement; with
        ``unless_asked``, only if no other BEGIN is waiting already."""
        if not (unless_asked and self._pending_begin is not None):
            self._pending_begin = begin

    def take_pending_begin(self) -> str | None:
        begin, self._pending_begin = self._pending_begin, None
        return begin

    async def run_in_one_trip(self, operation: str, parameters: Any, many: bool) -> list[Any]:
        """A statement's rows, in one trip with the transaction's BEGIN if it is still to be
        sent: for ``core.driver``'s statements, which hold the execute lock already."""
        driver = cast(aiosqlite.Connection, self._connection)
        begin = self.take_pending_begin()
        outcome: Outcome = await driver._execute(  # type: ignore[no-untyped-call]
            _run, driver._conn, begin, operation, parameters, many
        )
        return outcome[3]

    async def send_pending_begin(self) -> None:
        begin = self.take_pending_begin()
        if begin is not None:
            driver = cast(aiosqlite.Connection, self._connection)
            await driver._execute(driver._conn.execute, begin)  # type: ignore[no-untyped-call]

    def rollback(self) -> None:
        # A BEGIN not sent yet began nothing: there is nothing to end.
        self._pending_begin = None
        if self._open_transaction():
            super().rollback()

    def commit(self) -> None:
        self._pending_begin = None
        if self._open_transaction():
            super().commit()

    def _open_transaction(self) -> bool:
        # Read on this thread: the attribute is sqlite3_get_autocommit, which takes no lock and
        # no statement runs on the connection meanwhile (SQLAlchemy awaits each one).
        driver = self._connection._connection
        return driver is not None and driver.in_transaction


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy's aiosqlite dialect sees it, with ``OneTripConnection``s."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


class OneTripDialect(SQLiteDialect_aiosqlite):
    """SQLAlchemy's aiosqlite dialect on ``OneTripDbapi``, which begins every transaction with
    a BEGIN DEFERRED sent with its first statement, unless an engine event asked for another
    kind first (SQLAlchemy runs the ``begin`` event before ``do_begin``)."""

    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> OneTripDbapi:
        return OneTripDbapi()

    def do_begin(self, dbapi_connection: Any) -> None:
        # A pool's proxy of the OneTripConnection, which passes the call on.
        dbapi_connection.begin_with_next_statement("BEGIN DEFERRED", unless_asked=True)


DRIVER_NAME = "sqlite+tillpoint_aiosqlite"
registry.register("sqlite.tillpoint_aiosqlite", __name__, "OneTripDialect")
