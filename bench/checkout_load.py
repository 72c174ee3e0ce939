"""Checkout load: a checkout (create a 3-line order, then pay it by card) timed as one unit.

The harness's ``Scenario`` times single requests; here each virtual user loops over whole
checkouts — two HTTP requests on its own keep-alive connection for Tillpoint, two raw asyncpg
transactions on a pooled connection for the ceiling. The rest is the harness's: ``--warmup``
then ``--seconds`` at ``--concurrency`` users over ``--clients`` spawned processes, a checkout
counts when it *completes* inside the measured window, ``latency_stats``, ``cpu_sample`` and
``cpu_shares``. The result dicts have the harness's shape (``reqPerSec`` is checkouts/s), so
``print_report`` and ``write_results`` take them as they are.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

from bench.harness import BenchError, console
from bench.harness.cpu import cpu_sample, cpu_shares
from bench.harness.errors import ErrorLog, Failure, failed_request, failed_response, merge
from bench.harness.load import REQUEST_TIMEOUT_S, START_DELAY_S, latency_stats

LINES_PER_ORDER = 3
# No process has this parent id: a CPU sample with it counts no server (the ceiling has none).
NO_SERVER_PID = -1


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    kind: str  # "http" (Tillpoint) or "raw" (asyncpg)
    location_id: str
    skus: tuple[str, ...]
    base_urls: tuple[str, ...] = ()  # http: one per server process, users spread over them
    api_key: str = ""  # http
    database_url: str = ""  # raw
    tenant_id: str = ""  # raw


def open_pool(stack: contextlib.ExitStack, clients: int) -> Any:
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(clients, initializer=_ignore_sigint)
    stack.callback(pool.join)
    stack.callback(pool.terminate)
    return pool


def run_checkouts(
    pool: Any,
    target: Target,
    args: argparse.Namespace,
    run_id: str,
    database: str,
    servers: list[Any],
) -> dict[str, Any]:
    """Load ``target`` with checkouts; one result dict in the harness's shape."""
    console.print(
        f"… {target.label}: {args.warmup:g}s warm-up + {args.seconds:g}s at "
        f"concurrency {args.concurrency}"
    )
    shares = [
        args.concurrency // args.clients + (1 if i < args.concurrency % args.clients else 0)
        for i in range(args.clients)
    ]
    start_at = time.time() + START_DELAY_S + (2.0 if target.kind == "raw" else 0.0)
    jobs = [
        {
            "client": i,
            "tasks": share,
            "first_user": sum(shares[:i]),
            "start_at": start_at,
            "warmup": args.warmup,
            "seconds": args.seconds,
            "target": target,
            "max_checkouts": args.max_requests // args.clients,
            "run_id": run_id,
        }
        for i, share in enumerate(shares)
    ]
    pending = pool.map_async(run_load, jobs)
    server_pids = [server.proc.pid for server in servers] or [NO_SERVER_PID]
    time.sleep(max(0.0, start_at + args.warmup - time.time()))
    before = cpu_sample(server_pids, database)
    time.sleep(max(0.0, start_at + args.warmup + args.seconds - time.time()))
    after = cpu_sample(server_pids, database)
    parts: list[dict[str, Any]] = pending.get(timeout=2 * REQUEST_TIMEOUT_S + 60)
    for server in servers:
        if server.proc.poll() is not None:
            raise BenchError(f"{server.name} died during {target.label}:\n{server.log_tail()}")

    def merged(name: str) -> list[float]:
        return sorted(x for part in parts for x in part[name])

    latencies = merged("latencies")
    errors: Counter[str] = Counter()
    for part in parts:
        errors.update(part["errors"])
    cpu = cpu_shares(before, after, sum(p["cpu_seconds"] for p in parts), args.seconds)
    if not servers:
        cpu["serverCpuPct"] = None  # the asyncpg program is the load generator itself
    return {
        "scenario": target.key,
        "label": target.label,
        "target": target.kind,
        "method": "POST+POST" if target.kind == "http" else "2 transactions",
        "url": " ".join(f"{u}/v1/orders" for u in target.base_urls) or "asyncpg",
        "seconds": args.seconds,
        "requests": len(latencies),
        "reqPerSec": round(len(latencies) / args.seconds, 1),
        "latencyMs": latency_stats(latencies),
        "createLatencyMs": latency_stats(merged("create")),
        "payLatencyMs": latency_stats(merged("pay")),
        "errors": sum(errors.values()),
        "errorKinds": dict(errors),
        "errorDetails": merge(part["error_details"] for part in parts),
        "cpu": cpu,
    }


def _ignore_sigint() -> None:
    # The parent handles Ctrl-C and terminates the pool; workers stay quiet meanwhile.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_load(job: dict[str, Any]) -> dict[str, Any]:
    """One load-generator process: its share of the concurrency for one target."""
    return asyncio.run(_drive(job))


def basket(skus: tuple[str, ...]) -> list[tuple[str, int]]:
    """Three different random products, 1 to 3 of each."""
    return [(sku, random.randint(1, 3)) for sku in random.sample(skus, LINES_PER_ORDER)]


def order_body(location_id: str, skus: tuple[str, ...]) -> dict[str, Any]:
    """A checkout's ``POST /v1/orders`` body: a random basket at the location."""
    return {
        "locationId": location_id,
        "lineItems": [{"sku": s, "quantity": q} for s, q in basket(skus)],
    }


