"""Real ``tillpoint worker`` processes on PostgreSQL: SIGTERM lets the job at hand finish (or
hands it back when the grace runs out), SIGKILL loses nothing once the lease runs out.

The worker subprocess imports this module too, for the ``test.proc.slow`` handler."""

# ruff: noqa: ASYNC230, ASYNC240  (small marker files, read and written in place)

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.server import cli_env
from tillpoint.core.db import Database
from tillpoint.core.jobs import (
    QUEUED,
    SUCCEEDED,
    Job,
    JobContext,
    cancel_recurring,
    enqueue,
    job_handler,
    schedule_recurring,
)
from tillpoint.core.transactions import transaction

ROOT = str(Path(__file__).parents[2])
BOOT = (
    f"import sys; sys.path.insert(0, {ROOT!r}); import tests.core.test_jobs_processes; "
    "from tillpoint.cli import app; app(prog_name='tillpoint')"
)


@job_handler("test.proc.slow")
async def slow(ctx: JobContext, payload: dict) -> None:
    marker = Path(payload["marker"])
    first_start = not marker.exists()
    with marker.open("a") as out:
        out.write(f"start {ctx.attempt} {os.getpid()}\n")
    await asyncio.sleep(payload["first"] if first_start else payload["after"])
    with marker.open("a") as out:
        out.write(f"end {ctx.attempt} {os.getpid()}\n")


@job_handler("test.proc.tick")
async def tick(_ctx: JobContext, payload: dict) -> None:
    marker = Path(payload["marker"])
    with marker.open("a") as out:
        out.write(f"start {time.time()} {os.getpid()}\n")
    await asyncio.sleep(payload["seconds"])
    with marker.open("a") as out:
        out.write(f"end {time.time()} {os.getpid()}\n")


@pytest.fixture
def postgres_only(dialect: str) -> None:
    if dialect != "postgresql":
        pytest.skip("worker processes are the PostgreSQL deployment")


def start_worker(database_url: str, tmp_path: Path, name: str, *args: str) -> subprocess.Popen:
    env = cli_env(database_url, tmp_path, TILLPOINT_JOB_POLL_SECONDS="0.1")
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-c", BOOT, "worker", "--concurrency", "2", *args],
        env=env,
        stdout=log,
        stderr=log,
    )


async def enqueue_slow(db: Database, marker: Path, first: float, after: float = 0.0) -> str:
    async with transaction(db) as session:
        return enqueue(
            session, "test.proc.slow", {"marker": str(marker), "first": first, "after": after}
        )


async def job(db: Database, job_id: str) -> Job:
    async with db.session() as session:
        return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()


async def lines_once(marker: Path, prefix: str, within: float = 60) -> list[str]:
    deadline = time.monotonic() + within
    while True:
        lines = marker.read_text().splitlines() if marker.exists() else []
        if any(line.startswith(prefix) for line in lines):
            return lines
        assert time.monotonic() < deadline, f"no {prefix!r} in {marker}: {lines}"
        await asyncio.sleep(0.05)


def stopped(process: subprocess.Popen, within: float = 30) -> int:
    try:
        return process.wait(timeout=within)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def ended(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.mark.usefixtures("postgres_only")
async def test_sigterm_lets_the_running_job_finish(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    marker = tmp_path / "finish.txt"
    job_id = await enqueue_slow(db, marker, first=1.5)
    worker = start_worker(database_url, tmp_path, "finish", "--grace-seconds", "20")
    try:
        await lines_once(marker, "start 1")
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(stopped, worker) == 0
    finally:
        ended(worker)
    done = await job(db, job_id)
    assert (done.status, done.attempts) == (SUCCEEDED, 1)
    assert [line.split()[:2] for line in marker.read_text().splitlines()] == [
        ["start", "1"],
        ["end", "1"],
    ]


@pytest.mark.usefixtures("postgres_only")
async def test_sigterm_past_the_grace_hands_the_job_to_the_next_worker(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    marker = tmp_path / "handed.txt"
    job_id = await enqueue_slow(db, marker, first=600)
    first = start_worker(database_url, tmp_path, "handed-1", "--grace-seconds", "0.5")
    try:
        await lines_once(marker, "start 1")
        first.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(stopped, first) == 0
    finally:
        ended(first)
    handed_back = await job(db, job_id)
    assert (handed_back.status, handed_back.locked_by) == (QUEUED, None)
    second = start_worker(database_url, tmp_path, "handed-2")
    try:
        await lines_once(marker, "end")
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.to_thread(stopped, second)
    done = await job(db, job_id)
    assert done.status == SUCCEEDED
    assert [line.split()[:2] for line in marker.read_text().splitlines()] == [
        ["start", "1"],
        ["start", "1"],  # the cut attempt did not count
        ["end", "1"],
    ]


@pytest.mark.usefixtures("postgres_only")
async def test_sigkill_mid_job_loses_nothing(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    marker = tmp_path / "killed.txt"
    job_id = await enqueue_slow(db, marker, first=600)
    doomed = start_worker(database_url, tmp_path, "killed-1", "--lease-seconds", "2")
    try:
        await lines_once(marker, "start 1")
        doomed.send_signal(signal.SIGKILL)
        await asyncio.to_thread(stopped, doomed)
    finally:
        ended(doomed)
    assert (await job(db, job_id)).status == "running", "the dead worker's lease still holds"
    survivor = start_worker(database_url, tmp_path, "killed-2")
    try:
        await lines_once(marker, "end")
    finally:
        survivor.send_signal(signal.SIGTERM)
        await asyncio.to_thread(stopped, survivor)
    done = await job(db, job_id)
    assert (done.status, done.attempts) == (SUCCEEDED, 2)
    assert [line.split()[:2] for line in marker.read_text().splitlines()] == [
        ["start", "1"],
        ["start", "2"],
        ["end", "2"],
    ]


@pytest.mark.usefixtures("postgres_only")
async def test_a_recurring_job_over_three_workers_runs_once_per_interval(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    marker, every, key = tmp_path / "ticks.txt", 0.5, f"tick-{tmp_path.name}"
    workers = [start_worker(database_url, tmp_path, f"tick-{i}") for i in range(3)]
    try:
        scheduled_at = time.time()  # the first run's slot; run k's slot is k intervals on
        async with transaction(db) as session:
            await schedule_recurring(
                session,
                "test.proc.tick",
                {"marker": str(marker), "seconds": 0.2},
                key=key,
                every=timedelta(seconds=every),
            )
        await lines_once(marker, "start")
        await asyncio.sleep(4)
        async with transaction(db) as session:
            await cancel_recurring(session, key)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            assert await asyncio.to_thread(stopped, worker) == 0
    finally:
        for worker in workers:
            ended(worker)
    lines = [line.split() for line in marker.read_text().splitlines()]
    starts = [float(t) for kind, t, _ in lines if kind == "start"]
    ends = [float(t) for kind, t, _ in lines if kind == "end"]
    assert [kind for kind, _, _ in lines] == ["start", "end"] * len(starts), "runs overlapped"
    assert len(starts) >= 6
    assert len(starts) <= (starts[-1] - scheduled_at) / every + 1, "ran more than once per slot"
    assert all(b >= a for a, b in zip(ends, starts[1:], strict=False))
