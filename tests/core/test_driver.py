"""Statements at the driver level (core/driver.py) behave as SQLAlchemy's own execution of them,
on both databases: the same values back (datetimes, JSON, booleans), in the session's own
transaction, the same exceptions, the same engine events — and what they cannot do is refused
when the statement is first compiled, not run half-right."""

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from tillpoint.core.db import Database, JsonType
from tillpoint.core.driver import DriverStatement, NotDriverReady, mapped_objects
from tillpoint.identity.models import ApiKey

metadata = MetaData()
THINGS = Table(
    "driver_test_things",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("data", JsonType, nullable=True),
    Column("flag", Boolean, nullable=False),
    Column("amount", BigInteger, nullable=False),
)
DEFAULTED = Table(
    "driver_test_defaulted",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("n", BigInteger, default=lambda: 7),
)
INSERT = DriverStatement(insert(THINGS))


class Mapped_(DeclarativeBase):
    metadata = metadata


class Widget(Mapped_):
    """A versioned mapped class, as orders are."""

    __tablename__ = "driver_test_widgets"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}


WIDGETS = Widget.__table__
WIDGET = DriverStatement(select(WIDGETS).where(WIDGETS.c.id == bindparam("id")))
SELECT_BY_ID = select(
    THINGS.c.id, THINGS.c.at, THINGS.c.data, THINGS.c.flag, THINGS.c.amount
).where(THINGS.c.id == bindparam("id"))
BY_ID = DriverStatement(SELECT_BY_ID)
AT = dt.datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=dt.UTC)


@pytest.fixture
async def things(db: Database) -> AsyncIterator[Database]:
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield db
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)


def thing(key: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": key,
        "at": AT,
        "data": {"sizes": ["S", "M"], "price": 1250, "note": "ünïcode"},
        "flag": True,
        "amount": 9_007_199_254_740_993,  # beyond a double's exact integers
        **changes,
    }


async def test_values_come_back_as_sqlalchemy_gives_them(things: Database) -> None:
    async with things.session() as session:
        await INSERT.insert_rows(session, [thing("a")])
        await INSERT.insert_rows(session, [thing("b", data=None, flag=False), thing("c")])
        await session.commit()
    async with things.session() as session:
        for key in ("a", "b", "c"):
            [row] = await BY_ID.rows(session, {"id": key})
            expected = (await session.execute(SELECT_BY_ID, {"id": key})).one()
            assert tuple(row) == tuple(expected)
            assert row.id == key
            assert row.amount == 9_007_199_254_740_993
        [b] = await BY_ID.rows(session, {"id": "b"})
        assert b.data is None
        assert b.flag is False
        assert await BY_ID.rows(session, {"id": "nothing"}) == []


async def test_none_is_written_as_sqlalchemy_writes_it(things: Database) -> None:
    # Bind processors see None too: a JSON column stores JSON null, not SQL NULL, either way.
    async with things.session() as session:
        await INSERT.insert_rows(session, [thing("by-driver", data=None)])
        await session.execute(insert(THINGS), thing("by-sqlalchemy", data=None))
        stored = select(THINGS.c.id, THINGS.c.data.is_(None)).order_by(THINGS.c.id)
        assert (await session.execute(stored)).all() == [
            ("by-driver", False),
            ("by-sqlalchemy", False),
        ]
        await session.rollback()


async def test_they_run_in_the_sessions_transaction(things: Database) -> None:
    async with things.session() as session:
        await INSERT.insert_rows(session, [thing("rolled-back")])
        assert len(await BY_ID.rows(session, {"id": "rolled-back"})) == 1
        await session.rollback()
    async with things.session() as session:
        assert await BY_ID.rows(session, {"id": "rolled-back"}) == []


async def test_each_transaction_of_a_session_runs_on_its_own_connection(things: Database) -> None:
    # The connection is kept per transaction: after a COMMIT it went back to the pool (another
    # session may hold it now), so the next transaction must take the one it is given.
    async with things.session() as session:
        await INSERT.insert_rows(session, [thing("kept")])
        await session.commit()
        await INSERT.insert_rows(session, [thing("dropped")])
        assert len(await BY_ID.rows(session, {"id": "dropped"})) == 1
        await session.rollback()
        await INSERT.insert_rows(session, [thing("kept-too")])
        await session.commit()
    async with things.session() as session:
        assert len(await BY_ID.rows(session, {"id": "kept"})) == 1
        assert await BY_ID.rows(session, {"id": "dropped"}) == []
        assert len(await BY_ID.rows(session, {"id": "kept-too"})) == 1


async def test_a_driver_error_is_sqlalchemys_and_the_session_recovers(things: Database) -> None:
    async with things.session() as session:
        await INSERT.insert_rows(session, [thing("twice")])
        await session.commit()
    async with things.session() as session:
        with pytest.raises(IntegrityError):
            await INSERT.insert_rows(session, [thing("twice")])
        await session.rollback()
        await INSERT.insert_rows(session, [thing("after")])
        await session.commit()
        assert len(await BY_ID.rows(session, {"id": "after"})) == 1


