"""CPU accounting from ``/proc``: who used the cores during a measured window.

Processes are counted in % of one core (up to 100 × cores), the machine in % of all cores:
``server`` is the server's process tree, ``postgres`` the PostgreSQL processes serving the
benchmark database plus the server-wide helpers, ``loadgen`` the load-generator processes
(they measure themselves), ``other`` whatever else kept the machine busy. Without ``/proc`` the
figures are ``None``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.harness import console

# Above this, something else competed for the cores and the figures are noise.
BUSY_WARNING_PCT = 25


@dataclass
class CpuSample:
    at: float
    server: dict[int, float]  # pid → CPU seconds, for the server's process tree
    postgres: dict[int, float]  # pid → CPU seconds, for the postgres processes that are ours
    machine_busy: float
    machine_total: float


def busy_before_start() -> float | None:
    """How busy the machine is for one second before a run; warns when it is too busy."""
    busy = machine_busy_pct()
    if busy is not None and busy > BUSY_WARNING_PCT:
        console.print(
            f"[yellow]The machine is already {busy:.0f}% busy before the benchmark starts; "
            "expect noisy figures.[/yellow]"
        )
    return busy


def machine_busy_pct(seconds: float = 1.0) -> float | None:
    """How busy the machine's cores are (in % of all of them), measured over ``seconds``."""
    if not Path("/proc/stat").exists():
        return None
    busy0, total0 = _machine_busy()
    time.sleep(seconds)
    busy1, total1 = _machine_busy()
    return round(100 * (busy1 - busy0) / (total1 - total0), 1) if total1 > total0 else None


def cpu_sample(server_pids: int | Iterable[int], database: str) -> CpuSample | None:
    """CPU used so far by the process trees of ``server_pids`` (one server, or several summed:
    ``bench.checkout --processes``), by our PostgreSQL processes and by the machine."""
    if not Path("/proc/stat").exists():
        return None
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    tree: dict[int, float] = {}
    todo = [server_pids] if isinstance(server_pids, int) else list(server_pids)
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


def cpu_between(before: CpuSample | None, after: CpuSample | None) -> dict[str, float | None]:
    """CPU use over a window: processes in % of one core, the machine in % of all cores."""
    if before is None or after is None or after.at <= before.at:
        return {"serverCpuPct": None, "postgresCpuPct": None, "machineCpuPct": None}
    wall = after.at - before.at
    total = after.machine_total - before.machine_total
    return {
        "serverCpuPct": round(100 * used_cpu(before.server, after.server) / wall, 1),
        "postgresCpuPct": round(100 * used_cpu(before.postgres, after.postgres) / wall, 1),
        "machineCpuPct": (
            round(100 * (after.machine_busy - before.machine_busy) / total, 1) if total else None
        ),
    }


def cpu_shares(
    before: CpuSample | None, after: CpuSample | None, loadgen_cpu_s: float, seconds: float
) -> dict[str, float | None]:
    """``cpu_between`` plus the load generator's share and the rest of the machine's."""
    cpu = {
        **cpu_between(before, after),
        "loadgenCpuPct": round(100 * loadgen_cpu_s / seconds, 1),
    }
    if cpu["machineCpuPct"] is not None:
        # Whatever else kept the cores busy (other programs, the kernel): high means noisy figures.
        ours = sum(cpu[k] or 0.0 for k in ("serverCpuPct", "postgresCpuPct", "loadgenCpuPct"))
        cpu["otherCpuPct"] = round(max(0.0, cpu["machineCpuPct"] * (os.cpu_count() or 1) - ours), 1)
    return cpu


def used_cpu(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the processes used between two samples' ``server`` or ``postgres``."""
    # Per process, so one that exits during the window does not count as negative CPU.
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]
    idle = values[3] + values[4]
    total = sum(values)
    return (total - idle) / tick, total / tick


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
