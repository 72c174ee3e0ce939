"""The moving parts of ``bench.webhooks``: the receiver's control API, the event producers,
the ``tillpoint worker`` processes, the baseline client, CPU snapshots and the figures.

Events are ``location.created``: one ``POST /v1/locations`` commits exactly one event, and the
response carries the location's id, which the event's ``data.locationId`` repeats, so each received
delivery is matched to the API call that committed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness import BenchError
from bench.harness.cpu import CpuSample, cpu_sample
from bench.harness.load import latency_stats
from bench.harness.servers import Server, start_server, stop_server
from bench.harness.tillpoint import tillpoint_executable
from tillpoint.webhooks.verify import compute_signature

REQUEST_TIMEOUT_S = 30.0


class Receiver:
    """The control side of ``bench/webhooks_receiver.py``."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client = httpx.Client(base_url=server.base_url, timeout=60, trust_env=False)

    def url(self, index: int) -> str:
        return f"{self.server.base_url}{self.path(index)}"

    @staticmethod
    def path(index: int) -> str:
        return f"/hook/{index}"

    def set_secrets(self, secrets: dict[str, str]) -> None:
        self.client.post("/_bench/secrets", json=secrets).raise_for_status()

    def reset(self, *, keep_bodies: bool) -> None:
        self.client.post("/_bench/reset", json={"keepBodies": keep_bodies}).raise_for_status()

    def stats(self) -> dict[str, int]:
        response = self.client.get("/_bench/stats")
        response.raise_for_status()
        stats: dict[str, int] = response.json()
        return stats

    def records(self) -> list[dict[str, Any]]:
        response = self.client.get("/_bench/records")
        response.raise_for_status()
        document = response.json()
        if document["invalid"]:
            raise BenchError(f"the receiver rejected deliveries: {document['invalid']}")
        return [dict(zip(document["fields"], row, strict=True)) for row in document["records"]]


# ---------------------------------------------------------------------------------- producers


async def produce_backlog(
    base_url: str, api_key: str, count: int, concurrency: int, tag: str
) -> list[str]:
    """``count`` locations created over the API by ``concurrency`` clients: their ids."""
    ids: list[str] = []
    numbers = iter(range(count))

    async def user() -> None:
        async with _api_client(base_url, api_key) as client:
            for n in numbers:
                ids.append(await _create_location(client, f"{tag} {n}"))

    await asyncio.gather(*(user() for _ in range(min(concurrency, count))))
    return ids


@dataclass
class Produced:
    location_id: str
    sent: float  # time.time() just before the request
    acked: float  # time.time() once the 201 was read: the event was committed before this
    measured: bool  # False during the warm-up


async def produce_steady(
    base_url: str, api_key: str, rate: float, warmup: float, seconds: float, tag: str
) -> list[Produced]:
    """One event every ``1/rate`` seconds for ``warmup + seconds``, on a fixed schedule (a call
    that runs late is followed at once by the next due one, so the rate holds on average)."""
    produced: list[Produced] = []
    start = time.time() + 0.2
    measure_from, end = start + warmup, start + warmup + seconds
    async with _api_client(base_url, api_key) as client:
        for n in itertools.count():
            due = start + n / rate
            if due >= end:
                break
            await asyncio.sleep(max(0.0, due - time.time()))
            sent = time.time()
            location_id = await _create_location(client, f"{tag} {n}")
            produced.append(Produced(location_id, sent, time.time(), due >= measure_from))
    return produced


def _api_client(base_url: str, api_key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"authorization": f"Bearer {api_key}"},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=REQUEST_TIMEOUT_S,
        trust_env=False,
    )


async def _create_location(client: httpx.AsyncClient, name: str) -> str:
    response = await client.post("/v1/locations", json={"name": name[:100]})
    if response.status_code != 201:
        raise BenchError(f"POST /v1/locations: {response.status_code} {response.text[:300]}")
    location_id: str = response.json()["locationId"]
    return location_id


# ---------------------------------------------------------------------------------- workers


def start_workers(
    stack: contextlib.ExitStack,
    count: int,
    concurrency: int,
    env: dict[str, str],
    logs: Path,
    label: str,
) -> list[Server]:
    """``count`` ``tillpoint worker`` processes, each in its own process group (stopped when
    ``stack`` closes if not before)."""
    cmd = [tillpoint_executable(), "worker", "--concurrency", str(concurrency)]
    cmd += ["--grace-seconds", "5"]
    return [start_server(stack, f"worker-{label}-{i + 1}", cmd, 0, env, logs) for i in range(count)]


