"""The phases of ``bench.webhooks``: subscribing, one (workers, subscriptions) pair — the
backlog drain, then the steady-rate delays — and the receiver's ceiling for a number of
subscriptions. Each returns the result dicts the report and the JSON file take.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bench import webhooks_drive as drive
from bench.harness import BenchError, console
from bench.harness.servers import Server

EVENT_TYPES = ["location.created"]
DELAY_DRAIN_TIMEOUT_S = 120.0


class Api:
    def __init__(self, server: Server, api_key: str) -> None:
        self.client = httpx.Client(
            base_url=server.base_url,
            headers={"authorization": f"Bearer {api_key}"},
            timeout=30,
            trust_env=False,
        )

    def call(self, method: str, path: str, expected: int, body: Any = None) -> Any:
        response = self.client.request(method, path, json=body)
        if response.status_code != expected:
            raise BenchError(
                f"{method} {path} answered {response.status_code}: {response.text[:500]}"
            )
        return response.json() if response.content else None


def subscribe(api: Api, receiver: drive.Receiver, count: int) -> tuple[list[str], dict[str, str]]:
    """``count`` subscriptions to ``location.created``, one receiver path each: (ids, secrets
    by path); the receiver learns the secrets."""
    ids, by_path = [], {}
    for i in range(count):
        made = api.call(
            "POST",
            "/v1/webhooks",
            201,
            {"url": receiver.url(i), "eventTypes": EVENT_TYPES, "description": f"bench {i}"},
        )
        ids.append(made["webhookId"])
        by_path[receiver.path(i)] = made["secret"]
    receiver.set_secrets(by_path)
    return ids, by_path


def run_config(
    ctx: dict[str, Any], workers: int, subs: int
) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]], dict[str, str]]:
    """One (workers, subscriptions) pair: the backlog drain, then the steady-rate delays."""
    args, api, receiver = ctx["args"], ctx["api"], ctx["receiver"]
    label = f"W={workers} S={subs}"
    key = f"w{workers}-s{subs}"
    ids, by_path = subscribe(api, receiver, subs)
    events = -(-args.backlog // subs)
    expected = events * subs

    receiver.reset(keep_bodies=True)
    console.print(
        f"… {workers} worker(s), {subs} subscription(s): committing {events:,} events "
        f"({expected:,} deliveries)"
    )
    made = time.monotonic()
    asyncio.run(
        drive.produce_backlog(
            ctx["base_url"], ctx["key"], events, args.concurrency, f"{ctx['run_id']} {key}"
        )
    )
    made = time.monotonic() - made
    if receiver.stats()["total"]:
        raise BenchError("deliveries arrived with no worker running: is serve running jobs?")
    console.print(f"  committed in {made:.1f}s; starting {workers} `tillpoint worker`")
    started = time.time()
    pool = drive.start_workers(
        ctx["stack"], workers, args.worker_concurrency, ctx["env"], ctx["work"], key
    )
    groups = {"workers": pool, "receiver": [receiver.server], "serve": [ctx["tillpoint"]]}
    before = drive.snapshot(groups, ctx["database"])
    complete, waited = drive.wait_received(receiver, expected, args.drain_timeout, pool)
    after = drive.snapshot(groups, ctx["database"])
    records = receiver.records()
    drained = drive.throughput(records, expected, started)
    drained.update(
        scenario=f"tillpoint-{key}",
        label=f"Tillpoint {label}",
        workers=workers,
        subscriptions=subs,
        events=events,
        complete=complete,
        commitSeconds=round(made, 2),
        cpu=drive.cpu_shares(before, after, ctx["cpus"]),
    )
    if not complete:
        console.print(
            f"[red]  only {drained['received']:,}/{expected:,} delivered in {waited:.0f}s[/red]"
        )
    bodies: dict[str, list[str]] = {path: [] for path in by_path}
    kept: set[tuple[str, str]] = set()
    for record in sorted(records, key=lambda r: (r["path"], r["seq"])):
        if record["body"] is not None and (record["path"], record["eventId"]) not in kept:
            kept.add((record["path"], record["eventId"]))
            bodies[record["path"]].append(record["body"])

    time.sleep(args.pause)
    receiver.reset(keep_bodies=False)
    console.print(
        f"  delay: {args.rate:g} events/s for {args.warmup:g}s warm-up + {args.seconds:g}s"
    )
    before = drive.snapshot(groups, ctx["database"])
    produced = asyncio.run(
        drive.produce_steady(
            ctx["base_url"],
            ctx["key"],
            args.rate,
            args.warmup,
            args.seconds,
            f"{ctx['run_id']} {key} steady",
        )
    )
    after = drive.snapshot(groups, ctx["database"])
    all_in, _ = drive.wait_received(receiver, len(produced) * subs, DELAY_DRAIN_TIMEOUT_S, pool)
    delay = drive.delays(receiver.records(), produced, subs)
    delay.update(
        scenario=f"tillpoint-{key}-delay",
        label=f"Tillpoint {label}",
        workers=workers,
        subscriptions=subs,
        rate=args.rate,
        offeredDeliveriesPerSec=args.rate * subs,
        # Near 1, the delays are mostly queueing behind the drain rate measured just before.
        offeredOverDrainRate=(
            round(args.rate * subs / drained["deliveredPerSec"], 2)
            if drained["deliveredPerSec"]
            else None
        ),
        complete=all_in,
        cpu=drive.cpu_shares(before, after, ctx["cpus"]),
    )
    drive.stop_workers(pool)
    drained["workerLogWarnings"] = drive.log_warnings(pool)
    for line in drained["workerLogWarnings"][:5]:
        console.print(f"  [yellow]worker log:[/yellow] {line}")
    for webhook_id in ids:
        api.call("DELETE", f"/v1/webhooks/{webhook_id}", 204)
    time.sleep(args.pause)
    return drained, delay, bodies, by_path


def run_baseline(
    ctx: dict[str, Any], subs: int, bodies: dict[str, list[str]], by_path: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    receiver: drive.Receiver = ctx["receiver"]
    # The paths of a deleted subscription's secrets are reused by the next; give them back.
    receiver.set_secrets(by_path)
    receiver.reset(keep_bodies=False)
    expected = sum(len(items) for items in bodies.values())
    console.print(f"… receiver ceiling, {subs} sequential client{'s' if subs > 1 else ''}")
    groups = {"receiver": [receiver.server]}
    started = time.time()
    before = drive.snapshot(groups, ctx["database"])
    sent = asyncio.run(drive.replay_signed(receiver.server.base_url, bodies, by_path))
    after = drive.snapshot(groups, ctx["database"])
    records = receiver.records()
    drained = drive.throughput(records, expected, started)
    drained.update(
        scenario=f"baseline-s{subs}",
        label=f"ceiling S={subs}",
        workers=None,
        subscriptions=subs,
        events=expected // subs,
        complete=drained["received"] == expected,
        cpu=drive.cpu_shares(before, after, ctx["cpus"]),
    )
    delay = drive.baseline_delays(records, sent)
    delay.update(
        scenario=f"baseline-s{subs}-delay",
        label=drained["label"],
        subscriptions=subs,
        cpu=drained["cpu"],
    )
    time.sleep(ctx["args"].pause)
    return drained, delay
