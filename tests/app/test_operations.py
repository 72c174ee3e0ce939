"""Operations on a real server process: health, readiness, metrics, logs, graceful stop, CLI."""

import json
import signal
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.server import (
    TILLPOINT,
    cli_api_key,
    cli_env,
    cli_tenant,
    run_cli,
    running_server,
)

PASSWORD = "operations-password"


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return cli_env(database_url, tmp_path, TILLPOINT_LOG_JSON="true")


def new_tenant(env: dict[str, str]) -> tuple[dict[str, str], str]:
    email = f"ops-{uuid.uuid4().hex[:8]}@shop.example.com"
    made = cli_tenant(env, email, PASSWORD, "--currency", "EUR", "--timezone", "Europe/Paris")
    return made, email


def test_cli_creates_tenants_and_keys(env: dict[str, str]) -> None:
    made, _ = new_tenant(env)
    assert made["tenantId"].startswith("ten_")
    assert made["ownerUserId"].startswith("usr_")
    key = cli_api_key(env, made["tenantId"], "settings:read,events:read", "--rate-limit", "60")
    assert key["apiKeyId"].startswith("key_")
    assert key["key"].startswith("tp_")
    bad = run_cli(
        env, "create-api-key", "--tenant-id", made["tenantId"], "--name", "x", "--scopes", "nope"
    )
    assert bad.returncode == 2
    assert "VALIDATION_ERROR" in bad.stderr
    unknown = run_cli(
        env,
        "create-tenant",
        "--name",
        "X",
        "--owner-email",
        "x@y.example.com",
        "--owner-password",
        PASSWORD,
        "--timezone",
        "Mars/Base",
        "--json",
    )
    assert unknown.returncode == 2
    assert "timezone" in unknown.stderr


def test_server_health_metrics_logs_and_key_use(env: dict[str, str], tmp_path: Path) -> None:
    made, email = new_tenant(env)
    key = cli_api_key(env, made["tenantId"], "settings:read,settings:write", "--rate-limit", "60")
    with running_server(env, tmp_path / "server.log") as server:
        base = server.base_url
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert httpx.get(f"{base}/readyz").json()["migrations"] == "current"
        login = httpx.post(f"{base}/v1/sessions", json={"username": email, "password": PASSWORD})
        token = login.json()["authToken"]
        headers = {"Authorization": f"Bearer {key['key']}", "X-Request-Id": "ops-req-1"}
        created = httpx.post(f"{base}/v1/locations", headers=headers, json={"name": "Paris"})
        assert created.status_code == 201
        assert created.json()["timezone"] == "Europe/Paris", "defaults to the tenant's timezone"
        assert (
            httpx.get(
                f"{base}/v1/locations/{created.json()['locationId']}", headers=headers
            ).status_code
            == 200
        )

        metrics = httpx.get(f"{base}/metrics").text
        assert 'route="/v1/locations/{location_id}"' in metrics
        assert (
            'tillpoint_http_requests_total{method="POST",route="/v1/locations",status="201"} 1.0'
            in metrics
        )
        assert "tillpoint_http_request_duration_seconds_bucket" in metrics
        assert "tillpoint_job_queue_depth" in metrics
        assert "tillpoint_event_outbox_lag_seconds_count" in metrics

    log = server.log()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    request = next(line for line in lines if line.get("request_id") == "ops-req-1")
    assert request["tenant_id"] == made["tenantId"]
    assert request["principal"] == f"api_key:{key['apiKeyId']}"
    assert request["status"] == 201
    for secret in (PASSWORD, token, key["key"]):
        assert secret not in log


def test_graceful_shutdown_finishes_requests_in_flight(env: dict[str, str], tmp_path: Path) -> None:
    # A costly password hash makes the login slow enough to be in flight at SIGTERM.
    slow = {**env, "TILLPOINT_ARGON2_TIME_COST": "40", "TILLPOINT_ARGON2_MEMORY_KIB": "65536"}
    _, email = new_tenant(slow)
    with running_server(slow, tmp_path / "server.log") as server:
        result: dict[str, httpx.Response] = {}

        def log_in() -> None:
            result["login"] = httpx.post(
                f"{server.base_url}/v1/sessions",
                json={"username": email, "password": PASSWORD},
                timeout=60,
            )

        worker = threading.Thread(target=log_in)
        started = time.monotonic()
        worker.start()
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        worker.join(timeout=60)
        # uvicorn re-raises the signal once it has shut down cleanly, so the parent sees it.
        assert server.process.wait(timeout=60) in {0, -signal.SIGTERM}
    assert result["login"].status_code == 201, result["login"].text
    assert time.monotonic() - started > 0.3
    assert "Finished server process" in server.log() or "shutdown" in server.log().lower()


def test_demo_command_seeds_once_and_prints_logins(env: dict[str, str]) -> None:
    first = run_cli(env, "demo", "--if-missing")
    assert first.returncode == 0, first.stderr
    assert "owner login" in first.stdout
    assert "demo API key" in first.stdout
    again = run_cli(env, "demo", "--if-missing")
    assert again.returncode == 0
    assert again.stdout == first.stdout


def test_worker_process_claims_jobs_and_stops_on_sigterm(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    """A `tillpoint worker` process takes due jobs from the shared database. No production
    job kinds exist yet, so the job it claims fails for want of a handler and is rescheduled —
    which shows it was claimed, attempted and kept, not lost."""
    import asyncio
    import subprocess

    from sqlalchemy import select

    from tillpoint.core.db import Database, utcnow
    from tillpoint.core.jobs import Job
    from tillpoint.core.transactions import transaction

    job_id = f"job_{uuid.uuid4().hex[:26].upper()}"

    async def insert() -> None:
        db = Database(database_url)
        async with transaction(db) as session:
            session.add(
                Job(
                    id=job_id,
                    tenant_id=None,
                    kind="nobody.handles.this",
                    payload={},
                    run_at=utcnow(),
                    max_attempts=5,
                )
            )
        await db.dispose()

    async def state() -> Job:
        db = Database(database_url)
        async with db.session() as session:
            row = (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()
        await db.dispose()
        return row

    asyncio.run(insert())
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [str(Path(TILLPOINT)), "worker", "--concurrency", "2"], env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 60
        while asyncio.run(state()).attempts == 0:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    claimed = asyncio.run(state())
    assert claimed.status == "queued"
    assert "no handler" in (claimed.last_error or "")
