"""Throughput and latency of ``GET``/``POST /v1/locations`` on a real server, against a baseline.

Run from the repository root::

    python -m bench.api_locations [--seconds 10] [--concurrency 16] [--workers 1] [--clients 1]

It creates a throw-away PostgreSQL database, starts a real ``tillpoint serve`` (uvicorn) on it
and a bare FastAPI app (``bench/baseline_app.py``) served by uvicorn the same way, drives both
with ``httpx.AsyncClient`` at a fixed concurrency for a fixed time, prints a table and writes
``bench/results/api_locations.json``. Subprocesses and the database are removed on every exit,
Ctrl-C included. Only loopback addresses are ever contacted. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import multiprocessing
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS_FILE = ROOT / "bench" / "results" / "api_locations.json"
HOST = "127.0.0.1"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Far above anything two cores can serve, so the benchmark never meets a 429.
BENCH_RATE_LIMIT = 1_000_000_000
SCOPES = "settings:read,settings:write"
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 20.0
CLI_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 30.0
START_DELAY_S = 0.5

console = Console()
if not console.is_terminal:
    console = Console(width=120)  # piped to a file or CI log: do not squeeze the table


class BenchError(Exception):
    """A setup step failed; the message says which and why."""


# --------------------------------------------------------------------------- arguments


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.api_locations",
        description="Benchmark GET/POST /v1/locations on a real Tillpoint server against a "
        "bare FastAPI baseline measured in the same run.",
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured time per scenario (default 10)"
    )
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="unmeasured warm-up per scenario (default 2)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=16, help="requests in flight (default 16)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes, for Tillpoint and the baseline alike (default 1)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="load-generator processes sharing the concurrency (default 1)",
    )
    parser.add_argument(
        "--seed-locations", type=int, default=10, help="locations created before the GET runs"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=2_000_000,
        help="hard cap on requests per scenario (a safety bound; default 2,000,000)",
    )
    parser.add_argument(
        "--pause", type=float, default=1.0, help="idle seconds between scenarios (default 1)"
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the Tillpoint server and CLI, e.g. TILLPOINT_DB_POOL_SIZE=20",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS_FILE, help="where the JSON results go"
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be in (0, 3600]")
    if not 0 <= args.warmup <= 600:
        parser.error("--warmup must be in [0, 600]")
    if not 1 <= args.concurrency <= 1024:
        parser.error("--concurrency must be in [1, 1024]")
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be in [1, 64]")
    if not 1 <= args.clients <= args.concurrency:
        parser.error("--clients must be in [1, --concurrency]")
    if not 0 <= args.seed_locations <= 200:
        parser.error("--seed-locations must be in [0, 200]")
    if args.max_requests < args.clients:
        parser.error("--max-requests must be at least --clients")
    for item in args.server_env:
        if "=" not in item or not item.split("=", 1)[0]:
            parser.error(f"--server-env wants NAME=VALUE, got {item!r}")
    return args


# --------------------------------------------------------------------------- database


def machine_busy_pct(seconds: float = 1.0) -> float | None:
    """How busy the machine's cores are (in % of all of them), measured over ``seconds``."""
    if not Path("/proc/stat").exists():
        return None
    busy0, total0 = _machine_busy()
    time.sleep(seconds)
    busy1, total1 = _machine_busy()
    return round(100 * (busy1 - busy0) / (total1 - total0), 1) if total1 > total0 else None


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


def admin_url_from_env() -> URL:
    raw = os.environ.get("TILLPOINT_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL)
    try:
        url = make_url(raw)
    except Exception as exc:
        raise BenchError(f"TILLPOINT_BENCH_POSTGRES_URL is not a database URL: {exc}") from None
    if not url.drivername.startswith("postgres"):
        raise BenchError("TILLPOINT_BENCH_POSTGRES_URL must be a postgresql:// URL")
    if (url.host or "127.0.0.1") not in LOOPBACK_HOSTS:
        raise BenchError(
            f"refusing to use PostgreSQL on {url.host!r}: the benchmark only talks to this machine"
        )
    return url


async def _admin(url: URL, sql: str) -> Any:
    import asyncpg

    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
        timeout=10,
    )
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def admin(url: URL, sql: str) -> Any:
    return asyncio.run(_admin(url, sql))


