"""The tables of ``bench.webhooks``: the backlog drains (delivered/s, ratio to the receiver's
ceiling) and the steady-rate delays (commit → receipt p50/p99), each with CPU per process group.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from rich import box
from rich.table import Table

from bench.harness import console
from bench.harness.cpu import BUSY_WARNING_PCT

SATURATION_WARNING = 0.7


def print_tables(
    drains: list[dict[str, Any]],
    delays: list[dict[str, Any]],
    args: argparse.Namespace,
    busy_before: float | None,
) -> None:
    console.print(_drain_table(drains, args))
    console.print(_delay_table(delays, args))
    console.print(
        "W: tillpoint worker processes, S: subscriptions. "
        "per s: distinct deliveries ÷ time from the first arrival to the last (worker start-up "
        "left out; 'from start' counts it from the workers' spawn). ÷ ceiling: Tillpoint ÷ the "
        "receiver's ceiling at as many subscriptions — the same bodies, freshly signed, POSTed "
        "straight to the same receiver by one sequential keep-alive httpx client per "
        "subscription. order: each subscription got its events in seq order.\n"
        "Delay: the receiver's clock on arrival − the producer's clock once the 201 was read; "
        "the COMMIT came before the 201, so this understates the delay by the COMMIT → 201 "
        "time (at most the API call's time, 'API p50'). 'occ.': from the event's occurredAt, "
        "taken inside the transaction before COMMIT, so it overstates it. Same machine, same "
        "clock. ¹ the ceiling's delay is its send → arrival.\n"
        "CPU: workers = the tillpoint worker processes, postgres = this database's backends "
        "and the server-wide helpers, receiver = the uvicorn receiver, serve = tillpoint serve, "
        "bench = this process (the producer, the ceiling's client), other = the rest of the "
        f"machine ({os.cpu_count()} cores, so up to {100 * (os.cpu_count() or 1)}% in all)."
    )
    console.print(
        "Repeats (a delivery seen twice) / TCP connections the receiver saw: "
        + "; ".join(f"{r['label']}: {r['repeats']} / {r['connections']}" for r in drains)
    )
    for r in delays:
        share = r.get("offeredOverDrainRate")
        if share is not None and share > SATURATION_WARNING:
            console.print(
                f"[yellow]{r['label']}: {r['offeredDeliveriesPerSec']:g} deliveries/s offered "
                f"is {share:.0%} of its drain rate; its delays are mostly queueing (try a lower "
                "--rate).[/yellow]"
            )
        if r.get("over1s"):
            console.print(f"{r['label']}: {r['over1s']} of {r['received']} deliveries took > 1 s")
    if busy_before is not None:
        console.print(f"Machine busy before the start: {busy_before:.0f}% of all cores.")
    phases = [(r, "drain") for r in drains]
    phases += [(r, "delay") for r in delays if "delayFromAckMs" in r]
    noisy = [
        f"{r['label']} ({phase})"
        for r, phase in phases
        if (r.get("cpu", {}).get("other") or 0) > BUSY_WARNING_PCT
    ]
    if noisy:
        console.print(
            f"[yellow]Other work used more than {BUSY_WARNING_PCT}% of a core during: "
            f"{', '.join(noisy)} — these figures are noisy.[/yellow]"
        )
    for result in drains + delays:
        if not result.get("complete", True):
            console.print(
                f"[red]{result['label']}: {result['received']:,} of {result['expected']:,} "
                "deliveries arrived before the timeout[/red]"
            )


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1))
    for column in columns:
        if column == "scenario":
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right")
    return table


def _drain_table(drains: list[dict[str, Any]], args: argparse.Namespace) -> Table:
    groups = ("workers", "postgres", "receiver", "bench", "other")
    table = _table(
        f"Backlog drain: {args.backlog:,} deliveries queued, then the workers start "
        f"(--concurrency {args.worker_concurrency} each); CPU in % of one core",
        ("scenario", "received", "per s", "÷ ceiling", "from start", "order", *groups),
    )
    for r in drains:
        received = f"{r['received']:,}"
        if r["received"] != r["expected"]:
            received = f"[red]{received}/{r['expected']:,}[/red]"
        table.add_row(
            r["label"],
            received,
            _num(r["deliveredPerSec"], 1),
            _num(r.get("ratioToCeiling"), 3),
            _num(r["deliveredPerSecFromStart"], 1),
            "ok" if r["inSeqOrderPerSubscription"] else "[red]NO[/red]",
            *(_pct(r["cpu"].get(group)) for group in groups),
        )
    return table


def _delay_table(delays: list[dict[str, Any]], args: argparse.Namespace) -> Table:
    groups = ("workers", "postgres", "serve", "other")
    table = _table(
        f"Commit → receipt, ms, at {args.rate:g} events/s for {args.seconds:g} s (after "
        f"{args.warmup:g} s warm-up); CPU in % of one core",
        ("scenario", "received", "p50", "p99", "occ. p50", "occ. p99", "API p50") + groups,
    )
    for r in delays:
        baseline = "delayFromAckMs" not in r
        main = r["delayFromSentMs"] if baseline else r["delayFromAckMs"]
        occurred = r.get("delayFromOccurredAtMs") or {}
        received = f"{r['received']:,}"
        if not baseline and r["received"] != r["expected"]:
            received = f"[red]{received}/{r['expected']:,}[/red]"
        table.add_row(
            r["label"] + (" ¹" if baseline else ""),
            received,
            _num(main["p50"]),
            _num(main["p99"]),
            _num(occurred.get("p50")),
            _num(occurred.get("p99")),
            _num((r.get("apiCallMs") or {}).get("p50")),
            *(_pct(r.get("cpu", {}).get(group)) for group in groups),
        )
    return table


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"
