"""A real ``tillpoint serve`` process on a free local port, for tests that need the whole stack."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

TILLPOINT = str(Path(sys.executable).with_name("tillpoint"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TILLPOINT_DATABASE_URL": database_url,
        "TILLPOINT_DATA_DIR": str(data_dir),
        "TILLPOINT_ARGON2_TIME_COST": "1",
        "TILLPOINT_ARGON2_MEMORY_KIB": "1024",
        "TILLPOINT_DEFAULT_RATE_LIMIT_PER_MINUTE": "1000000",
        "TILLPOINT_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    env.update(extra)
    return env


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TILLPOINT, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def cli_json(env: dict[str, str], *args: str) -> dict[str, str]:
    done = run_cli(env, *args, "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, str] = json.loads(done.stdout)
    return result


def cli_tenant(env: dict[str, str], email: str, password: str, *extra: str) -> dict[str, str]:
    """``tillpoint create-tenant --json`` for a tenant owned by ``email``."""
    return cli_json(
        env,
        "create-tenant",
        "--name",
        "Test",
        "--owner-email",
        email,
        "--owner-password",
        password,
        *extra,
    )


def cli_api_key(env: dict[str, str], tenant_id: str, scopes: str, *extra: str) -> dict[str, str]:
    """``tillpoint create-api-key --json`` with these comma-separated scopes."""
    return cli_json(
        env,
        "create-api-key",
        "--tenant-id",
        tenant_id,
        "--name",
        "test",
        "--scopes",
        scopes,
        *extra,
    )


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def running_server(env: dict[str, str], log_path: Path, *args: str) -> Iterator[Server]:
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [TILLPOINT, "serve", "--port", str(port), *args], env=env, stdout=log, stderr=log
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"server exited early:\n{server.log()}"
            try:
                if httpx.get(f"{server.base_url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"server not ready:\n{server.log()}"
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