# --------------------------------------------------------------------------- processes


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(name: str, cmd: list[str], port: int, env: dict[str, str], logs: Path) -> Server:
    log_path = logs / f"{name}.log"
    with log_path.open("wb") as log:
        # Own session: Ctrl-C reaches only this script, which then stops the group in order.
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, proc, port, log_path)


def stop_server(server: Server) -> None:
    proc = server.proc
    if proc.poll() is not None:
        return
    # The process leads its own group (start_new_session), so the group id is its pid; this
    # reaches uvicorn's worker processes too and nothing else.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT_S)


def wait_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = "no answer yet"
    with httpx.Client(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.proc.poll() is not None:
                raise BenchError(
                    f"{server.name} exited with status {server.proc.returncode} before it was "
                    f"ready:\n{server.log_tail()}"
                )
            try:
                response = client.get(path)
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text[:200]}"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.2)
    raise BenchError(
        f"{server.name} not ready after {READY_TIMEOUT_S:.0f}s ({last}):\n{server.log_tail()}"
    )


def tillpoint_executable() -> str:
    beside = Path(sys.executable).with_name("tillpoint")
    if beside.exists():
        return str(beside)
    found = shutil.which("tillpoint")
    if found is None:
        raise BenchError("the `tillpoint` command is not installed (run `make` first)")
    return found


def run_cli(args: list[str], env: dict[str, str]) -> dict[str, str]:
    cmd = [tillpoint_executable(), *args, "--json"]
    try:
        done = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"`tillpoint {args[0]}` took over {CLI_TIMEOUT_S:.0f}s") from None
    if done.returncode != 0:
        raise BenchError(
            f"`tillpoint {args[0]}` failed with status {done.returncode}:\n"
            f"{done.stderr.strip()}\n{done.stdout.strip()}"
        )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            result: dict[str, str] = json.loads(line)
            return result
    raise BenchError(f"`tillpoint {args[0]}` printed no JSON:\n{done.stdout}")


# --------------------------------------------------------------------------- CPU accounting


def _proc_table() -> dict[int, tuple[int, str, float]]:
    """pid → (parent pid, command name, CPU seconds used) for every visible process."""
    tick = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, str, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                raw = stat.read()
        except OSError:
            continue
        comm = raw[raw.find("(") + 1 : raw.rfind(")")]
        rest = raw[raw.rfind(")") + 2 :].split()
        # After the name: state, ppid, …, utime (14th field of the line), stime (15th).
        table[int(entry.name)] = (int(rest[1]), comm, (int(rest[11]) + int(rest[12])) / tick)
    return table


def _process_title(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _ours_in_postgres(pid: int, database: str) -> bool:
    """A backend of the benchmark database, or a server-wide helper (WAL writer, checkpointer…);
    not a backend serving some other database on the same server."""
    title = _process_title(pid)
    if database in title:
        return True
    return "127.0.0.1(" not in title and "[local]" not in title and "autovacuum worker" not in title


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]
    idle = values[3] + values[4]
    total = sum(values)
    return (total - idle) / tick, total / tick


@dataclass
class CpuSample:
    at: float
    server: dict[int, float]  # pid → CPU seconds, for the server's process tree
    postgres: dict[int, float]  # pid → CPU seconds, for the postgres processes that are ours
    machine_busy: float
    machine_total: float


def cpu_sample(server_pid: int, database: str) -> CpuSample | None:
    if not Path("/proc/stat").exists():
        return None
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    tree: dict[int, float] = {}
    todo = [server_pid]
    while todo:
        pid = todo.pop()
        if pid in table:
            tree[pid] = table[pid][2]
        todo.extend(children.get(pid, []))
    postgres = {
        pid: cpu
        for pid, (_, comm, cpu) in table.items()
        if comm.startswith("postgres") and _ours_in_postgres(pid, database)
    }
    busy, total = _machine_busy()
    return CpuSample(time.monotonic(), tree, postgres, busy, total)


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    # Per process, so one that exits during the window does not count as negative CPU.
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def cpu_between(before: CpuSample | None, after: CpuSample | None) -> dict[str, float | None]:
    """CPU use over a window: processes in % of one core, the machine in % of all cores."""
    if before is None or after is None or after.at <= before.at:
        return {"serverCpuPct": None, "postgresCpuPct": None, "machineCpuPct": None}
    wall = after.at - before.at
    total = after.machine_total - before.machine_total
    return {
        "serverCpuPct": round(100 * _used(before.server, after.server) / wall, 1),
        "postgresCpuPct": round(100 * _used(before.postgres, after.postgres) / wall, 1),
        "machineCpuPct": (
            round(100 * (after.machine_busy - before.machine_busy) / total, 1) if total else None
        ),
    }


