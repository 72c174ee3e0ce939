"""Time-bounded load at a fixed concurrency, and the latency statistics of what came back.

Each scenario runs for ``--warmup`` seconds (not measured) and then ``--seconds``, with
``--concurrency`` virtual users spread over ``--clients`` load-generator processes (a ``spawn``
pool, so whatever a ``Scenario`` refers to must be picklable: ``json_body`` is a module-level
function). A request counts when it *completes* inside the measured window; only responses
with the expected status count as requests, anything else is an error, listed by kind. Loops
are bounded by the window and by ``--max-requests``, requests by ``REQUEST_TIMEOUT_S``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.harness import BenchError, console
from bench.harness.cpu import cpu_sample, cpu_shares
from bench.harness.errors import ErrorLog, Failure, failed_request, failed_response, merge
from bench.harness.servers import Server

REQUEST_TIMEOUT_S = 30.0
START_DELAY_S = 0.5


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    target: str  # the name of the server it loads, a key of the ``servers`` given to run_scenarios
    kind: str  # the HTTP method, "GET" or "POST"
    url: str
    expected_status: int
    headers: dict[str, str] = field(default_factory=dict)
    # The JSON body of each request, made from a tag unique to that request (None: no body).
    json_body: Callable[[str], Any] | None = None
    # The URL of each request, made from that same tag (None: always ``url``), e.g. a random
    # barcode per request; a module-level function or a ``functools.partial`` of one.
    url_for: Callable[[str], str] | None = None


def run_scenarios(
    stack: contextlib.ExitStack,
    scenarios: list[Scenario],
    servers: dict[str, Server],
    args: argparse.Namespace,
    run_id: str,
    database: str,
) -> list[dict[str, Any]]:
    """Run ``scenarios`` in order, ``--pause`` seconds apart; one result dict each."""
    results: list[dict[str, Any]] = []
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(args.clients, initializer=_ignore_sigint)
    stack.callback(pool.join)
    stack.callback(pool.terminate)
    for scenario in scenarios:
        server = servers[scenario.target]
        console.print(
            f"… {scenario.label}: {args.warmup:g}s warm-up + {args.seconds:g}s at "
            f"concurrency {args.concurrency}"
        )
        result = run_scenario(pool, scenario, args, run_id, server, database)
        if server.proc.poll() is not None:
            raise BenchError(f"{server.name} died during {scenario.label}:\n{server.log_tail()}")
        results.append(result)
        time.sleep(args.pause)
    return results


def run_scenario(
    pool: Any,
    scenario: Scenario,
    args: argparse.Namespace,
    run_id: str,
    server: Server,
    database: str,
) -> dict[str, Any]:
    shares = [
        args.concurrency // args.clients + (1 if i < args.concurrency % args.clients else 0)
        for i in range(args.clients)
    ]
    start_at = time.time() + START_DELAY_S
    jobs = [
        {
            "client": i,
            "tasks": share,
            "start_at": start_at,
            "warmup": args.warmup,
            "seconds": args.seconds,
            "method": scenario.kind,
            "url": scenario.url,
            "headers": scenario.headers,
            "json_body": scenario.json_body,
            "url_for": scenario.url_for,
            "expected_status": scenario.expected_status,
            "max_requests": args.max_requests // args.clients,
            "run_id": run_id,
        }
        for i, share in enumerate(shares)
    ]
    pending = pool.map_async(run_load, jobs)
    time.sleep(max(0.0, start_at + args.warmup - time.time()))
    before = cpu_sample(server.proc.pid, database)
    time.sleep(max(0.0, start_at + args.warmup + args.seconds - time.time()))
    after = cpu_sample(server.proc.pid, database)
    parts: list[dict[str, Any]] = pending.get(timeout=REQUEST_TIMEOUT_S + 60)

    latencies = sorted(x for part in parts for x in part["latencies"])
    errors: Counter[str] = Counter()
    for part in parts:
        errors.update(part["errors"])
    loadgen_cpu = sum(part["cpu_seconds"] for part in parts)
    ok = len(latencies)
    return {
        "scenario": scenario.key,
        "label": scenario.label,
        "target": scenario.target,
        "method": scenario.kind,
        "url": scenario.url,
        "seconds": args.seconds,
        "requests": ok,
        "reqPerSec": round(ok / args.seconds, 1),
        "latencyMs": latency_stats(latencies),
        "errors": sum(errors.values()),
        "errorKinds": dict(errors),
        "errorDetails": merge(part["error_details"] for part in parts),
        "cpu": cpu_shares(before, after, loadgen_cpu, args.seconds),
    }


def latency_stats(ordered: list[float]) -> dict[str, float | None]:
    """Mean, p50, p90, p99 and max of sorted latencies (ms); ``None`` when there are none."""
    return {
        "mean": round(sum(ordered) / len(ordered), 3) if ordered else None,
        "p50": _round(percentile(ordered, 0.50)),
        "p90": _round(percentile(ordered, 0.90)),
        "p99": _round(percentile(ordered, 0.99)),
        "max": _round(ordered[-1] if ordered else None),
    }


def percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _ignore_sigint() -> None:
    # The parent handles Ctrl-C and terminates the pool; workers stay quiet meanwhile.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_load(job: dict[str, Any]) -> dict[str, Any]:
    """One load-generator process: its share of the concurrency for one scenario."""
    return asyncio.run(_drive(job))


async def _drive(job: dict[str, Any]) -> dict[str, Any]:
    tasks_here: int = job["tasks"]
    measure_from: float = job["start_at"] + job["warmup"]
    measure_to: float = measure_from + job["seconds"]
    method: str = job["method"]
    json_body: Callable[[str], Any] | None = job["json_body"]
    url_for: Callable[[str], str] | None = job["url_for"]
    expected: int = job["expected_status"]
    budget = [int(job["max_requests"])]
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    error_log = ErrorLog()
    cpu = {"from": 0.0, "to": 0.0}
    headers = dict(job["headers"])
    if json_body is not None:
        headers["content-type"] = "application/json"

    # One client (one keep-alive connection) per virtual user: a single AsyncClient whose pool
    # holds all the connections costs about three times more client CPU per request, and the
    # load generator shares the machine's two cores with the server under test.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as clients:
        pool = [
            await clients.enter_async_context(
                httpx.AsyncClient(
                    headers=headers, limits=limits, timeout=REQUEST_TIMEOUT_S, trust_env=False
                )
            )
            for _ in range(tasks_here)
        ]

        async def user(task: int) -> None:
            client = pool[task]
            sent = 0
            while budget[0] > 0 and time.time() < measure_to:
                budget[0] -= 1
                sent += 1
                body = None
                tag = f"{job['run_id']} c{job['client']}-t{task}-{sent}"
                if json_body is not None:
                    body = json.dumps(json_body(tag)).encode()
                url = job["url"] if url_for is None else url_for(tag)
                started = time.perf_counter()
                error: Failure | None = None
                try:
                    response = await client.request(method, url, content=body)
                    if response.status_code != expected:
                        error = failed_response(method, response)
                except httpx.HTTPError as exc:
                    error = failed_request(method, exc)
                elapsed_ms = (time.perf_counter() - started) * 1000
                if measure_from <= time.time() <= measure_to:
                    if error is None:
                        latencies.append(elapsed_ms)
                    else:
                        errors[error.name] += 1
                        error_log.add(error)

        async def cpu_meter() -> None:
            await asyncio.sleep(max(0.0, measure_from - time.time()))
            cpu["from"] = time.process_time()
            await asyncio.sleep(max(0.0, measure_to - time.time()))
            cpu["to"] = time.process_time()

        await asyncio.sleep(max(0.0, job["start_at"] - time.time()))
        await asyncio.gather(cpu_meter(), *(user(i) for i in range(tasks_here)))

    return {
        "latencies": latencies,
        "errors": dict(errors),
        "error_details": error_log.as_list(),
        "cpu_seconds": cpu["to"] - cpu["from"],
    }
