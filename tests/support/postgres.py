"""Databases of their own on the test PostgreSQL server (``TILLPOINT_TEST_POSTGRES_URL``)."""

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy.engine import make_url

from tillpoint.config import async_database_url

POSTGRES_URL = os.environ.get("TILLPOINT_TEST_POSTGRES_URL")


async def _admin(sql: str) -> None:
    assert POSTGRES_URL
    base = make_url(async_database_url(POSTGRES_URL))
    conn = await asyncpg.connect(
        host=base.host,
        port=base.port or 5432,
        user=base.username,
        password=base.password,
        database=base.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_postgres_database(prefix: str = "tillpoint_test") -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards: its URL with the async
    driver."""
    assert POSTGRES_URL
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(async_database_url(POSTGRES_URL)).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
