"""The customer search (``GET /v1/customers?q=``) at 100,000 customers, on both databases,
against the unindexed scan it replaces, measured in the same run.

Run from the repository root::

    python -m bench.customers_search [--customers 100000] [--repeat 30]

For SQLite (a file in a scratch directory) and PostgreSQL (a throw-away database on
``TILLPOINT_BENCH_POSTGRES_URL``, loopback only), it applies the migrations, writes
``--customers`` customers of one tenant (names from 120 × 160 common first and last names,
unique emails and E.164 phones), ANALYZEs, and times each query ``--repeat`` times through the
service the route calls (``customers.listing.list_customers``: the page of 50 and its exact
total in one statement). The baseline is the same page and total filtered the way the search
would be without its indexes: ``%q%`` on the lower-cased name, email and phone (a scan of
every customer of the tenant). It prints the median and p90 of each, and the ratio baseline ÷
search, and writes ``bench/results/customers_search.json``. In process: no HTTP, so the
figures are the database's and the service's cost alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import json
import random
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.table import Table
from sqlalchemy import insert, or_, select, text

from bench.harness import ROOT, console
from bench.harness.cleanup import run_with_cleanup, temporary_directory
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.report import git_state
from tillpoint.config import async_database_url
from tillpoint.core.auth import Principal
from tillpoint.core.db import Database, table_of, utcnow
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.customers.listing import CustomerFilters, list_customers
from tillpoint.customers.models import Customer
from tillpoint.identity.permissions import ALL
from tillpoint.migrations import upgrade

BENCHMARK = "customers_search"
RESULTS_FILE = ROOT / "bench" / "results" / f"{BENCHMARK}.json"
TENANT = "ten_01BENCHCUSTOMERS000000000"
FIRST = [
    f"{a}{b}"
    for a in ("mar", "ann", "jo", "li", "ka", "sa", "ro", "el", "da", "ch", "al", "be")
    for b in ("ia", "n", "na", "e", "ie", "ah", "y", "o", "el", "ine")
]
LAST = [
    f"{a}{b}"
    for a in (
        "gar",
        "smi",
        "nov",
        "lee",
        "ok",
        "rey",
        "tan",
        "kow",
        "mul",
        "ber",
        "fis",
        "wag",
        "sch",
        "cam",
        "lop",
        "dia",
    )
    for b in ("cia", "th", "ak", "son", "afor", "es", "aka", "ski", "ler", "g")
]
# (label, q): a first name, a full name, an email, a phone with and without its country code.
QUERIES = [
    ("first name 'mar'", "mar"),
    ("full name 'maria garc'", "maria garc"),
    ("email 'maria.garcia1'", "maria.garcia1"),
    ("phone '+1 212 555 01'", "+1 212 555 01"),
    ("national '2125550'", "2125550"),
    ("no match 'zzq'", "zzq"),
]
PAGE = PageParams(1, 50, None, None)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m bench.{BENCHMARK}", description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--output", default=str(RESULTS_FILE))
    return parser.parse_args(argv)


def customer_rows(count: int) -> list[dict[str, Any]]:
    rng = random.Random(15)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        phone = f"{rng.choice([212, 646, 323, 415, 312])}555{i % 10_000:04d}{i // 10_000}"[:10]
        rows.append(
            {
                "tenant_id": TENANT,
                "id": f"cust_{i:026d}",
                "first_name": first.title(),
                "last_name": last.title(),
                "email": f"{first}.{last}{i}@example.com",
                "email_key": f"{first}.{last}{i}@example.com",
                "name_key": f"{first} {last}",
                "last_name_key": last,
                "phone": f"+1{phone}" if i % 3 else None,
                "phone_national": phone if i % 3 else None,
                "addresses": [],
                "notes": "",
                "marketing_opt_in": False,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    # Unique phones: the generator above may repeat one; keep the first.
    seen: set[str] = set()
    for row in rows:
        if row["phone"] in seen:
            row["phone"] = row["phone_national"] = None
        elif row["phone"]:
            seen.add(row["phone"])
    return rows


def unindexed(q: str) -> Any:
    """What the search would be without its indexes: ``%q%`` anywhere, on every customer."""
    pattern = f"%{q.lower()}%"
    digits = "".join(c for c in q if c.isdigit())
    clauses = [Customer.name_key.like(pattern), Customer.email_key.like(pattern)]
    if digits:
        clauses.append(Customer.phone.like(f"%{digits}%"))
    return or_(*clauses)


async def time_it(runs: int, call: Any) -> tuple[list[float], int]:
    await call()  # warm the caches and the statement cache
    times = []
    total = 0
    for _ in range(runs):
        start = time.perf_counter()
        total = await call()
        times.append((time.perf_counter() - start) * 1000)
    return times, total


async def _search(session: Any, principal: Principal, q: str) -> int:
    return (await list_customers(session, principal, PAGE, CustomerFilters(q=q)))[1]


async def _scan(session: Any, q: str) -> int:
    stmt = select(Customer).where(Customer.merged_into.is_(None), unindexed(q))
    return (await paginate(session, stmt, Customer.id, offset=0, limit=50))[1]


async def measure(url: str, args: argparse.Namespace, database: str) -> list[dict[str, Any]]:
    db = Database(async_database_url(url))
    principal = Principal("user", "usr_bench", TENANT, "Bench", ALL, None, 10**9)
    try:
        started = time.perf_counter()
        async with db.session(tenant_id=TENANT) as session:
            rows = customer_rows(args.customers)
            for start in range(0, len(rows), 5_000):
                await session.execute(insert(table_of(Customer)), rows[start : start + 5_000])
            await session.commit()
        # Statistics, and on PostgreSQL the visibility map (index-only scans), as a table that
        # has lived a while has them.
        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(
                text("ANALYZE" if database == "sqlite" else "VACUUM ANALYZE customers")
            )
        console.print(
            f"{database}: {args.customers:,} customers in {time.perf_counter() - started:.1f} s"
        )
        results = []
        for label, q in QUERIES:
            async with db.session(tenant_id=TENANT, read_only=True) as session:
                search = functools.partial(_search, session, principal, q)
                scan = functools.partial(_scan, session, q)
                fast, found = await time_it(args.repeat, search)
                slow, scanned = await time_it(max(3, args.repeat // 5), scan)
            results.append(
                {
                    "database": database,
                    "query": label,
                    "matches": found,
                    "scanMatches": scanned,
                    "searchMedianMs": statistics.median(fast),
                    "searchP90Ms": sorted(fast)[int(len(fast) * 0.9) - 1],
                    "scanMedianMs": statistics.median(slow),
                    "ratio": statistics.median(slow) / statistics.median(fast),
                }
            )
        return results
    finally:
        await db.dispose()


def report(results: list[dict[str, Any]], customers: int) -> None:
    table = Table(title=f"GET /v1/customers?q= at {customers:,} customers, in process")
    for column in ("database", "query", "matches", "search p50 ms", "search p90 ms"):
        table.add_column(column)
    for column in ("%q% scan p50 ms", "scan ÷ search"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r["database"],
            r["query"],
            f"{r['matches']:,}",
            f"{r['searchMedianMs']:.2f}",
            f"{r['searchP90Ms']:.2f}",
            f"{r['scanMedianMs']:.1f}",
            f"{r['ratio']:.1f}x",
        )
    console.print(table)


def run(stack: contextlib.ExitStack, args: argparse.Namespace) -> int:
    started = dt.datetime.now(dt.UTC)
    scratch = temporary_directory(stack)
    sqlite_url = f"sqlite:///{scratch / 'customers.db'}"
    postgres = create_database(stack, admin_url_from_env(), secrets.token_hex(4))
    results = []
    for name, url in (("sqlite", sqlite_url), ("postgresql", postgres.url)):
        upgrade(async_database_url(url))
        results += asyncio.run(measure(url, args, name))
    report(results, args.customers)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": BENCHMARK,
        "started": started.isoformat(),
        "customers": args.customers,
        "repeat": args.repeat,
        "postgres": postgres.server_version,
        "git": git_state(),
        "results": results,
    }
    output.write_text(json.dumps(document, indent=2))
    console.print(f"results written to {output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_with_cleanup(lambda stack: run(stack, args))


if __name__ == "__main__":
    sys.exit(main())
