"""core/sqlite_driver: a statement is one trip to aiosqlite's thread, and SQLAlchemy sees the
same results, figures and errors as through its own adapter."""

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from tillpoint.core.db import Database
from tillpoint.core.sqlite_driver import OneTripConnection


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield database
    await database.dispose()


class Trips:
    """Counts the calls queued to one aiosqlite connection's thread."""

    def __init__(self, driver: object) -> None:
        self.count = 0
        queue = driver._tx  # type: ignore[attr-defined]
        put = queue.put_nowait

        def counted(item: object) -> None:
            self.count += 1
            put(item)

        driver._tx = type("Queue", (), {"put_nowait": staticmethod(counted)})()  # type: ignore[attr-defined]
        self._restore = lambda: setattr(driver, "_tx", queue)

    def stop(self) -> None:
        self._restore()


async def test_engine_uses_the_one_trip_connection(db: Database) -> None:
    async with db.engine.connect() as conn:
        raw: Any = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)


async def test_a_select_is_one_trip_and_reads_back_its_rows(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')"))
    async with db.engine.connect() as conn:
        raw: Any = await conn.get_raw_connection()
        trips = Trips(raw.dbapi_connection.driver_connection)
        rows = (await conn.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
        trips.stop()
        assert [tuple(r) for r in rows] == [(1, "a"), (2, "b")]
        assert trips.count == 1  # core.db's BEGIN (autobegin) rides with the SELECT
        assert raw.dbapi_connection.driver_connection.in_transaction


async def test_rowcount_lastrowid_returning_and_executemany(db: Database) -> None:
    async with db.engine.begin() as conn:
        many = await conn.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "x"}, {"name": "y"}]
        )
        assert many.rowcount == 2
        one = await conn.execute(text("INSERT INTO t (name) VALUES ('z')"))
        assert one.lastrowid == 3
        changed = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id < 3"))
        assert changed.rowcount == 2
        returned = await conn.execute(text("DELETE FROM t WHERE id = 3 RETURNING name"))
        assert returned.scalars().all() == ["z"]
    async with db.engine.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
        assert names == ["x!", "y!"]


async def test_a_statement_has_one_result_set(db: Database) -> None:
    def one_set(sync: Any) -> tuple[Any, Any]:
        cursor = sync.connection.dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
            return cursor.fetchall(), cursor.nextset()
        finally:
            cursor.close()

    async with db.engine.connect() as conn:
        rows, more = await conn.run_sync(one_set)
    assert list(rows) == [(1,)]
    assert more is None  # PEP 249: no further result set


async def test_errors_are_sqlalchemy_errors_and_roll_back(db: Database) -> None:
    async with db.engine.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('dup')"))
        with pytest.raises(IntegrityError):
            await conn.execute(text("INSERT INTO t (name) VALUES ('dup')"))
        await conn.rollback()
    with pytest.raises(OperationalError):
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT nope FROM t"))
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0


async def test_rollback_without_a_transaction_stays_here(db: Database) -> None:
    """sqlite3 does nothing for a ROLLBACK with no transaction open; no trip is made for it.
    An open transaction is still rolled back."""
    async with db.engine.connect() as conn:
        raw: Any = await conn.get_raw_connection()
        adapted = raw.dbapi_connection
        driver = adapted.driver_connection
        trips = Trips(driver)
        await conn.run_sync(lambda _: adapted.rollback())
        assert trips.count == 0
        # Autobegins: core.db's BEGIN IMMEDIATE goes with the INSERT.
        await conn.execute(text("INSERT INTO t (name) VALUES ('kept?')"))
        assert driver.in_transaction
        await conn.run_sync(lambda _: adapted.rollback())
        trips.stop()
        assert trips.count == 2
        assert not driver.in_transaction
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0


async def test_streamed_results_still_arrive(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO t (name) VALUES (:n)"), [{"n": str(i)} for i in range(5)]
        )
    async with db.engine.connect() as conn:
        result = await conn.stream(text("SELECT name FROM t ORDER BY id"))
        assert [row[0] async for row in result] == ["0", "1", "2", "3", "4"]


async def can_begin_a_write(db: Database) -> bool:
    other = await aiosqlite.connect(str(db.engine.url.database), timeout=0)
    try:
        await other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return False
    finally:
        await other.close()
    return True


async def test_writers_begin_immediate_readers_deferred(db: Database) -> None:
    """A writer's transaction holds SQLite's write lock from its first statement (a second
    writer cannot begin until it ends); a reader's takes no lock; a transaction that ran
    nothing sent no BEGIN at all."""
    async with db.session() as idle:
        await idle.connection()
        raw: Any = await (await idle.connection()).get_raw_connection()
        assert not raw.dbapi_connection.driver_connection.in_transaction
    async with db.session() as writer:
        await writer.execute(text("SELECT count(*) FROM t"))
        raw = await (await writer.connection()).get_raw_connection()
        assert raw.dbapi_connection.driver_connection.in_transaction
        assert not await can_begin_a_write(db)
    async with db.session(read_only=True) as reader:
        await reader.execute(text("SELECT count(*) FROM t"))
        raw = await (await reader.connection()).get_raw_connection()
        assert raw.dbapi_connection.driver_connection.in_transaction
        assert await can_begin_a_write(db)


async def test_a_stream_sends_its_pending_begin(db: Database) -> None:
    async with db.engine.connect() as conn:
        result = await conn.stream(text("SELECT count(*) FROM t"))
        assert [row[0] async for row in result] == [0]
        raw: Any = await conn.get_raw_connection()
        assert raw.dbapi_connection.driver_connection.in_transaction
