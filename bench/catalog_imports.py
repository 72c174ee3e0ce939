"""CSV import rows/s for ``bench.catalog``: through the API, through the CLI, and the baseline.

- API: ``POST /v1/catalog/imports`` (``text/csv``) into the seeded tenant, then
  ``GET /v1/catalog/imports/{id}`` every 50 ms until it has succeeded or failed; rows/s from the
  wall time between the POST and the first answer that says so. The job runner inside
  ``tillpoint serve`` runs it; it polls for due jobs every second (``TILLPOINT_JOB_POLL_SECONDS``),
  so the wall time includes up to that much queueing, reported apart from the job's own time.
- CLI: ``tillpoint catalog import FILE --tenant-id`` into a fresh tenant (made with the CLI), the
  same kind of file with other codes; the wall time of the whole command, process start and
  migration check included (a one-row dry run measures that fixed part).
- Baseline: the same products and variants built as rows and written with one Core INSERT
  executemany per table through the driver, in one transaction, into the seeded tenant.

Rows are CSV rows (a product row, or an option-variant row) for all three.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.catalog_data import (
    API_IMPORT_PREFIX,
    CLI_IMPORT_PREFIX,
    Shape,
    import_csv,
    raw_insert,
)
from bench.catalog_report import print_imports
from bench.harness import ROOT, BenchError, console
from bench.harness.servers import Server
from bench.harness.tillpoint import run_cli, tillpoint_executable

IMPORT_TIMEOUT_S = 1800.0
POLL_S = 0.05
OPTIONS_PER_PARENT = 3


def import_shape(products: int) -> Shape:
    """``products`` products, every third with three option variants."""
    parents = (products + 2) // 3
    return Shape(products, products + OPTIONS_PER_PARENT * parents)


def measure_imports(
    tillpoint: Server,
    api_key: str,
    env: dict[str, str],
    database_url: str,
    tenant_id: str,
    run_id: str,
    work: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    shape = import_shape(args.import_products)
    csv_rows = shape.variants  # a row per product and per option variant
    found: dict[str, Any] = {
        "shape": {
            "products": shape.products,
            "optionVariants": shape.variants - shape.products,
            "csvRows": csv_rows,
        }
    }
    text, rows = import_csv(shape, sku_prefix="I", barcode_prefix=API_IMPORT_PREFIX)
    assert rows == csv_rows
    console.print(f"… CSV import through the API: {rows:,} rows, {len(text) / 1e6:.2f} MB")
    found["api"] = api_import(tillpoint, api_key, text, rows, shape.products)
    if not args.skip_cli_import:
        text, rows = import_csv(shape, sku_prefix="C", barcode_prefix=CLI_IMPORT_PREFIX)
        console.print(f"… CSV import through `tillpoint catalog import`: {rows:,} rows")
        found["cli"] = cli_import(env, run_id, work, text, rows)
    console.print(f"… baseline: raw INSERT of the same {rows:,} rows")
    seconds = asyncio.run(raw_insert(database_url, tenant_id, shape))
    found["raw-insert"] = {
        "label": "baseline: raw INSERT",
        "rows": rows,
        "seconds": round(seconds, 3),
        "rowsPerSec": round(rows / seconds, 1),
        "note": f"{shape.products + shape.variants:,} table rows, Core + driver",
    }
    return found


def api_import(server: Server, api_key: str, text: str, rows: int, products: int) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client:
        started = time.perf_counter()
        response = client.post(
            "/v1/catalog/imports",
            content=text.encode(),
            headers={"content-type": "text/csv"},
        )
        if response.status_code != 202:
            raise BenchError(f"POST /v1/catalog/imports: {response.status_code} {response.text}")
        import_id = response.json()["importId"]
        running_at: float | None = None
        while True:
            state = client.get(f"/v1/catalog/imports/{import_id}")
            if state.status_code != 200:
                raise BenchError(f"polling the import: {state.status_code} {state.text[:500]}")
            body = state.json()
            if body["status"] == "running" and running_at is None:
                running_at = time.perf_counter()
            if body["status"] in ("succeeded", "failed"):
                break
            if time.perf_counter() - started > IMPORT_TIMEOUT_S:
                raise BenchError(f"the import took over {IMPORT_TIMEOUT_S:.0f}s")
            time.sleep(POLL_S)
        wall = time.perf_counter() - started
    if body["status"] != "succeeded" or body["created"] != products:
        raise BenchError(f"the import failed ({body['created']} created): {body['errors'][:5]}")
    created = dt.datetime.fromisoformat(body["createdAt"].replace("Z", "+00:00"))
    finished = dt.datetime.fromisoformat(body["finishedAt"].replace("Z", "+00:00"))
    job = (finished - created).total_seconds()
    note = f"{body['created']:,} products created; created→finished {job:.2f}s"
    if running_at is not None:
        note += f", seen running for {wall - (running_at - started):.2f}s"
    return {
        "label": "Tillpoint API import (job)",
        "rows": rows,
        "seconds": round(wall, 3),
        "rowsPerSec": round(rows / wall, 1),
        "jobSeconds": round(job, 3),
        "note": note,
    }


def cli_import(
    env: dict[str, str], run_id: str, work: Path, text: str, rows: int
) -> dict[str, Any]:
    tenant = run_cli(
        [
            "create-tenant",
            "--name",
            "Bench CLI import",
            "--owner-email",
            f"cli-{run_id}@bench.example.com",
            "--owner-password",
            f"bench-{run_id}-password",
        ],
        env,
    )
    command = [tillpoint_executable(), "catalog", "import"]
    tenant_args = ["--tenant-id", tenant["tenantId"]]
    one_row = work / "one_row.csv"
    one_row.write_text("\n".join(text.splitlines()[:2]) + "\n")
    startup, startup_rss = _timed([*command, str(one_row), *tenant_args, "--dry-run"], env)
    path = work / "cli_import.csv"
    path.write_text(text)
    wall, peak_rss = _timed([*command, str(path), *tenant_args], env)
    return {
        "label": "Tillpoint CLI import",
        "rows": rows,
        "seconds": round(wall, 3),
        "rowsPerSec": round(rows / wall, 1),
        "startupSeconds": round(startup, 3),
        "peakRssMiB": round(peak_rss, 1),
        "note": f"fresh tenant; whole command (a 1-row dry run takes {startup:.2f}s, "
        f"{startup_rss:.0f} MiB); peak RSS {peak_rss:.0f} MiB",
    }


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``cmd``; its wall seconds and its peak RSS in MiB (``wait4``'s, this child's own)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        deadline = started + IMPORT_TIMEOUT_S
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                process.wait()
                raise BenchError(f"`{' '.join(cmd[1:3])}` took over {IMPORT_TIMEOUT_S:.0f}s")
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        returncode = os.waitstatus_to_exitcode(status)
        process.returncode = returncode
        if returncode != 0:
            out.seek(0)
            err.seek(0)
            raise BenchError(
                f"`{' '.join(cmd[1:3])}` failed with status {returncode}:\n"
                f"{out.read().strip()[-2000:]}\n{err.read().strip()[-2000:]}"
            )
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def imports_only(
    tillpoint: Server,
    api_key: str,
    env: dict[str, str],
    database_url: str,
    tenant_id: str,
    run_id: str,
    work: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """``--only-imports``: the import figures alone, on a database without the seeded catalog."""
    imports = measure_imports(tillpoint, api_key, env, database_url, tenant_id, run_id, work, args)
    raw = imports["raw-insert"]["rowsPerSec"]
    imports["ratios"] = {
        f"{key}ImportRowsPerSec": round(imports[key]["rowsPerSec"] / raw, 4)
        for key in ("api", "cli")
        if key in imports
    }
    print_imports(imports)
    console.print(f"Tillpoint ÷ raw INSERT rows/s: {imports['ratios']}")
    return imports