def stop_workers(workers: list[Server]) -> None:
    for worker in workers:
        stop_server(worker)


def log_warnings(servers: list[Server], limit: int = 50) -> list[str]:
    """Warning, error and traceback lines from the workers' logs (they log at WARNING)."""
    lines = []
    for server in servers:
        try:
            text = server.log_path.read_text(errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            if any(word in line for word in ("WARNING", "ERROR", "Traceback", "Error:")):
                lines.append(f"{server.name}: {line[:300]}")
    return lines[:limit]


def check_alive(servers: list[Server]) -> None:
    for server in servers:
        if server.proc.poll() is not None:
            raise BenchError(
                f"{server.name} exited with status {server.proc.returncode}:\n{server.log_tail()}"
            )


def wait_received(
    receiver: Receiver, expected: int, timeout: float, watch: list[Server]
) -> tuple[bool, float]:
    """Poll the receiver until ``expected`` distinct deliveries arrived: (all came, waited s)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        check_alive(watch)
        if receiver.stats()["unique"] >= expected:
            return True, time.monotonic() - started
        time.sleep(0.1)
    return receiver.stats()["unique"] >= expected, time.monotonic() - started


# ---------------------------------------------------------------------------------- baseline


@dataclass
class Sent:
    path: str
    event_id: str
    sent: float


async def replay_signed(
    receiver_url: str, bodies: dict[str, list[str]], secrets: dict[str, str]
) -> list[Sent]:
    """The baseline: per path, one sequential client POSTing that path's bodies (as Tillpoint
    sent them) in order, each freshly signed with the path's secret and Tillpoint's headers."""
    sent: list[Sent] = []

    async def one_subscription(path: str, items: list[str]) -> None:
        async with httpx.AsyncClient(
            base_url=receiver_url,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=REQUEST_TIMEOUT_S,
            trust_env=False,
        ) as client:
            for text in items:
                body = text.encode("latin-1")
                event_id = _event_id(text)
                timestamp = int(time.time())
                headers = {
                    "content-type": "application/json",
                    "user-agent": "Tillpoint-Webhooks/1",
                    "tillpoint-event-id": event_id,
                    "tillpoint-timestamp": str(timestamp),
                    "tillpoint-signature": (
                        f"t={timestamp},v1={compute_signature(secrets[path], timestamp, body)}"
                    ),
                }
                started = time.time()
                response = await client.post(path, content=body, headers=headers)
                if response.status_code // 100 != 2:
                    raise BenchError(f"baseline POST {path}: {response.status_code}")
                sent.append(Sent(path, event_id, started))

    await asyncio.gather(*(one_subscription(path, items) for path, items in bodies.items()))
    return sent


def _event_id(text: str) -> str:
    event_id: str = json.loads(text)["id"]
    return event_id


# ---------------------------------------------------------------------------------- CPU


@dataclass
class Snapshot:
    at: float
    groups: dict[str, dict[int, float]]  # group → pid → CPU seconds (process trees)
    postgres: dict[int, float]
    bench: float  # this process's CPU seconds (producer, baseline client)
    machine_busy: float
    machine_total: float


def snapshot(groups: dict[str, list[Server]], database: str) -> Snapshot | None:
    trees: dict[str, dict[int, float]] = {}
    last: CpuSample | None = None
    for name, servers in groups.items():
        tree: dict[int, float] = {}
        for server in servers:
            sample = cpu_sample(server.proc.pid, database)
            if sample is None:
                return None
            tree.update(sample.server)
            last = sample
        trees[name] = tree
    if last is None:
        return None
    return Snapshot(
        time.monotonic(),
        trees,
        last.postgres,
        time.process_time(),
        last.machine_busy,
        last.machine_total,
    )


def cpu_shares(before: Snapshot | None, after: Snapshot | None, cpus: int) -> dict[str, Any]:
    """% of one core per group over the window, plus postgres, bench and the rest."""
    if before is None or after is None or after.at <= before.at:
        return {}
    wall = after.at - before.at

    def used(a: dict[int, float], b: dict[int, float]) -> float:
        return sum(cpu - a.get(pid, 0.0) for pid, cpu in b.items())

    shares = {
        name: round(100 * used(before.groups.get(name, {}), tree) / wall, 1)
        for name, tree in after.groups.items()
    }
    shares["postgres"] = round(100 * used(before.postgres, after.postgres) / wall, 1)
    shares["bench"] = round(100 * (after.bench - before.bench) / wall, 1)
    total = after.machine_total - before.machine_total
    if total > 0:
        machine = 100 * (after.machine_busy - before.machine_busy) / total * cpus
        shares["other"] = round(max(0.0, machine - sum(shares.values())), 1)
    return shares


# ---------------------------------------------------------------------------------- figures


def throughput(records: list[dict[str, Any]], expected: int, started: float) -> dict[str, Any]:
    """Distinct deliveries received, their rate between the first and the last arrival, the
    rate from ``started`` (the workers' start) to the last, repeats, and per-path order."""
    first: dict[tuple[str, str], float] = {}
    for record in records:
        first.setdefault((record["path"], record["eventId"]), record["arrivedAt"])
    arrivals = sorted(first.values())
    unique = len(arrivals)
    span = arrivals[-1] - arrivals[0] if unique > 1 else 0.0
    return {
        "expected": expected,
        "received": unique,
        "repeats": len(records) - unique,
        "deliveredPerSec": round((unique - 1) / span, 1) if span > 0 else None,
        "firstToLastSeconds": round(span, 3),
        "startToFirstSeconds": round(arrivals[0] - started, 3) if arrivals else None,
        "deliveredPerSecFromStart": (
            round(unique / (arrivals[-1] - started), 1) if arrivals else None
        ),
        "inSeqOrderPerSubscription": in_order(records),
        "connections": len({r["port"] for r in records}),
    }


def in_order(records: list[dict[str, Any]]) -> bool:
    """Each path's first arrivals came in increasing ``seq`` (arrival order)."""
    last: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for record in sorted(records, key=lambda r: r["arrivedAt"]):
        key = (record["path"], record["eventId"])
        if key in seen:
            continue
        seen.add(key)
        if record["seq"] <= last.get(record["path"], -1):
            return False
        last[record["path"]] = record["seq"]
    return True


def delays(records: list[dict[str, Any]], produced: list[Produced], paths: int) -> dict[str, Any]:
    """Per measured event and path, the first arrival minus the 201's receipt (the commit came
    before it), minus the request's start, and minus the event's ``occurredAt``."""
    by_location = {p.location_id: p for p in produced if p.measured}
    from_ack, from_sent, from_occurred = [], [], []
    timeline: list[tuple[float, str, float]] = []  # (committed at, path, delay ms)
    seen: set[tuple[str, str]] = set()
    for record in sorted(records, key=lambda r: r["arrivedAt"]):
        made = by_location.get(record["subjectId"])
        key = (record["path"], record["eventId"])
        if made is None or key in seen:
            continue
        seen.add(key)
        arrived = record["arrivedAt"]
        from_ack.append(1000 * (arrived - made.acked))
        timeline.append((made.acked, record["path"], from_ack[-1]))
        from_sent.append(1000 * (arrived - made.sent))
        occurred = dt.datetime.fromisoformat(record["occurredAt"].replace("Z", "+00:00"))
        from_occurred.append(1000 * (arrived - occurred.timestamp()))
    api_ms = sorted(1000 * (p.acked - p.sent) for p in produced if p.measured)
    return {
        "events": len(by_location),
        "expected": len(by_location) * paths,
        "received": len(from_ack),
        "delayFromAckMs": latency_stats(sorted(from_ack)),
        "delayFromSentMs": latency_stats(sorted(from_sent)),
        "delayFromOccurredAtMs": latency_stats(sorted(from_occurred)),
        "apiCallMs": latency_stats(api_ms),
        "over1s": sum(1 for ms in from_ack if ms > 1000),
        # Where the slow ones were: [seconds since the first measured commit, path, delay ms].
        "timeline": [
            [round(at - timeline[0][0], 3), path, round(ms, 1)] for at, path, ms in sorted(timeline)
        ]
        if timeline
        else [],
    }


def baseline_delays(records: list[dict[str, Any]], sent: list[Sent]) -> dict[str, Any]:
    """The baseline's send → arrival per delivery (the receiver's and the client's clocks are
    the same machine's)."""
    started = {(s.path, s.event_id): s.sent for s in sent}
    values = sorted(
        1000 * (r["arrivedAt"] - started[(r["path"], r["eventId"])])
        for r in records
        if (r["path"], r["eventId"]) in started
    )
    return {"received": len(values), "delayFromSentMs": latency_stats(values)}