# --------------------------------------------------------------------------- load generation


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    target: str  # "tillpoint" or "baseline"
    kind: str  # "GET" or "POST"
    url: str
    expected_status: int
    headers: dict[str, str] = field(default_factory=dict)


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
    post = method == "POST"
    expected: int = job["expected_status"]
    budget = [int(job["max_requests"])]
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    cpu = {"from": 0.0, "to": 0.0}
    headers = dict(job["headers"])
    if post:
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
                if post:
                    name = f"Bench {job['run_id']} c{job['client']}-t{task}-{sent}"
                    body = json.dumps(
                        {
                            "name": name,
                            "address": {"city": "Springfield", "country": "US"},
                            "timezone": "America/Chicago",
                        }
                    ).encode()
                started = time.perf_counter()
                error: str | None = None
                try:
                    response = await client.request(method, job["url"], content=body)
                    if response.status_code != expected:
                        error = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    error = type(exc).__name__
                elapsed_ms = (time.perf_counter() - started) * 1000
                if measure_from <= time.time() <= measure_to:
                    if error is None:
                        latencies.append(elapsed_ms)
                    else:
                        errors[error] += 1

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
        "cpu_seconds": cpu["to"] - cpu["from"],
    }


def percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


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
    cpu = {
        **cpu_between(before, after),
        "loadgenCpuPct": round(100 * loadgen_cpu / args.seconds, 1),
    }
    if cpu["machineCpuPct"] is not None:
        # Whatever else kept the cores busy (other programs, the kernel): high means noisy figures.
        ours = sum(cpu[k] or 0.0 for k in ("serverCpuPct", "postgresCpuPct", "loadgenCpuPct"))
        cpu["otherCpuPct"] = round(max(0.0, cpu["machineCpuPct"] * (os.cpu_count() or 1) - ours), 1)
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
        "latencyMs": {
            "mean": round(sum(latencies) / ok, 3) if ok else None,
            "p50": _round(percentile(latencies, 0.50)),
            "p90": _round(percentile(latencies, 0.90)),
            "p99": _round(percentile(latencies, 0.99)),
            "max": _round(latencies[-1] if latencies else None),
        },
        "errors": sum(errors.values()),
        "errorKinds": dict(errors),
        "cpu": cpu,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def print_report(results: list[dict[str, Any]], ratios: dict[str, float | None]) -> None:
    table = Table(title="Tillpoint /v1/locations vs bare FastAPI (same run, same machine)")
    for column, justify in (
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
    ):
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
    for kind in ("get", "post"):
        ratio = ratios.get(kind)
        if ratio is None:
            text = "— (no baseline figure)"
        elif ratio == 0:
            text = "0 (no successful Tillpoint requests)"
        else:
            text = f"{ratio:.3f}  (baseline is {1 / ratio:.1f}× faster)"
        console.print(f"Tillpoint/baseline req/s, {kind.upper()}: [bold]{text}[/bold]")
    console.print(
        "Endpoints: Tillpoint GET /v1/locations?pageSize=50 and POST /v1/locations (API key), "
        "baseline GET and POST /v1/items.\n"
        "CPU columns are % of one core over the measured window: server = the uvicorn process "
        "tree, postgres = this database's backends and the server-wide helpers, loadgen = the "
        "httpx processes, other = the rest "
        f"of the machine's {os.cpu_count()} cores."
    )
    busy = [r["label"] for r in results if (r["cpu"].get("otherCpuPct") or 0) > 25]
    if busy:
        console.print(
            f"[yellow]The machine was busy with other work during: {', '.join(busy)} — "
            "these figures are noisy; run again on an idle machine.[/yellow]"
        )
    for result in results:
        if result["errorKinds"]:
            console.print(f"[red]{result['label']} errors:[/red] {result['errorKinds']}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


# --------------------------------------------------------------------------- main


def server_env(database_url: str, data_dir: Path, extra: list[str]) -> dict[str, str]:
    # Inherited TILLPOINT_* settings (a Redis URL, a log level…) would make runs incomparable.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLPOINT_")}
    env.update(
        TILLPOINT_DATABASE_URL=database_url,
        TILLPOINT_DATA_DIR=str(data_dir),
        TILLPOINT_LOG_LEVEL="WARNING",
        TILLPOINT_DEFAULT_RATE_LIMIT_PER_MINUTE=str(BENCH_RATE_LIMIT),
        TILLPOINT_ANONYMOUS_RATE_LIMIT_PER_MINUTE=str(BENCH_RATE_LIMIT),
    )
    for item in extra:
        name, value = item.split("=", 1)
        env[name] = value
    return env


def seed_locations(server: Server, api_key: str, count: int) -> None:
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        for i in range(count):
            response = client.post(
                "/v1/locations",
                json={"name": f"Seed store {i + 1:02d}", "address": {"country": "US"}},
            )
            if response.status_code != 201:
                raise BenchError(
                    f"seeding a location failed: {response.status_code} {response.text[:500]}"
                )
        listing = client.get("/v1/locations", params={"pageSize": 50})
        if listing.status_code != 200 or listing.json().get("total") != count:
            raise BenchError(f"listing seeded locations failed: {listing.text[:500]}")


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    admin_url = admin_url_from_env()
    idle_check = machine_busy_pct()
    if idle_check is not None and idle_check > 25:
        console.print(
            f"[yellow]The machine is already {idle_check:.0f}% busy before the benchmark starts; "
            "expect noisy figures.[/yellow]"
        )
    run_id = secrets.token_hex(4)
    db_name = f"tillpoint_bench_{run_id}"
    database_url = admin_url.set(drivername="postgresql", database=db_name).render_as_string(
        hide_password=False
    )
    work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tillpoint-bench-")))

    try:
        pg_version = admin(admin_url, "SHOW server_version")
        admin(admin_url, f'CREATE DATABASE "{db_name}"')
    except Exception as exc:
        raise BenchError(f"cannot create the benchmark database: {exc}") from None
    stack.callback(drop_database, admin_url, db_name)
    console.print(f"database [bold]{db_name}[/bold] (PostgreSQL {pg_version})")

    env = server_env(database_url, work / "data", args.server_env)
    tp_port, base_port = free_port(), free_port()
    workers = str(args.workers)
    tillpoint = start_server(
        "tillpoint",
        [tillpoint_executable(), "serve", "--host", HOST, "--port", str(tp_port)]
        + ["--workers", workers],
        tp_port,
        env,
        work,
    )
    stack.callback(stop_server, tillpoint)
    baseline_env = {k: v for k, v in os.environ.items() if not k.startswith("TILLPOINT_")}
    baseline = start_server(
        "baseline",
        [sys.executable, "-m", "uvicorn", "bench.baseline_app:app", "--host", HOST]
        + ["--port", str(base_port), "--workers", workers]
        + ["--log-level", "warning", "--no-access-log"],
        base_port,
        baseline_env,
        work,
    )
    stack.callback(stop_server, baseline)
    wait_ready(tillpoint, "/readyz")
    wait_ready(baseline, "/healthz")
    console.print(
        f"tillpoint serve on {tillpoint.base_url}, baseline on {baseline.base_url} "
        f"({args.workers} worker{'s' if args.workers > 1 else ''} each)"
    )

    tenant = run_cli(
        [
            "create-tenant",
            "--name",
            "Bench Shop",
            "--owner-email",
            f"owner-{run_id}@bench.example.com",
            "--owner-password",
            secrets.token_urlsafe(18),
        ],
        env,
    )
    # No --rate-limit: the key takes TILLPOINT_DEFAULT_RATE_LIMIT_PER_MINUTE from the env above
    # (the flag itself is capped at 100,000/min, which a long run could reach).
    key = run_cli(
        ["create-api-key", "--tenant-id", tenant["tenantId"], "--name", "bench"]
        + ["--scopes", SCOPES],
        env,
    )
    seed_locations(tillpoint, key["key"], args.seed_locations)
    console.print(
        f"tenant {tenant['tenantId']}, API key {key['id']}, {args.seed_locations} locations"
    )

    auth = {"authorization": f"Bearer {key['key']}"}
    scenarios = [
        Scenario(
            "tillpoint-get",
            "Tillpoint GET",
            "tillpoint",
            "GET",
            f"{tillpoint.base_url}/v1/locations?pageSize=50",
            200,
            auth,
        ),
        Scenario(
            "baseline-get", "baseline GET", "baseline", "GET", f"{baseline.base_url}/v1/items", 200
        ),
        Scenario(
            "tillpoint-post",
            "Tillpoint POST",
            "tillpoint",
            "POST",
            f"{tillpoint.base_url}/v1/locations",
            201,
            auth,
        ),
        Scenario(
            "baseline-post",
            "baseline POST",
            "baseline",
            "POST",
            f"{baseline.base_url}/v1/items",
            201,
        ),
    ]

    started = dt.datetime.now(dt.UTC)
    results: list[dict[str, Any]] = []
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(args.clients, initializer=_ignore_sigint)
    stack.callback(pool.join)
    stack.callback(pool.terminate)
    for scenario in scenarios:
        server = tillpoint if scenario.target == "tillpoint" else baseline
        console.print(
            f"… {scenario.label}: {args.warmup:g}s warm-up + {args.seconds:g}s at "
            f"concurrency {args.concurrency}"
        )
        result = run_scenario(pool, scenario, args, run_id, server, db_name)
        if server.proc.poll() is not None:
            raise BenchError(f"{server.name} died during {scenario.label}:\n{server.log_tail()}")
        results.append(result)
        time.sleep(args.pause)

    by_key = {r["scenario"]: r for r in results}
    ratios: dict[str, float | None] = {}
    for kind in ("get", "post"):
        ours, base = (
            by_key[f"tillpoint-{kind}"]["reqPerSec"],
            by_key[f"baseline-{kind}"]["reqPerSec"],
        )
        ratios[kind] = round(ours / base, 4) if base else None

    print_report(results, ratios)
    report = {
        "benchmark": "api_locations",
        "startedAt": started.isoformat().replace("+00:00", "Z"),
        "command": [Path(sys.executable).name, "-m", "bench.api_locations", *sys.argv[1:]],
        "config": {
            "seconds": args.seconds,
            "warmupSeconds": args.warmup,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "clients": args.clients,
            "seedLocations": args.seed_locations,
            "serverEnv": args.server_env,
            "rateLimitPerMinute": BENCH_RATE_LIMIT,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "postgres": pg_version,
            "httpx": httpx.__version__,
            "busyBeforeStartPct": idle_check,
        },
        "git": git_state(),
        "scenarios": results,
        "ratios": {
            "tillpointOverBaselineGet": ratios["get"],
            "tillpointOverBaselinePost": ratios["post"],
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"results written to {args.output}")
    errors = sum(r["errors"] for r in results)
    return 1 if errors else 0


def drop_database(admin_url: URL, db_name: str) -> None:
    try:
        admin(admin_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    except Exception as exc:
        console.print(f"[red]could not drop database {db_name}: {exc}[/red]")
    else:
        console.print(f"dropped database {db_name}")


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Ctrl-C and SIGTERM both unwind through the clean-up below (SIGINT is set explicitly: a
    # shell starts background jobs with it ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    stack = contextlib.ExitStack()
    status = 1
    try:
        status = run(args, stack)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted — cleaning up[/yellow]")
        status = 130
    except BenchError as exc:
        console.print(f"[red]benchmark failed:[/red] {exc}")
        status = 1
    finally:
        # A second Ctrl-C must not leave servers or the database behind.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            stack.close()
        finally:
            signal.signal(signal.SIGINT, previous)
    return status


if __name__ == "__main__":
    sys.exit(main())
