"""Throughput and latency of ``GET``/``POST /v1/locations`` on a real server, against a baseline.

Run from the repository root::

    python -m bench.api_locations [--seconds 10] [--concurrency 16] [--workers 1] [--clients 1]

It creates a throw-away PostgreSQL database, starts a real ``tillpoint serve`` (uvicorn) on it
and a bare FastAPI app (``bench/baseline_app.py``) served by uvicorn the same way, drives both
with ``httpx.AsyncClient`` at a fixed concurrency for a fixed time, prints a table and writes
``bench/results/api_locations.json``. Subprocesses and the database are removed on every exit,
Ctrl-C included. Only loopback addresses are ever contacted. See ``bench/README.md``.

This file only defines the scenarios; the machinery is in ``bench/harness/``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import secrets
import sys
from typing import Any

import httpx

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

BENCHMARK = "api_locations"
RESULTS_FILE = ROOT / "bench" / "results" / f"{BENCHMARK}.json"
SCOPES = "settings:read,settings:write"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return parse_arguments(
        argv,
        prog=f"python -m bench.{BENCHMARK}",
        description="Benchmark GET/POST /v1/locations on a real Tillpoint server against a "
        "bare FastAPI baseline measured in the same run.",
        output=RESULTS_FILE,
        add_scenario_arguments=_add_seed_locations,
        check_scenario_arguments=_check_seed_locations,
    )


def _add_seed_locations(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed-locations", type=int, default=10, help="locations created before the GET runs"
    )


def _check_seed_locations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not 0 <= args.seed_locations <= 200:
        parser.error("--seed-locations must be in [0, 200]")


def location_body(tag: str) -> dict[str, Any]:
    """The body of each POST, to Tillpoint and the baseline alike: a unique name per request."""
    return {
        "name": f"Bench {tag}",
        "address": {"city": "Springfield", "country": "US"},
        "timezone": "America/Chicago",
    }


def seed_locations(server: Server, api_key: str, count: int) -> None:
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        for i in range(count):
            response = client.post(
                "/v1/locations",
                json={"name": f"Seed store {i + 1:02d}", "address": {"country": "US"}},
            )
            if response.status_code != 201:
                raise BenchError(
                    f"seeding a location failed: {response.status_code} {response.text[:500]}"
                )
        listing = client.get("/v1/locations", params={"pageSize": 50})
        if listing.status_code != 200 or listing.json().get("total") != count:
            raise BenchError(f"listing seeded locations failed: {listing.text[:500]}")


def scenarios(tillpoint: Server, baseline: Server, api_key: str) -> list[Scenario]:
    # The GETs run before the POSTs, so the listing sees only the seeded locations.
    auth = {"authorization": f"Bearer {api_key}"}
    return [
        Scenario(
            "tillpoint-get",
            "Tillpoint GET",
            "tillpoint",
            "GET",
            f"{tillpoint.base_url}/v1/locations?pageSize=50",
            200,
            auth,
        ),
        Scenario(
            "baseline-get", "baseline GET", "baseline", "GET", f"{baseline.base_url}/v1/items", 200
        ),
        Scenario(
            "tillpoint-post",
            "Tillpoint POST",
            "tillpoint",
            "POST",
            f"{tillpoint.base_url}/v1/locations",
            201,
            auth,
            json_body=location_body,
        ),
        Scenario(
            "baseline-post",
            "baseline POST",
            "baseline",
            "POST",
            f"{baseline.base_url}/v1/items",
            201,
            json_body=location_body,
        ),
    ]


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    admin_url = admin_url_from_env()
    idle_check = busy_before_start()
    run_id = secrets.token_hex(4)
    work = temporary_directory(stack)
    database = create_database(stack, admin_url, run_id)

    env = server_env(database.url, work / "data", args.server_env)
    tp_port, base_port = free_port(), free_port()
    tillpoint = start_server(
        stack, "tillpoint", serve_command(tp_port, args.workers), tp_port, env, work
    )
    baseline = start_server(
        stack,
        "baseline",
        uvicorn_command("bench.baseline_app:app", base_port, args.workers),
        base_port,
        environment_without_tillpoint_settings(),
        work,
    )
    wait_ready(tillpoint, "/readyz")
    wait_ready(baseline, "/healthz")
    console.print(
        f"tillpoint serve on {tillpoint.base_url}, baseline on {baseline.base_url} "
        f"({args.workers} worker{'s' if args.workers > 1 else ''} each)"
    )

    tenant, key = create_tenant_and_api_key(run_id, SCOPES, env)
    seed_locations(tillpoint, key["key"], args.seed_locations)
    console.print(
        f"tenant {tenant['tenantId']}, API key {key['apiKeyId']}, {args.seed_locations} locations"
    )

    started = dt.datetime.now(dt.UTC)
    results = run_scenarios(
        stack,
        scenarios(tillpoint, baseline, key["key"]),
        {"tillpoint": tillpoint, "baseline": baseline},
        args,
        run_id,
        database.name,
    )
    ratios = {
        kind: throughput_ratio(results, f"tillpoint-{kind}", f"baseline-{kind}")
        for kind in ("get", "post")
    }

    print_report(
        results,
        title="Tillpoint /v1/locations vs bare FastAPI (same run, same machine)",
        ratios={"GET": ratios["get"], "POST": ratios["post"]},
        endpoints="Endpoints: Tillpoint GET /v1/locations?pageSize=50 and POST /v1/locations "
        "(API key), baseline GET and POST /v1/items.",
    )
    write_results(
        args.output,
        benchmark=BENCHMARK,
        started=started,
        config={
            "seconds": args.seconds,
            "warmupSeconds": args.warmup,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "clients": args.clients,
            "seedLocations": args.seed_locations,
            "serverEnv": args.server_env,
            "rateLimitPerMinute": BENCH_RATE_LIMIT,
        },
        machine=machine_info(database.server_version, idle_check),
        scenarios=results,
        ratios={
            "tillpointOverBaselineGet": ratios["get"],
            "tillpointOverBaselinePost": ratios["post"],
        },
    )
    errors = sum(r["errors"] for r in results)
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_with_cleanup(functools.partial(run, args))


if __name__ == "__main__":
    sys.exit(main())
