"""What ``bench.catalog`` prints besides the harness's table: the one-at-a-time latencies, the
CSV import rows/s and, after all backends, a summary and the issue-14 targets, each met or
missed (a missed target is reported, never an exit status: that is for failed requests)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from bench.harness import console

# Tillpoint ÷ baseline req/s under load, on both databases.
TARGET_LOOKUP_RATIO = 0.50
TARGET_LIST_RATIO = 0.50
# CSV import rows/s ÷ the raw INSERT's, per database.
TARGET_IMPORT_RATIO = {"postgresql": 0.40, "sqlite": 0.25}


def print_sequential(sequential: dict[str, Any]) -> None:
    table = Table(
        title="One request at a time (no concurrency): raw SQL in-process, then over HTTP"
    )
    for column in ("read", "samples", "p50 ms", "p99 ms", "max ms", "p50 ÷ raw SQL"):
        table.add_column(column, justify="left" if column == "read" else "right")
    rows = (
        ("raw-lookup", "raw SQL lookup (driver, no HTTP)"),
        ("baseline-lookup", "baseline lookup (HTTP)"),
        ("tillpoint-lookup", "Tillpoint lookup (HTTP)"),
        ("raw-list", "raw SQL page of 200 (driver, no HTTP)"),
        ("baseline-list", "baseline page of 200 (HTTP)"),
        ("tillpoint-list", "Tillpoint page of 200 (HTTP)"),
    )
    for key, label in rows:
        d, raw = sequential[key], sequential[f"raw-{key.split('-')[1]}"]
        table.add_row(
            label,
            f"{d['samples']:,}",
            f"{d['p50']:.2f}",
            f"{d['p99']:.2f}",
            f"{d['max']:.2f}",
            f"{d['p50'] / raw['p50']:.2f}",
        )
    console.print(table)


def print_imports(imports: dict[str, Any]) -> None:
    shape = imports["shape"]
    table = Table(
        title=f"CSV import: {shape['csvRows']:,} rows ({shape['products']:,} products, "
        f"{shape['optionVariants']:,} option variants)"
    )
    for column in ("path", "rows", "seconds", "rows/s", "÷ raw INSERT", "note"):
        table.add_column(column, justify="left" if column in ("path", "note") else "right")
    raw = imports["raw-insert"]["rowsPerSec"]
    for key in ("api", "cli", "raw-insert"):
        if key in imports:
            item = imports[key]
            table.add_row(
                item["label"],
                f"{item['rows']:,}",
                f"{item['seconds']:.2f}",
                f"{item['rowsPerSec']:,.0f}",
                f"{item['rowsPerSec'] / raw:.4f}",
                item.get("note", ""),
            )
    console.print(table)


def print_summary(summaries: list[dict[str, Any]]) -> None:
    """One column per backend: latencies (ms), req/s, rows/s and the ratios to the baselines."""
    table = Table(title="Summary: Tillpoint (TP) vs baselines, same run")
    table.add_column("figure")
    for s in summaries:
        table.add_column(s["backend"].version.split(" (")[0], justify="right")

    def row(label: str, cell: Any) -> None:
        table.add_row(label, *(cell(s) for s in summaries))

    def seq(key: str) -> Any:
        return lambda s: f"{s['sequential'][key]['p50']:.2f} / {s['sequential'][key]['p99']:.2f}"

    def loaded(key: str) -> Any:
        def cell(s: dict[str, Any]) -> str:
            r = s["results"][key]
            lat = r["latencyMs"]
            if lat["p50"] is None:  # no request completed in the window (a swamped machine)
                return f"—, {r['reqPerSec']:,.0f}/s"
            return f"{lat['p50']:.2f} / {lat['p99']:.2f} ms, {r['reqPerSec']:,.0f}/s"

        return cell

    def ratio(ours: str, base: str) -> Any:
        def cell(s: dict[str, Any]) -> str:
            a, b = s["results"][ours]["reqPerSec"], s["results"][base]["reqPerSec"]
            return f"{a / b:.3f}" if b else "—"

        return cell

    for kind, name in (("lookup", "lookup"), ("list", "list of 200")):
        row(f"{name}, one at a time, p50 / p99 ms: TP", seq(f"tillpoint-{kind}"))
        row("    baseline (bare FastAPI + raw SQL)", seq(f"baseline-{kind}"))
        row("    raw SQL in-process (no HTTP)", seq(f"raw-{kind}"))
        row(f"{name}, under load, p50 / p99, req/s: TP", loaded(f"tillpoint-{kind}"))
        row("    baseline", loaded(f"baseline-{kind}"))
        row("    TP ÷ baseline req/s", ratio(f"tillpoint-{kind}", f"baseline-{kind}"))

    def rows_per_sec(key: str) -> Any:
        def cell(s: dict[str, Any]) -> str:
            item = s["imports"].get(key)
            return "—" if item is None else f"{item['rowsPerSec']:,.0f}"

        return cell

    row("CSV import rows/s: TP API (job)", rows_per_sec("api"))
    row("    TP CLI", rows_per_sec("cli"))
    row("    baseline raw INSERT", rows_per_sec("raw-insert"))
    row(
        "    TP API ÷ raw INSERT",
        lambda s: (
            f"{s['imports']['api']['rowsPerSec'] / s['imports']['raw-insert']['rowsPerSec']:.4f}"
        ),
    )
    console.print(table)
    print_targets(summaries)


def met(value: float | None, target: float) -> str:
    if value is None:
        return "[yellow]not measured[/]"
    return "[green]met[/]" if value >= target else "[red]missed[/]"


def target_lines(summary: dict[str, Any]) -> list[str]:
    """One line per target for one backend: the figure, the target, met or missed."""
    name, results, imports = summary["backend"].name, summary["results"], summary["imports"]
    lines = []
    for kind, label, target in (
        ("lookup", "barcode lookup under load", TARGET_LOOKUP_RATIO),
        ("list", "list page of 200 under load", TARGET_LIST_RATIO),
    ):
        ours, base = (
            results[f"tillpoint-{kind}"]["reqPerSec"],
            results[f"baseline-{kind}"]["reqPerSec"],
        )
        value = round(ours / base, 3) if base else None
        lines.append(
            f"{name}: {label}, Tillpoint ÷ baseline req/s {value} (target ≥ {target:.2f}): "
            f"{met(value, target)}"
        )
    return lines + import_target_lines(name, imports)


def import_target_lines(name: str, imports: dict[str, Any]) -> list[str]:
    """The CSV import's targets for one backend (all ``--only-imports`` measures)."""
    lines = []
    raw = imports.get("raw-insert", {}).get("rowsPerSec")
    target = TARGET_IMPORT_RATIO[name]
    for key in ("api", "cli"):
        if key in imports:
            value = round(imports[key]["rowsPerSec"] / raw, 3) if raw else None
            lines.append(
                f"{name}: CSV import, {imports[key]['label']} ÷ raw INSERT rows/s {value} "
                f"(target ≥ {target:.2f}): {met(value, target)}"
            )
    return lines


def print_targets(summaries: list[dict[str, Any]]) -> None:
    console.print("[bold]Targets (issue 14), this run:[/bold]")
    for summary in summaries:
        for line in target_lines(summary):
            console.print(f"  {line}")
