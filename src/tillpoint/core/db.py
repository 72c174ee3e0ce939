"""Database plumbing: the declarative base, tenant scoping, column types and engines.

Tenant scoping is by construction: every ORM SELECT, UPDATE and DELETE run through a session
gets ``tenant_id = <the session's tenant>`` added for every tenant-scoped entity it touches.
A session without a tenant refuses such statements unless they opt out explicitly with
``execution_options(all_tenants=True)`` (login, the job runner, the CLI).
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import orjson
from sqlalchemy import JSON, DateTime, String, Table, TypeDecorator, event, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.pool import NullPool

from tillpoint.core.errors import AppError
from tillpoint.core.ids import has_prefix
from tillpoint.core.sqlite_driver import DRIVER_NAME as ONE_TRIP_DRIVER
from tillpoint.core.sqlite_driver import OneTripConnection


def utcnow() -> datetime:
    return datetime.now(UTC)


T = TypeVar("T")
IN_LIST_CHUNK = 500


def in_list_chunks(values: Sequence[T], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in slices of ``size``, for ``column.in_(...)`` lists that may be long: each
    value is a bind parameter, and drivers cap them (asyncpg at 32,767, older SQLite at 999)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JsonType}


ModelT = TypeVar("ModelT", bound=Base)


class TenantScoped:
    """Mixin for every table that belongs to a tenant; ``tenant_id`` leads its primary key."""

    # sort_order puts tenant_id first in the table and in its primary key.
    tenant_id: Mapped[str] = mapped_column(String(40), primary_key=True, sort_order=-10)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic concurrency: every UPDATE carries ``WHERE version = <the version read>``.

    SQLAlchemy's version counter does the compare-and-increment; a lost race surfaces as
    ``StaleDataError``, which the API renders as 409 ``VERSION_CONFLICT``. Clients name the
    version they read with ``check_version``.
    """

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # cls, not self: a declared_attr
        return {"version_id_col": cls.version}


async def get_by_id(
    session: AsyncSession,
    model: type[ModelT],
    resource: str,
    row_id: str,
    *where: Any,
    options: Sequence[Any] = (),
) -> ModelT | None:
    """The row of ``model`` with this id in the session's tenant, or None — also for an id of
    another type, which is never looked up. ``options``: loader options (``defer(…)``)."""
    if not has_prefix(row_id, resource):
        return None
    stmt = select(model).where(model.id == row_id, *where)  # type: ignore[attr-defined]
    stmt = stmt.options(*options)
    return (await session.execute(stmt)).scalar_one_or_none()


def apply_updates(row: object, changes: object, *fields: str) -> None:
    """Copy the fields a PATCH body gave (those not None) onto the row."""
    for name in fields:
        value = getattr(changes, name)
        if value is not None:
            setattr(row, name, value)


def unchanged(session: AsyncSession, row: object) -> bool:
    """True when an update set nothing new: then there is no write, no event, no new version."""
    return not session.is_modified(row)


def check_version(row: Versioned, expected: int | None) -> None:
    """409 when the client edited an older version than the one stored."""
    if expected is not None and expected != row.version:
        raise AppError(
            "VERSION_CONFLICT",
            details=[{"field": "version", "message": f"current version is {row.version}"}],
        )


def json_text(value: Any) -> str:
    """``value`` as JSON text for a JSON column, by orjson: what ``json.dumps`` wrote (non-text
    keys as text), without its spaces, in a fraction of the time."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class TenantRequired(RuntimeError):
    """A tenant-scoped statement ran on a session that has no tenant."""


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    # Core statements on tables (the hot paths) name tenant_id themselves — the test suite
    # checks every one it runs (tests/support/tenant_scope.py); loader criteria apply to ORM
    # entities only, and building them costs more than some of those statements.
    if not state.is_orm_statement:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if (
        state.execution_options.get("all_tenants")
        or state.is_column_load
        or state.is_relationship_load
    ):
        return
    tenant_id = state.session.info.get("tenant_id")
    if tenant_id is None:
        if _touches_tenant_scoped(state):
            raise TenantRequired("tenant-scoped query on a session without a tenant")
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


def _touches_tenant_scoped(state: ORMExecuteState) -> bool:
    return any(
        isinstance(m.class_, type) and issubclass(m.class_, TenantScoped) for m in state.all_mappers
    )


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, for Core statements on hot paths."""
    return cast(Table, model.__table__)


