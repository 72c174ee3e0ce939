"""Webhook delivery: events delivered per second and commit → receipt delay, against the
receiver's own ceiling measured in the same run.

Run from the repository root::

    python -m bench.webhooks [--worker-counts 1,4] [--subscriptions 1,8] [--backlog 2000]
                             [--rate 10] [--seconds 10]

It creates a throw-away PostgreSQL database, starts a real ``tillpoint serve`` on it that runs
no jobs itself (``TILLPOINT_RUN_JOBS_IN_PROCESS=false``) and a local receiver
(``bench/webhooks_receiver.py``, uvicorn) that verifies every delivery with
``tillpoint.webhooks.verify`` and records its arrival. For each number of subscriptions and
each number of ``tillpoint worker`` processes: a backlog of ``--backlog`` deliveries is
committed with no worker running, the workers start and drain it (delivered/s); then, with the
workers still running, ``--rate`` events a second are committed for ``--warmup`` +
``--seconds`` and each one's delay from commit to receipt is taken (p50/p99). The baseline per
number of subscriptions replays the very bodies Tillpoint delivered, freshly signed, straight
to the same receiver, one sequential client per subscription. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import functools
import os
import secrets
import sys

from bench import webhooks_drive as drive
from bench.harness import ROOT, console
from bench.harness.cleanup import run_with_cleanup, temporary_directory
from bench.harness.cpu import busy_before_start
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.options import parse_arguments
from bench.harness.report import machine_info, write_results
from bench.harness.servers import (
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
from bench.webhooks_phases import EVENT_TYPES, Api, run_baseline, run_config
from bench.webhooks_report import print_tables

BENCHMARK = "webhooks"
RESULTS_FILE = ROOT / "bench" / "results" / f"{BENCHMARK}.json"
SCOPES = "settings:read,settings:write,webhooks:manage"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return parse_arguments(
        argv,
        prog=f"python -m bench.{BENCHMARK}",
        description="Benchmark webhook delivery by `tillpoint worker` processes to a local "
        "receiver (deliveries/s, commit → receipt delay) against the receiver's own ceiling. "
        "--seconds/--warmup time the steady-rate delay phase, --concurrency is the number of "
        "API clients committing the backlog, --workers the uvicorn workers of `tillpoint serve`.",
        output=RESULTS_FILE,
        add_scenario_arguments=_add_arguments,
        check_scenario_arguments=_check_arguments,
        defaults={"concurrency": 8, "seconds": 20},
    )


def _counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--worker-counts",
        type=_counts,
        default=[1, 4],
        help="tillpoint worker processes, comma-separated (default 1,4)",
    )
    add(
        "--subscriptions",
        type=_counts,
        default=[1, 8],
        help="subscriptions, comma-separated (default 1,8)",
    )
    add(
        "--worker-concurrency",
        type=int,
        default=4,
        help="`tillpoint worker --concurrency` (default %(default)s)",
    )
    add(
        "--backlog",
        type=int,
        default=2000,
        help="deliveries queued before the workers start: "
        "backlog/subscriptions events (default %(default)s)",
    )
    add(
        "--rate",
        type=float,
        default=5.0,
        help="events/s committed in the delay phase "
        "(default %(default)g); each goes to every subscription",
    )
    add(
        "--drain-timeout",
        type=float,
        default=300.0,
        help="longest wait for a backlog to be delivered (default %(default)g s)",
    )
    add(
        "--job-poll-seconds",
        type=float,
        default=None,
        help="TILLPOINT_JOB_POLL_SECONDS for the workers (default: Tillpoint's own)",
    )
    add(
        "--dispatch-poll-seconds",
        type=float,
        default=None,
        help="TILLPOINT_WEBHOOK_DISPATCH_POLL_SECONDS (default: Tillpoint's own)",
    )


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not args.worker_counts or not all(1 <= n <= 16 for n in args.worker_counts):
        parser.error("--worker-counts must be numbers in [1, 16]")
    if not args.subscriptions or not all(1 <= n <= 40 for n in args.subscriptions):
        parser.error("--subscriptions must be numbers in [1, 40]")
    if not 1 <= args.worker_concurrency <= 64:
        parser.error("--worker-concurrency must be in [1, 64]")
    if not 10 <= args.backlog <= 100_000:
        parser.error("--backlog must be in [10, 100000]")
    if not 0.1 <= args.rate <= 500:
        parser.error("--rate must be in [0.1, 500]")
    if not 1 <= args.drain_timeout <= 3600:
        parser.error("--drain-timeout must be in [1, 3600]")
    for name in ("job_poll_seconds", "dispatch_poll_seconds"):
        value = getattr(args, name)
        if value is not None and not 0.01 <= value <= 60:
            parser.error(f"--{name.replace('_', '-')} must be in [0.01, 60]")


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    admin_url = admin_url_from_env()
    idle_check = busy_before_start()
    run_id = secrets.token_hex(4)
    work = temporary_directory(stack)
    database = create_database(stack, admin_url, run_id)

    env = server_env(database.url, work / "data", args.server_env)
    env.update(
        TILLPOINT_WEBHOOK_ALLOW_PRIVATE="true",
        TILLPOINT_SECRET_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
    )
    if args.job_poll_seconds is not None:
        env["TILLPOINT_JOB_POLL_SECONDS"] = str(args.job_poll_seconds)
    if args.dispatch_poll_seconds is not None:
        env["TILLPOINT_WEBHOOK_DISPATCH_POLL_SECONDS"] = str(args.dispatch_poll_seconds)
    serve_env = {**env, "TILLPOINT_RUN_JOBS_IN_PROCESS": "false"}
    port, receiver_port = free_port(), free_port()
    tillpoint = start_server(
        stack, "tillpoint", serve_command(port, args.workers), port, serve_env, work
    )
    receiver_server = start_server(
        stack,
        "receiver",
        uvicorn_command("bench.webhooks_receiver:app", receiver_port, 1),
        receiver_port,
        environment_without_tillpoint_settings(),
        work,
    )
    wait_ready(tillpoint, "/readyz")
    wait_ready(receiver_server, "/healthz")
    receiver = drive.Receiver(receiver_server)
    stack.callback(receiver.client.close)
    tenant, key = create_tenant_and_api_key(run_id, SCOPES, env)
    api = Api(tillpoint, key["key"])
    stack.callback(api.client.close)
    console.print(
        f"tillpoint serve on {tillpoint.base_url} (jobs off), receiver on "
        f"{receiver_server.base_url}; tenant {tenant['tenantId']}"
    )
    ctx = {
        "args": args,
        "api": api,
        "receiver": receiver,
        "stack": stack,
        "env": env,
        "work": work,
        "tillpoint": tillpoint,
        "base_url": tillpoint.base_url,
        "key": key["key"],
        "run_id": run_id,
        "database": database.name,
        "cpus": os.cpu_count() or 1,
    }

    started = dt.datetime.now(dt.UTC)
    drains, delays = [], []
    for subs in args.subscriptions:
        captured: tuple[dict[str, list[str]], dict[str, str]] | None = None
        for workers in args.worker_counts:
            drained, delay, bodies, by_path = run_config(ctx, workers, subs)
            drains.append(drained)
            delays.append(delay)
            if captured is None and drained["complete"]:
                captured = (bodies, by_path)
        if captured is None:
            console.print(f"[red]no complete backlog for {subs} subscription(s): no ceiling[/]")
            continue
        base_drained, base_delay = run_baseline(ctx, subs, *captured)
        drains.append(base_drained)
        delays.append(base_delay)

    ratios = {}
    for result in drains:
        ceiling = next(
            (r for r in drains if r["scenario"] == f"baseline-s{result['subscriptions']}"),
            None,
        )
        ours, theirs = result["deliveredPerSec"], ceiling and ceiling["deliveredPerSec"]
        result["ratioToCeiling"] = round(ours / theirs, 4) if ours and theirs else None
        if result["workers"] is not None:
            ratios[f"{result['scenario']}OverCeiling"] = result["ratioToCeiling"]

    print_tables(drains, delays, args, idle_check)
    write_results(
        args.output,
        benchmark=BENCHMARK,
        started=started,
        config={
            "workerCounts": args.worker_counts,
            "subscriptions": args.subscriptions,
            "workerConcurrency": args.worker_concurrency,
            "backlogDeliveries": args.backlog,
            "ratePerSec": args.rate,
            "seconds": args.seconds,
            "warmupSeconds": args.warmup,
            "backlogClients": args.concurrency,
            "serveWorkers": args.workers,
            "jobPollSeconds": args.job_poll_seconds,
            "dispatchPollSeconds": args.dispatch_poll_seconds,
            "eventTypes": EVENT_TYPES,
            "serverEnv": args.server_env,
            "rateLimitPerMinute": BENCH_RATE_LIMIT,
        },
        machine=machine_info(database.server_version, idle_check),
        scenarios=drains,
        ratios=ratios,
        extra={"delays": delays},
    )
    incomplete = [r for r in drains + delays if not r.get("complete", True)]
    return 1 if incomplete else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_with_cleanup(functools.partial(run, args))


if __name__ == "__main__":
    sys.exit(main())