def payment_body(order: Any, processor_ref: str) -> dict[str, Any]:
    """A checkout's ``POST /v1/orders/{id}/payments`` body: the balance due, by card."""
    return {
        "tenderType": "credit_card",
        "amount": order["totals"]["balanceDue"],
        "cardLast4": "4242",
        "cardBrand": "visa",
        "processorRef": processor_ref,
    }


class _HttpCheckout:
    """Tillpoint: POST /v1/orders, then POST /v1/orders/{id}/payments for the balance due."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.stack = contextlib.AsyncExitStack()
        self.headers = {"authorization": f"Bearer {target.api_key}"}

    async def client(self, user: int) -> httpx.AsyncClient:
        # One keep-alive connection per virtual user, as the harness does (cheapest client);
        # the users take the server processes in turn.
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        urls = self.target.base_urls
        return await self.stack.enter_async_context(
            httpx.AsyncClient(
                base_url=urls[user % len(urls)],
                headers=self.headers,
                limits=limits,
                timeout=REQUEST_TIMEOUT_S,
                trust_env=False,
            )
        )

    async def create(self, client: httpx.AsyncClient, _tag: str) -> tuple[Any, Failure | None]:
        body = order_body(self.target.location_id, self.target.skus)
        response = await client.post("/v1/orders", json=body)
        if response.status_code != 201:
            return None, failed_response("create", response)
        return response.json(), None

    async def pay(self, client: httpx.AsyncClient, order: Any, tag: str) -> Failure | None:
        body = payment_body(order, f"ch_{tag}")
        response = await client.post(f"/v1/orders/{order['orderId']}/payments", json=body)
        if response.status_code != 201:
            return failed_response("pay", response)
        if response.json()["order"]["status"] != "completed":
            return failed_response("pay", response, "order not completed")
        return None


class _RawCheckout:
    """The ceiling: the same checkout as two raw asyncpg transactions (``checkout_raw``)."""

    def __init__(self, target: Target, tasks: int) -> None:
        self.target, self.tasks = target, tasks
        self.stack = contextlib.AsyncExitStack()
        self.pool: Any = None
        self.shop: Any = None

    async def client(self, _user: int) -> Any:
        from bench import checkout_raw

        if self.pool is None:
            import asyncpg

            self.pool = await asyncpg.create_pool(
                self.target.database_url, min_size=self.tasks, max_size=self.tasks
            )
            self.stack.push_async_callback(self.pool.close)
            async with self.pool.acquire() as conn:
                self.shop = await checkout_raw.load_shop(
                    conn, self.target.tenant_id, self.target.location_id
                )
        return self.pool

    async def create(self, pool: Any, _tag: str) -> tuple[Any, Failure | None]:
        from bench import checkout_raw

        async with pool.acquire() as conn:
            return await checkout_raw.create(conn, self.shop, basket(self.target.skus)), None

    async def pay(self, pool: Any, order: Any, _tag: str) -> Failure | None:
        from bench import checkout_raw

        async with pool.acquire() as conn:
            await checkout_raw.pay(conn, self.shop, order[0], order[1])
        return None


async def _drive(job: dict[str, Any]) -> dict[str, Any]:
    target: Target = job["target"]
    tasks_here: int = job["tasks"]
    measure_from: float = job["start_at"] + job["warmup"]
    measure_to: float = measure_from + job["seconds"]
    budget = [int(job["max_checkouts"])]
    found: dict[str, list[float]] = {"latencies": [], "create": [], "pay": []}
    errors: Counter[str] = Counter()
    error_log = ErrorLog()
    cpu = {"from": 0.0, "to": 0.0}
    checkout: Any = (
        _HttpCheckout(target) if target.kind == "http" else _RawCheckout(target, tasks_here)
    )

    async with checkout.stack:
        clients = [await checkout.client(job["first_user"] + i) for i in range(tasks_here)]

        async def user(task: int) -> None:
            client = clients[task]
            sent = 0
            while budget[0] > 0 and time.time() < measure_to:
                budget[0] -= 1
                sent += 1
                tag = f"{job['run_id']}c{job['client']}t{task}n{sent}"
                started = time.perf_counter()
                error: Failure | None = None
                created_ms = 0.0
                operation = "create"
                try:
                    order, error = await asyncio.wait_for(
                        checkout.create(client, tag), REQUEST_TIMEOUT_S
                    )
                    created_ms = (time.perf_counter() - started) * 1000
                    if error is None:
                        operation = "pay"
                        error = await asyncio.wait_for(
                            checkout.pay(client, order, tag), REQUEST_TIMEOUT_S
                        )
                except Exception as exc:  # no answer (timeout…), a raw transaction failed…
                    error = failed_request(operation, exc)
                elapsed_ms = (time.perf_counter() - started) * 1000
                if measure_from <= time.time() <= measure_to:
                    if error is None:
                        found["latencies"].append(elapsed_ms)
                        found["create"].append(created_ms)
                        found["pay"].append(elapsed_ms - created_ms)
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
        **found,
        "errors": dict(errors),
        "error_details": error_log.as_list(),
        "cpu_seconds": cpu["to"] - cpu["from"],
    }