def dialect_insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_update`` / ``on_conflict_do_nothing``."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


# Below this many rows in its statistics, a table is analysed by ``analyse_if_small``.
SMALL_TABLE_ROWS = 10_000


async def analyse_if_small(session: AsyncSession, table: Table) -> None:
    """On PostgreSQL, ANALYZE ``table`` if its statistics count fewer than ``SMALL_TABLE_ROWS``
    rows (never analysed, or small when last analysed), rows this transaction wrote included.

    For a bulk write into a table that was small: without statistics every index led by
    ``tenant_id`` costs the same for a key lookup, and PostgreSQL may check each foreign key
    to ``table`` through one that finds the key by ``tenant_id`` alone — reading every row of
    the tenant per row inserted (docs/scaling.md). ANALYZE counts this transaction's own rows,
    and its statistics (and the lock it takes) last to the transaction's end; a role that does
    not own the table gets a warning, not an error. SQLite checks a foreign key through the
    parent's key: nothing to do there."""
    if session.get_bind().dialect.name != "postgresql":
        return
    known = await session.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)"),
        {"name": table.name},
    )
    if (known.scalar() or 0) < SMALL_TABLE_ROWS:
        await session.execute(text(f"ANALYZE {table.name}"))


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class Database:
    """Engines and session factories for one database URL. A unit of work on it outside a
    request: ``core.transactions.transaction(db)``."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int | None = None,
        pool_timeout: float = 10.0,
        null_pool: bool = False,
    ) -> None:
        self.url = url
        self.dialect = "sqlite" if is_sqlite(url) else "postgresql"
        # Bound parameters (password digests, MFA secrets) never go into error messages or logs.
        kwargs: dict[str, Any] = {"hide_parameters": True}
        if null_pool:
            kwargs["poolclass"] = NullPool
        elif self.dialect == "postgresql":
            # No pre-ping (a round trip per checkout): a connection found dead at use is
            # invalidated with the pool, so only the request holding it fails after a restart.
            kwargs.update(
                pool_size=pool_size,
                max_overflow=pool_size * 2 if max_overflow is None else max_overflow,
                pool_timeout=pool_timeout,
                pool_recycle=1800,
            )
        engine_url: str | URL = url
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 30}
            # One trip to aiosqlite's thread per statement instead of four, BEGIN included
            # (core/sqlite_driver): SQLAlchemy's aiosqlite dialect on that driver.
            engine_url = make_url(url).set(drivername=ONE_TRIP_DRIVER)
        # JSON columns go through orjson both ways: the standard library's decoder took about
        # a fifth of a product page's CPU (variants' options and prices, per row).
        kwargs["json_deserializer"] = orjson.loads
        kwargs["json_serializer"] = json_text
        self.engine: AsyncEngine = create_async_engine(engine_url, **kwargs)
        # Writes: on SQLite they begin IMMEDIATE, so two writers queue on the lock instead of
        # failing on upgrade. Reads: on SQLite they begin DEFERRED (the dialect's own BEGIN)
        # and run beside a writer (WAL); on PostgreSQL they run in autocommit — under READ
        # COMMITTED a transaction adds no consistency to reads, only the BEGIN and ROLLBACK
        # round trips.
        writes: AsyncEngine = self.engine
        reads: AsyncEngine
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
            # The writers' engine alone has the begin event: a reader's has no engine event,
            # which spares every statement it runs SQLAlchemy's event dispatch.
            writes = self.engine.execution_options()
            _begin_immediate(writes)
            reads = self.engine
        else:
            reads = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._writer = async_sessionmaker(writes, expire_on_commit=False)
        self._reader = async_sessionmaker(reads, expire_on_commit=False)

    def session(self, *, tenant_id: str | None = None, read_only: bool = False) -> AsyncSession:
        session = (self._reader if read_only else self._writer)()
        session.info["tenant_id"] = tenant_id
        return session

    async def dispose(self) -> None:
        await self.engine.dispose()


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN, so we can choose its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


def _begin_immediate(engine: AsyncEngine) -> None:
    """Transactions on ``engine`` begin IMMEDIATE (sent with their first statement)."""

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        driver: OneTripConnection = conn.connection.dbapi_connection
        driver.begin_with_next_statement("BEGIN IMMEDIATE")
