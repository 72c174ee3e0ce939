"""What ``bench.checkout`` prints after the table: the figures, the ratios and the checks.

Three sides: Tillpoint, the raw asyncpg ceiling (no HTTP) and the HTTP floor (the ceiling's
transactions behind a bare FastAPI app). The ratios compare Tillpoint with the floor (the
issue-14 targets: Tillpoint's own per-request cost), Tillpoint with the ceiling and the floor
with the ceiling (what HTTP + FastAPI + uvicorn cost on this machine). Each target is printed
met or missed; a missed target is never an exit status (failed checks and errors are).
"""

from __future__ import annotations

from typing import Any

from bench.harness import console
from bench.harness.report import throughput_ratio

# Tillpoint ÷ HTTP floor, same run: checkouts/s at least, p99 and server CPU per checkout at most.
TARGET_THROUGHPUT_RATIO = 0.60
TARGET_P99_RATIO = 2.0
TARGET_CPU_RATIO = 2.5
TILLPOINT, CEILING, FLOOR = "tillpoint-checkout", "raw-checkout", "floor-checkout"
# (name in the results JSON, numerator scenario, denominator scenario)
PAIRS = (
    ("tillpointOverCeiling", TILLPOINT, CEILING),
    ("tillpointOverFloor", TILLPOINT, FLOOR),
    ("floorOverCeiling", FLOOR, CEILING),
)


def ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 3) if ours and theirs else None


def server_cpu_ms_per_checkout(result: dict[str, Any]) -> float | None:
    """The server processes' CPU per checkout in ms (None for the ceiling: it has no server)."""
    pct, rate = result["cpu"].get("serverCpuPct"), result["reqPerSec"]
    return round(pct * 10 / rate, 2) if pct is not None and rate else None


def compute_ratios(results: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """For each pair: checkouts/s, p50, p99 and server CPU per checkout of one side ÷ the
    other's (CPU only where both sides have a server)."""
    by_key = {r["scenario"]: r for r in results}
    out = {}
    for name, ours, theirs in PAIRS:
        a, b = by_key[ours], by_key[theirs]
        out[name] = {
            "checkoutsPerSec": throughput_ratio(results, ours, theirs),
            "p50": ratio(a["latencyMs"]["p50"], b["latencyMs"]["p50"]),
            "p99": ratio(a["latencyMs"]["p99"], b["latencyMs"]["p99"]),
            "serverCpuPerCheckout": ratio(
                server_cpu_ms_per_checkout(a), server_cpu_ms_per_checkout(b)
            ),
        }
    return out


def ratios_for_json(ratios: dict[str, dict[str, float | None]]) -> dict[str, float | None]:
    """Flat: ``tillpointOverCeilingCheckoutsPerSec``, ``floorOverCeilingP99``…"""
    suffix = {
        "checkoutsPerSec": "CheckoutsPerSec",
        "p50": "P50",
        "p99": "P99",
        "serverCpuPerCheckout": "ServerCpuPerCheckout",
    }
    return {
        f"{name}{suffix[figure]}": value
        for name, figures in ratios.items()
        for figure, value in figures.items()
    }


def print_figures(results: list[dict[str, Any]], ratios: dict[str, dict[str, Any]]) -> None:
    for result in results:
        create, pay = result["createLatencyMs"], result["payLatencyMs"]
        cpu = server_cpu_ms_per_checkout(result)
        console.print(
            f"{result['label']}: {result['reqPerSec']:,.1f} checkouts/s, "
            f"p50 {result['latencyMs']['p50']} ms, p99 {result['latencyMs']['p99']} ms "
            f"(create p50 {create['p50']} / p99 {create['p99']} ms, "
            f"pay p50 {pay['p50']} / p99 {pay['p99']} ms); server CPU per checkout "
            + (f"{cpu} ms" if cpu is not None else "— (no server)")
        )
    for line in target_lines(ratios["tillpointOverFloor"]):
        console.print(line)
    for name, text in (
        ("tillpointOverCeiling", "Tillpoint/ceiling"),
        ("floorOverCeiling", "HTTP floor/ceiling"),
    ):
        figures = ratios[name]
        console.print(
            f"{text} checkouts/s: [bold]{figures['checkoutsPerSec']}[/bold]; "
            f"p99: [bold]{figures['p99']}×[/bold]; p50: {figures['p50']}×"
        )


def target_lines(floor: dict[str, float | None]) -> list[str]:
    """The three targets against the HTTP floor, each with its figure and met or missed."""
    through, p99, cpu = floor["checkoutsPerSec"], floor["p99"], floor["serverCpuPerCheckout"]
    return [
        f"Target: Tillpoint/HTTP floor checkouts/s [bold]{through}[/bold] (≥ "
        f"{TARGET_THROUGHPUT_RATIO:.2f}): {_verdict(through, TARGET_THROUGHPUT_RATIO, True)}",
        f"Target: Tillpoint/HTTP floor p99 [bold]{p99}×[/bold] (≤ {TARGET_P99_RATIO:g}×): "
        f"{_verdict(p99, TARGET_P99_RATIO, False)}; p50: {floor['p50']}×",
        f"Target: Tillpoint/HTTP floor server CPU per checkout [bold]{cpu}×[/bold] (≤ "
        f"{TARGET_CPU_RATIO:g}×): {_verdict(cpu, TARGET_CPU_RATIO, False)}",
    ]


def _verdict(value: float | None, target: float, at_least: bool) -> str:
    if value is None:
        return "[yellow]not measured[/]"
    good = value >= target if at_least else value <= target
    return "[green]met[/]" if good else "[red]missed[/]"


def print_checks(checks: dict[str, dict[str, Any]], sequence: dict[str, Any]) -> bool:
    """One line per side, then the tenant's event numbers; False if anything failed."""
    ok = True
    for side, check in checks.items():
        good = (
            check["ledgerAgrees"]
            and check["receiptsGapless"]
            and check["reservationsAgree"]
            and check["orderEventsAgree"]
        )
        ok = ok and good
        console.print(
            f"{'[green]OK[/]' if good else '[red]FAILED[/]'} {side}: ledger = on_hand for "
            f"{check['stockLevels'] - check['levelsDisagreeingWithLedger']}/"
            f"{check['stockLevels']} stock levels; reserved {check['reservedMilli'] / 1000:g} = "
            f"open orders' {check['openOrdersQuantityMilli'] / 1000:g}: "
            f"{check['reservationsAgree']}; {check['completedOrders']:,} completed orders, "
            f"receipts {check['receiptRange'][0]}…{check['receiptRange'][1]}, sequence at "
            f"{check['receiptSequence']}, gapless: {check['receiptsGapless']}; "
            f"{check['orders'] - check['ordersWithWrongEvents']:,}/{check['orders']:,} orders "
            "with exactly one order.created (and one order.completed if completed)"
        )
    good = sequence["seqGapless"]
    console.print(
        f"{'[green]OK[/]' if good else '[red]FAILED[/]'} tenant events: {sequence['events']:,} "
        f"events, seq {sequence['seqRange'][0]}…{sequence['seqRange'][1]}, counter at "
        f"{sequence['counter']:,}, gapless and without duplicates: {good}"
    )
    return ok and good
