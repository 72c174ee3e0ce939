"""What ``bench.checkout`` prints after the table: the figures, the ratios and the checks.

Three sides: Tillpoint, the raw asyncpg ceiling (no HTTP) and the HTTP floor (the ceiling's
transactions behind a bare FastAPI app). The ratios compare Tillpoint with the ceiling (the
targets), Tillpoint with the floor (Tillpoint's own per-request cost) and the floor with the
ceiling (what HTTP + FastAPI + uvicorn cost on this machine).
"""

from __future__ import annotations

from typing import Any

from bench.harness import console
from bench.harness.report import throughput_ratio

TARGET_THROUGHPUT_RATIO = 0.60
TARGET_P99_RATIO = 2.0
TILLPOINT, CEILING, FLOOR = "tillpoint-checkout", "raw-checkout", "floor-checkout"
# (name in the results JSON, numerator scenario, denominator scenario)
PAIRS = (
    ("tillpointOverCeiling", TILLPOINT, CEILING),
    ("tillpointOverFloor", TILLPOINT, FLOOR),
    ("floorOverCeiling", FLOOR, CEILING),
)


def ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 3) if ours and theirs else None


def compute_ratios(results: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """For each pair: checkouts/s, p50 and p99 of one side ÷ the other's."""
    by_key = {r["scenario"]: r for r in results}
    out = {}
    for name, ours, theirs in PAIRS:
        a, b = by_key[ours], by_key[theirs]
        out[name] = {
            "checkoutsPerSec": throughput_ratio(results, ours, theirs),
            "p50": ratio(a["latencyMs"]["p50"], b["latencyMs"]["p50"]),
            "p99": ratio(a["latencyMs"]["p99"], b["latencyMs"]["p99"]),
        }
    return out


def ratios_for_json(ratios: dict[str, dict[str, float | None]]) -> dict[str, float | None]:
    """Flat: ``tillpointOverCeilingCheckoutsPerSec``, ``floorOverCeilingP99``…"""
    suffix = {"checkoutsPerSec": "CheckoutsPerSec", "p50": "P50", "p99": "P99"}
    return {
        f"{name}{suffix[figure]}": value
        for name, figures in ratios.items()
        for figure, value in figures.items()
    }


def print_figures(results: list[dict[str, Any]], ratios: dict[str, dict[str, Any]]) -> None:
    for result in results:
        create, pay = result["createLatencyMs"], result["payLatencyMs"]
        console.print(
            f"{result['label']}: {result['reqPerSec']:,.1f} checkouts/s, "
            f"p50 {result['latencyMs']['p50']} ms, p99 {result['latencyMs']['p99']} ms "
            f"(create p50 {create['p50']} / p99 {create['p99']} ms, "
            f"pay p50 {pay['p50']} / p99 {pay['p99']} ms)"
        )
    ceiling = ratios["tillpointOverCeiling"]
    through, p99 = ceiling["checkoutsPerSec"], ceiling["p99"]
    met = through is not None and through >= TARGET_THROUGHPUT_RATIO
    console.print(
        f"Tillpoint/ceiling checkouts/s: [bold]{through}[/bold] (target ≥ "
        f"{TARGET_THROUGHPUT_RATIO:.2f}: {'[green]met' if met else '[red]not met'}[/])"
    )
    met = p99 is not None and p99 <= TARGET_P99_RATIO
    console.print(
        f"Tillpoint/ceiling p99: [bold]{p99}×[/bold] (target ≤ {TARGET_P99_RATIO:g}×: "
        f"{'[green]met' if met else '[red]not met'}[/]); p50: {ceiling['p50']}×"
    )
    for name, text in (
        ("tillpointOverFloor", "Tillpoint/HTTP floor"),
        ("floorOverCeiling", "HTTP floor/ceiling"),
    ):
        figures = ratios[name]
        console.print(
            f"{text} checkouts/s: [bold]{figures['checkoutsPerSec']}[/bold]; "
            f"p99: [bold]{figures['p99']}×[/bold]; p50: {figures['p50']}×"
        )


def print_checks(checks: dict[str, dict[str, Any]]) -> bool:
    ok = True
    for side, check in checks.items():
        good = check["ledgerAgrees"] and check["receiptsGapless"] and check["reservationsAgree"]
        ok = ok and good
        console.print(
            f"{'[green]OK[/]' if good else '[red]FAILED[/]'} {side}: ledger = on_hand for "
            f"{check['stockLevels'] - check['levelsDisagreeingWithLedger']}/"
            f"{check['stockLevels']} stock levels; reserved {check['reservedMilli'] / 1000:g} = "
            f"open orders' {check['openOrdersQuantityMilli'] / 1000:g}: "
            f"{check['reservationsAgree']}; {check['completedOrders']:,} completed orders, "
            f"receipts {check['receiptRange'][0]}…{check['receiptRange'][1]}, sequence at "
            f"{check['receiptSequence']}, gapless: {check['receiptsGapless']}"
        )
    return ok
