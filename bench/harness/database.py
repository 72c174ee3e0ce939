"""A throw-away PostgreSQL database, created for one run and dropped on every exit.

The server is ``TILLPOINT_BENCH_POSTGRES_URL`` (any role that may ``CREATE DATABASE``); only
loopback addresses are accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import URL, make_url

from bench.harness import BenchError, console

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class ThrowAwayDatabase:
    admin_url: URL  # the maintenance database it was created from
    name: str  # tillpoint_bench_<run id>
    url: str  # postgresql:// URL of the new database, password included
    server_version: str


def admin_url_from_env() -> URL:
    raw = os.environ.get("TILLPOINT_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL)
    try:
        url = make_url(raw)
    except Exception as exc:
        raise BenchError(f"TILLPOINT_BENCH_POSTGRES_URL is not a database URL: {exc}") from None
    if not url.drivername.startswith("postgres"):
        raise BenchError("TILLPOINT_BENCH_POSTGRES_URL must be a postgresql:// URL")
    if (url.host or "127.0.0.1") not in LOOPBACK_HOSTS:
        raise BenchError(
            f"refusing to use PostgreSQL on {url.host!r}: the benchmark only talks to this machine"
        )
    return url


def create_database(stack: contextlib.ExitStack, admin_url: URL, run_id: str) -> ThrowAwayDatabase:
    """Create ``tillpoint_bench_<run_id>`` and register its drop on ``stack``."""
    name = f"tillpoint_bench_{run_id}"
    url = admin_url.set(drivername="postgresql", database=name).render_as_string(
        hide_password=False
    )
    try:
        server_version = admin(admin_url, "SHOW server_version")
        admin(admin_url, f'CREATE DATABASE "{name}"')
    except Exception as exc:
        raise BenchError(f"cannot create the benchmark database: {exc}") from None
    stack.callback(drop_database, admin_url, name)
    console.print(f"database [bold]{name}[/bold] (PostgreSQL {server_version})")
    return ThrowAwayDatabase(admin_url, name, url, server_version)


def drop_database(admin_url: URL, name: str) -> None:
    try:
        admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:
        console.print(f"[red]could not drop database {name}: {exc}[/red]")
    else:
        console.print(f"dropped database {name}")


def admin(url: URL, sql: str) -> Any:
    """The first value ``sql`` returns, run on a fresh connection to ``url``."""
    return asyncio.run(_admin(url, sql))


async def _admin(url: URL, sql: str) -> Any:
    import asyncpg

    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
        timeout=10,
    )
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()
