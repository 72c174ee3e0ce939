"""The catalog at scale: barcode lookup, a product list page of 200 and CSV import, with 100,000
variants, on PostgreSQL and on SQLite, each against baselines measured in the same run.

Run from the repository root::

    python -m bench.catalog [--backend both|postgresql|sqlite] [--seconds 10] [--concurrency 4]
                            [--products 40000] [--variants 100000] [--import-products 2000]
                            [--only-imports] [--skip-cli-import]

For each backend it makes a fresh database (a throw-away PostgreSQL database, or a SQLite file
in a scratch directory), starts a real ``tillpoint serve`` on it, creates a tenant and an API
key with the CLI and a location through the API, then seeds categories, products, variants and
stock straight into the tables (``bench/catalog_data.py``; ANALYZE on PostgreSQL). It starts the
baseline, ``bench/catalog_baseline_app.py`` — a bare FastAPI app answering the same reads with
raw SQL through the same driver — and measures:

1. one request at a time: the raw reads in this process (driver and SQL only, the floor), then
   the baseline and Tillpoint over HTTP — each request's own latency;
2. under load (``--concurrency``, default 4): ``GET /v1/catalog/lookup?barcode=<random
   existing>&locationId=`` and the baseline's lookup, then ``GET
   /v1/catalog/products?pageSize=200&page=<random>`` and the baseline's page (harness load);
3. CSV import rows/s (``bench/catalog_imports.py``): ``POST /v1/catalog/imports`` polled until
   done, ``tillpoint catalog import`` into a fresh tenant, and the baseline, a raw INSERT of
   the same rows through SQLAlchemy Core and the driver.

It prints the figures and the Tillpoint ÷ baseline ratios and writes
``bench/results/catalog-<backend>.json``. Servers and databases are removed on every exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import math
import random
import secrets
import sqlite3
import sys
from dataclasses import dataclass
from typing import Any

import httpx

from bench.catalog_data import PAGE_SIZE, SEED_PREFIX, Shape, barcode, seed
from bench.catalog_imports import import_shape, imports_only, measure_imports
from bench.catalog_report import (
    import_target_lines,
    print_imports,
    print_sequential,
    print_summary,
)
from bench.catalog_sequential import page_samples, time_http, time_raw
from bench.harness import ROOT, BenchError, console
from bench.harness.cleanup import run_with_cleanup, temporary_directory
from bench.harness.cpu import busy_before_start
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.load import Scenario, run_scenarios
from bench.harness.options import parse_arguments
from bench.harness.report import machine_info, print_report, throughput_ratio, write_results
from bench.harness.servers import (
    Server,
    environment_without_tillpoint_settings,
    free_port,
    start_server,
    uvicorn_command,
    wait_ready,
)
from bench.harness.tillpoint import (
    BENCH_RATE_LIMIT,
    create_tenant_and_api_key,
    serve_command,
    server_env,
)

BENCHMARK = "catalog"
RESULTS_FILE = ROOT / "bench" / "results" / f"{BENCHMARK}.json"
SCOPES = "catalog:read,catalog:write,settings:read,settings:write"
LOOKUP_PATHS = {"tillpoint": "/v1/catalog/lookup", "baseline": "/v1/lookup"}
LIST_PATHS = {"tillpoint": "/v1/catalog/products", "baseline": "/v1/products"}
# The CPU accounting looks for this in PostgreSQL process titles: no backend serves SQLite runs.
NO_POSTGRES_DATABASE = "(sqlite run)"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return parse_arguments(
        argv,
        prog=f"python -m bench.{BENCHMARK}",
        description="Benchmark catalog barcode lookup, product list and CSV import with 100,000 "
        "variants on a real Tillpoint server against raw-SQL baselines measured in the same run.",
        output=RESULTS_FILE,
        add_scenario_arguments=_add_arguments,
        check_scenario_arguments=_check_arguments,
        # A few clients: p50 stays close to one request's own time rather than a queue's.
        defaults={"concurrency": 4},
    )


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend", choices=("postgresql", "sqlite", "both"), default="both", help="(default both)"
    )
    parser.add_argument(
        "--products", type=int, default=40_000, help="products seeded (default %(default)s)"
    )
    parser.add_argument(
        "--variants",
        type=int,
        default=100_000,
        help="variants seeded, one default variant per product included (default %(default)s)",
    )
    parser.add_argument(
        "--import-products",
        type=int,
        default=2_000,
        help="products in the imported CSV, a third of them with 3 option variants "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--sequential-lookups",
        type=int,
        default=1_000,
        help="lookups timed one at a time (raw SQL, baseline, Tillpoint), and a twentieth as "
        "many pages (default %(default)s)",
    )
    parser.add_argument(
        "--skip-cli-import", action="store_true", help="do not time `tillpoint catalog import`"
    )
    parser.add_argument("--only-imports", action="store_true", help="CSV imports only, no seed")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 4,000 products, 10,000 variants, 300 imported products, 3 s per "
        "scenario; not for reporting",
    )


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.quick:
        args.products, args.variants, args.import_products = 4_000, 10_000, 300
        args.seconds, args.warmup, args.sequential_lookups = 3.0, 1.0, 300
    try:
        Shape(args.products, args.variants).check()
    except ValueError as exc:
        parser.error(str(exc))
    if not 3 <= args.import_products <= 50_000:
        parser.error("--import-products must be in [3, 50000]")
    if not 10 <= args.sequential_lookups <= 100_000:
        parser.error("--sequential-lookups must be in [10, 100000]")


def lookup_url(base_url: str, location_id: str, variants: int, _tag: str) -> str:
    """A lookup of a random seeded barcode (any variant: default, option, or a parent's)."""
    code = barcode(SEED_PREFIX, random.randrange(variants))
    return f"{base_url}?barcode={code}&locationId={location_id}"


def list_url(base_url: str, pages: int, _tag: str) -> str:
    return f"{base_url}?pageSize={PAGE_SIZE}&page={random.randint(1, pages)}"


@dataclass(frozen=True)
class Backend:
    name: str  # postgresql | sqlite
    url: str  # a plain postgresql:// or sqlite:/// URL, as Tillpoint takes it
    cpu_database: str  # whose PostgreSQL backends count as ours
    version: str


def scenarios(
    tillpoint: Server, baseline: Server, api_key: str, location_id: str, shape: Shape
) -> list[Scenario]:
    auth = {"authorization": f"Bearer {api_key}"}
    pages = math.ceil(shape.products / PAGE_SIZE)
    found: list[Scenario] = []
    for kind, label in (("lookup", "lookup"), ("list", "list 200")):
        for target, server in (("tillpoint", tillpoint), ("baseline", baseline)):
            if kind == "lookup":
                url = server.base_url + LOOKUP_PATHS[target]
                make = functools.partial(lookup_url, url, location_id, shape.variants)
            else:
                url = server.base_url + LIST_PATHS[target]
                make = functools.partial(list_url, url, pages)
            found.append(
                Scenario(
                    f"{target}-{kind}",
                    f"{'Tillpoint' if target == 'tillpoint' else 'baseline'} {label}",
                    target,
                    "GET",
                    url,
                    200,
                    auth if target == "tillpoint" else {},
                    url_for=make,
                )
            )
    return found


def create_location(server: Server, api_key: str) -> str:
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        response = client.post(
            "/v1/locations", json={"name": "Bench store", "address": {"country": "US"}}
        )
    if response.status_code != 201:
        raise BenchError(f"creating a location failed: {response.status_code} {response.text}")
    return str(response.json()["locationId"])


def check_same_answers(
    tillpoint: Server, baseline: Server, api_key: str, location_id: str, shape: Shape
) -> None:
    """Both servers find the same items (a parent's code, an option's, a simple product's) and
    the same first page, so the two sides of each ratio do the same work."""
    auth = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(timeout=30) as client:
        for number in (0, 1, shape.options_of(0) + 1):
            params = {"barcode": barcode(SEED_PREFIX, number), "locationId": location_id}
            ours = client.get(
                tillpoint.base_url + LOOKUP_PATHS["tillpoint"], params=params, headers=auth
            )
            theirs = client.get(baseline.base_url + LOOKUP_PATHS["baseline"], params=params)
            if ours.status_code != 200 or theirs.status_code != 200:
                raise BenchError(f"lookup check failed: {ours.text[:300]} / {theirs.text[:300]}")
            a, b = ours.json(), theirs.json()
            same = ("variantId", "sku", "barcode", "name")
            if [a[k] for k in same] != [b[k] for k in same] or len(a["variants"]) != len(
                b["variants"]
            ):
                raise BenchError(f"the lookups differ:\n{a}\n{b}")
        params = {"pageSize": PAGE_SIZE, "page": 2}
        ours = client.get(tillpoint.base_url + LIST_PATHS["tillpoint"], params=params, headers=auth)
        theirs = client.get(baseline.base_url + LIST_PATHS["baseline"], params=params)
        a, b = ours.json(), theirs.json()
        if [p["productId"] for p in a["items"]] != [p["productId"] for p in b["items"]] or (
            a["total"] != b["total"]
        ):
            raise BenchError("the product pages differ between Tillpoint and the baseline")


def open_backend(stack: contextlib.ExitStack, name: str, run_id: str, work: Any) -> Backend:
    if name == "postgresql":
        database = create_database(stack, admin_url_from_env(), run_id)
        version = f"PostgreSQL {database.server_version}"
        return Backend(name, database.url, database.name, version)
    path = work / "tillpoint.db"
    console.print(f"database [bold]{path}[/bold] (SQLite {sqlite3.sqlite_version})")
    return Backend(
        name, f"sqlite:///{path}", NO_POSTGRES_DATABASE, f"SQLite {sqlite3.sqlite_version}"
    )


def run_backend(
    args: argparse.Namespace, outer: contextlib.ExitStack, name: str, run_id: str
) -> dict[str, Any]:
    """Everything for one backend; its servers and database are gone when this returns."""
    stack = outer.enter_context(contextlib.ExitStack())
    console.rule(f"[bold]{name}[/bold]")
    idle_check = busy_before_start()
    work = temporary_directory(stack)
    backend = open_backend(stack, name, run_id, work)
    env = server_env(backend.url, work / "data", args.server_env)
    tp_port = free_port()
    tillpoint = start_server(
        stack, "tillpoint", serve_command(tp_port, args.workers), tp_port, env, work
    )
    wait_ready(tillpoint, "/readyz")
    tenant, key = create_tenant_and_api_key(run_id, SCOPES, env)
    tenant_id, api_key = tenant["tenantId"], key["key"]
    location_id = create_location(tillpoint, api_key)
    if args.only_imports:
        found = imports_only(tillpoint, api_key, env, backend.url, tenant_id, run_id, work, args)
        stack.close()
        return {"backend": backend, "imports": found}

    shape = Shape(args.products, args.variants)
    seeded = asyncio.run(seed(backend.url, tenant_id, location_id, shape))
    seeded_rows = seeded.products + seeded.variants + seeded.stock_levels
    console.print(
        f"seeded {seeded.products:,} products, {seeded.variants:,} variants, "
        f"{seeded.stock_levels:,} stock levels in {seeded.seconds:.1f}s "
        f"({seeded_rows / seeded.seconds:,.0f} rows/s, Core INSERT executemany"
        f"{' + ANALYZE' if name == 'postgresql' else ''})"
    )

    base_port = free_port()
    baseline_env = environment_without_tillpoint_settings()
    baseline_env.update(BENCH_CATALOG_DATABASE_URL=backend.url, BENCH_CATALOG_TENANT_ID=tenant_id)
    baseline = start_server(
        stack,
        "baseline",
        uvicorn_command("bench.catalog_baseline_app:app", base_port, args.workers),
        base_port,
        baseline_env,
        work,
    )
    wait_ready(baseline, "/healthz")
    check_same_answers(tillpoint, baseline, api_key, location_id, shape)
    console.print(f"tillpoint serve on {tillpoint.base_url}, baseline on {baseline.base_url}")

    loaded = scenarios(tillpoint, baseline, api_key, location_id, shape)
    console.print(
        f"… one at a time: {args.sequential_lookups:,} lookups and "
        f"{page_samples(args.sequential_lookups):,} pages each, raw SQL in this process, then "
        "baseline and Tillpoint over HTTP"
    )
    sequential = {
        f"raw-{kind}": stats
        for kind, stats in asyncio.run(
            time_raw(backend.url, tenant_id, location_id, shape, args.sequential_lookups)
        ).items()
    }
    sequential.update(time_http(loaded, args.sequential_lookups))
    started = dt.datetime.now(dt.UTC)
    results = run_scenarios(
        stack,
        loaded,
        {"tillpoint": tillpoint, "baseline": baseline},
        args,
        run_id,
        backend.cpu_database,
    )
    imports = measure_imports(tillpoint, api_key, env, backend.url, tenant_id, run_id, work, args)
    stack.close()  # stop the servers before the report (and before the next backend)

    by_key = {r["scenario"]: r for r in results}
    ratios: dict[str, float | None] = {
        "lookupReqPerSec": throughput_ratio(results, "tillpoint-lookup", "baseline-lookup"),
        "listReqPerSec": throughput_ratio(results, "tillpoint-list", "baseline-list"),
    }
    for kind in ("lookup", "list"):
        ours, base = by_key[f"tillpoint-{kind}"], by_key[f"baseline-{kind}"]
        p50s = ours["latencyMs"]["p50"], base["latencyMs"]["p50"]
        ratios[f"{kind}P50"] = round(p50s[0] / p50s[1], 3) if all(p50s) else None
    raw = imports["raw-insert"]["rowsPerSec"]
    ratios["apiImportRowsPerSec"] = round(imports["api"]["rowsPerSec"] / raw, 4)
    if "cli" in imports:
        ratios["cliImportRowsPerSec"] = round(imports["cli"]["rowsPerSec"] / raw, 4)

    print_report(
        results,
        title=f"Tillpoint catalog vs raw-SQL FastAPI baseline — {backend.version}, "
        f"{seeded.variants:,} variants",
        ratios={"lookup": ratios["lookupReqPerSec"], "list 200": ratios["listReqPerSec"]},
        endpoints="Endpoints: Tillpoint GET /v1/catalog/lookup?barcode=<random>&locationId= and "
        "GET /v1/catalog/products?pageSize=200&page=<random> (API key); baseline GET /v1/lookup "
        "and /v1/products doing the same reads in raw SQL.",
    )
    for kind in ("lookup", "list"):
        console.print(
            f"Tillpoint/baseline p50 latency, {kind}: [bold]{ratios[f'{kind}P50']}[/bold]"
        )
    print_sequential(sequential)
    print_imports(imports)
    output = args.output.with_name(f"{args.output.stem}-{name}{args.output.suffix}")
    write_results(
        output,
        benchmark=BENCHMARK,
        started=started,
        config={
            "backend": name,
            "seconds": args.seconds,
            "warmupSeconds": args.warmup,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "clients": args.clients,
            "products": args.products,
            "variants": args.variants,
            "importProducts": args.import_products,
            "pageSize": PAGE_SIZE,
            "serverEnv": args.server_env,
            "rateLimitPerMinute": BENCH_RATE_LIMIT,
        },
        machine=machine_info(backend.version, idle_check),
        scenarios=results,
        ratios=ratios,
        extra={"seeding": seeded.__dict__, "oneAtATime": sequential, "imports": imports},
    )
    return {"backend": backend, "results": by_key, "sequential": sequential, "imports": imports}


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    run_id = secrets.token_hex(4)
    names = ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]
    console.print(
        f"{args.products:,} products, {args.variants:,} variants; scenarios {args.warmup:g}s + "
        f"{args.seconds:g}s at concurrency {args.concurrency}; import "
        f"{import_shape(args.import_products).products:,} products"
    )
    summaries = [run_backend(args, stack, name, run_id) for name in names]
    if args.only_imports:
        console.print("[bold]Targets (issue 14), this run:[/bold]")
        for summary in summaries:
            for line in import_target_lines(summary["backend"].name, summary["imports"]):
                console.print(f"  {line}")
        return 0
    print_summary(summaries)
    errors = sum(r["errors"] for s in summaries for r in s["results"].values())
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_with_cleanup(functools.partial(run, args))


if __name__ == "__main__":
    sys.exit(main())
