"""What a run reports: a Rich table on the console and a JSON results file.

The table has one row per scenario — requests, req/s, p50 and p99 latency, errors and the CPU
shares — followed by the Tillpoint ÷ baseline throughput ratios. The JSON file holds all of it
(with p90, max, mean, error kinds) plus the configuration, the machine and the git commit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from rich.table import Table

from bench.harness import ROOT, console
from bench.harness.cpu import BUSY_WARNING_PCT
from bench.harness.errors import print_errors

COLUMNS = (
    ("scenario", "left"),
    ("requests", "right"),
    ("req/s", "right"),
    ("p50 ms", "right"),
    ("p99 ms", "right"),
    ("errors", "right"),
    ("server CPU", "right"),
    ("postgres CPU", "right"),
    ("loadgen CPU", "right"),
    ("other CPU", "right"),
)


def throughput_ratio(results: list[dict[str, Any]], ours: str, baseline: str) -> float | None:
    """req/s of scenario ``ours`` ÷ req/s of scenario ``baseline`` (``None``: no baseline)."""
    by_key = {r["scenario"]: r for r in results}
    ours_rate, base_rate = by_key[ours]["reqPerSec"], by_key[baseline]["reqPerSec"]
    return round(ours_rate / base_rate, 4) if base_rate else None


def print_report(
    results: list[dict[str, Any]], *, title: str, ratios: dict[str, float | None], endpoints: str
) -> None:
    """The table, one line per ratio (keyed by what it compares, e.g. "GET"), ``endpoints``
    (one sentence saying what was loaded) and the warnings."""
    table = Table(title=title)
    for column, justify in COLUMNS:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for result in results:
        cpu = result["cpu"]
        table.add_row(
            result["label"],
            f"{result['requests']:,}",
            _fmt(result["reqPerSec"], 1),
            _fmt(result["latencyMs"]["p50"]),
            _fmt(result["latencyMs"]["p99"]),
            f"[red]{result['errors']:,}[/red]" if result["errors"] else "0",
            _pct(cpu["serverCpuPct"]),
            _pct(cpu["postgresCpuPct"]),
            _pct(cpu["loadgenCpuPct"]),
            _pct(cpu.get("otherCpuPct")),
        )
    console.print(table)
    for compared, ratio in ratios.items():
        if ratio is None:
            text = "— (no baseline figure)"
        elif ratio == 0:
            text = "0 (no successful Tillpoint requests)"
        else:
            text = f"{ratio:.3f}  (baseline is {1 / ratio:.1f}× faster)"
        console.print(f"Tillpoint/baseline req/s, {compared}: [bold]{text}[/bold]")
    console.print(
        f"{endpoints}\n"
        "CPU columns are % of one core over the measured window: server = the uvicorn process "
        "tree, postgres = this database's backends and the server-wide helpers, loadgen = the "
        "httpx processes, other = the rest "
        f"of the machine's {os.cpu_count()} cores."
    )
    busy = [r["label"] for r in results if (r["cpu"].get("otherCpuPct") or 0) > BUSY_WARNING_PCT]
    if busy:
        console.print(
            f"[yellow]The machine was busy with other work during: {', '.join(busy)} — "
            "these figures are noisy; run again on an idle machine.[/yellow]"
        )
    print_errors(results)


def machine_info(postgres_version: str, busy_before_start_pct: float | None) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "postgres": postgres_version,
        "httpx": httpx.__version__,
        "busyBeforeStartPct": busy_before_start_pct,
    }


def git_state() -> dict[str, Any]:
    """The commit measured, and whether the working tree differed from it."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--", "src")
    return {
        "commit": git("rev-parse", "HEAD"),
        "srcModified": bool(status) if status is not None else None,
    }


def write_results(
    output: Path,
    *,
    benchmark: str,
    started: dt.datetime,
    config: dict[str, Any],
    machine: dict[str, Any],
    scenarios: list[dict[str, Any]],
    ratios: dict[str, float | None],
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the JSON results of ``bench.<benchmark>`` to ``output`` and say where; ``extra``
    adds the benchmark's own top-level sections (seeding, imports…)."""
    document = {
        "benchmark": benchmark,
        "startedAt": started.isoformat().replace("+00:00", "Z"),
        "command": [Path(sys.executable).name, "-m", f"bench.{benchmark}", *sys.argv[1:]],
        "config": config,
        "machine": machine,
        "git": git_state(),
        "scenarios": scenarios,
        "ratios": ratios,
        **(extra or {}),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2) + "\n")
    console.print(f"results written to {output}")


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"