async def test_a_savepoint_holds_driver_statements(things: Database) -> None:
    # An order's clientOrderId race: the INSERT in a savepoint fails on the key, the savepoint
    # is rolled back, and the transaction goes on.
    async with things.session() as session:
        await INSERT.insert_rows(session, [thing("first")])
        savepoint = await session.begin_nested()
        await INSERT.insert_rows(session, [thing("in-savepoint")])
        with pytest.raises(IntegrityError):
            await INSERT.insert_rows(session, [thing("first")])
        await savepoint.rollback()
        await INSERT.insert_rows(session, [thing("after-savepoint")])
        await session.commit()
    async with things.session() as session:
        assert len(await BY_ID.rows(session, {"id": "first"})) == 1
        assert await BY_ID.rows(session, {"id": "in-savepoint"}) == []
        assert len(await BY_ID.rows(session, {"id": "after-savepoint"})) == 1


async def test_what_needs_an_execution_context_is_refused(things: Database) -> None:
    async with things.session(tenant_id="ten_none") as session:
        with pytest.raises(NotDriverReady):  # the session's tenant criteria would not apply
            await DriverStatement(select(ApiKey.id)).rows(session)
        with pytest.raises(NotDriverReady):  # a default computed in Python
            await DriverStatement(insert(DEFAULTED)).insert_rows(session, [{"id": "x"}])
        expanding = select(THINGS.c.id).where(THINGS.c.id.in_(bindparam("ids", expanding=True)))
        with pytest.raises(NotDriverReady):
            await DriverStatement(expanding).rows(session, {"ids": ["a"]})


async def test_the_engines_listeners_see_every_statement(things: Database) -> None:
    seen: list[Any] = []
    sent: list[str] = []

    def before_execute(_conn: Any, statement: Any, multi: Any, params: Any, _options: Any) -> None:
        seen.append((statement, multi, params))

    def before_cursor(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        sent.append(sql)

    event.listen(things.engine.sync_engine, "before_execute", before_execute)
    event.listen(things.engine.sync_engine, "before_cursor_execute", before_cursor)
    try:
        async with things.session() as session:
            await INSERT.insert_rows(session, [thing("x1"), thing("x2")])
            await BY_ID.rows(session, {"id": "x1"})
            await session.rollback()
    finally:
        event.remove(things.engine.sync_engine, "before_execute", before_execute)
        event.remove(things.engine.sync_engine, "before_cursor_execute", before_cursor)
    assert [s for s, _, _ in seen] == [INSERT.statement, BY_ID.statement]
    assert [r["id"] for r in seen[0][1]] == ["x1", "x2"]  # the rows, as SQLAlchemy passes them
    assert seen[1][2] == {"id": "x1"}
    statements = [sql for sql in sent if not sql.startswith("BEGIN")]  # SQLite's own BEGIN
    assert statements[0].startswith("INSERT INTO driver_test_things")
    assert statements[1].startswith("SELECT")


async def test_mapped_objects_are_the_sessions_as_if_the_orm_had_loaded_them(
    things: Database,
) -> None:
    async with things.session() as session:
        session.add(Widget(id="w", name="first"))
        await session.commit()
    async with things.session() as session:
        [widget] = mapped_objects(session, Widget, await WIDGET.rows(session, {"id": "w"}))
        assert widget in session
        assert not session.dirty
        assert await session.get(Widget, "w") is widget  # in the identity map
        widget.name = "second"
        await session.commit()  # an UPDATE … WHERE version = 1
    async with things.session() as session:
        [again] = mapped_objects(session, Widget, await WIDGET.rows(session, {"id": "w"}))
        assert (again.name, again.version) == ("second", 2)
        # Held already: returned as it is, or with the row's values when refreshed.
        again.name = "pending"
        [same] = mapped_objects(session, Widget, await WIDGET.rows(session, {"id": "w"}))
        assert same is again
        assert same.name == "pending"
        [same] = mapped_objects(
            session, Widget, await WIDGET.rows(session, {"id": "w"}), refresh=True
        )
        assert same.name == "second"
        await session.rollback()


async def test_a_mapped_object_from_an_older_row_is_a_version_conflict(things: Database) -> None:
    async with things.session() as session:
        session.add(Widget(id="v", name="first"))
        await session.commit()
    async with things.session() as stale_session:
        [stale] = mapped_objects(
            stale_session, Widget, await WIDGET.rows(stale_session, {"id": "v"})
        )
        await stale_session.commit()  # the read ends; the object keeps version 1
        async with things.session() as other:
            (await other.get(Widget, "v")).name = "other"  # type: ignore[union-attr]
            await other.commit()
        stale.name = "stale"
        with pytest.raises(StaleDataError):
            await stale_session.commit()
