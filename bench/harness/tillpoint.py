"""The ``tillpoint`` command, as the benchmarks run it: environment, ``serve``, tenant, API key.

The server and the CLI get the same environment: the throw-away database, a scratch data
directory, ``TILLPOINT_LOG_LEVEL=WARNING`` and a rate limit no run can reach, no inherited
``TILLPOINT_*`` variables, then the ``--server-env`` additions.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.harness import ROOT, BenchError
from bench.harness.servers import HOST, environment_without_tillpoint_settings

# Far above anything two cores can serve, so the benchmark never meets a 429.
BENCH_RATE_LIMIT = 1_000_000_000
CLI_TIMEOUT_S = 120.0


def server_env(database_url: str, data_dir: Path, extra: list[str]) -> dict[str, str]:
    env = environment_without_tillpoint_settings()
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


def serve_command(port: int, workers: int) -> list[str]:
    """``tillpoint serve`` (uvicorn, migrations applied on start) on ``HOST:port``."""
    return [tillpoint_executable(), "serve", "--host", HOST, "--port", str(port)] + [
        "--workers",
        str(workers),
    ]


def create_tenant_and_api_key(
    run_id: str, scopes: str, env: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """A tenant ("Bench Shop") and an API key with ``scopes``, made with the CLI: the CLI's
    JSON for each (``tenantId``…; ``id``, ``key``…)."""
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
        + ["--scopes", scopes],
        env,
    )
    return tenant, key


def tillpoint_executable() -> str:
    beside = Path(sys.executable).with_name("tillpoint")
    if beside.exists():
        return str(beside)
    found = shutil.which("tillpoint")
    if found is None:
        raise BenchError("the `tillpoint` command is not installed (run `make` first)")
    return found


def run_cli(args: list[str], env: dict[str, str]) -> dict[str, str]:
    """Run ``tillpoint <args> --json`` and return the JSON object it printed last."""
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


async def in_process_api_key(client: Any, db: Any, scopes: str) -> tuple[dict[str, str], str]:
    """For the in-process profiles: a new tenant whose owner makes an API key with ``scopes``
    (comma-separated) through the app behind ``client``; (the key's headers, the tenant id)."""
    from tillpoint.core.transactions import transaction
    from tillpoint.provisioning import create_tenant

    email = f"owner-{secrets.token_hex(4)}@bench.example.com"
    password = secrets.token_urlsafe(18)
    async with transaction(db) as session:
        made = await create_tenant(
            session, name="Bench Shop", owner_email=email, owner_password=password,
            currency="USD", timezone="America/New_York",
        )  # fmt: skip
    login = await client.post("/v1/sessions", json={"username": email, "password": password})
    owner = {"authorization": f"Bearer {login.json()['authToken']}"}
    key = await client.post(
        "/v1/api-keys", headers=owner, json={"name": "bench", "scopes": scopes.split(",")}
    )
    return {"authorization": f"Bearer {key.json()['key']}"}, made.tenant.id
