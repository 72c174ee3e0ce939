"""Server subprocesses: started in their own process group, awaited, stopped on exit.

Every server listens on ``HOST`` (loopback) at a ``free_port()``, writes its output to a log
file in the run's scratch directory, and is stopped — SIGTERM to its process group, SIGKILL
after ``STOP_TIMEOUT_S`` — when the run's ``ExitStack`` closes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness import ROOT, BenchError

HOST = "127.0.0.1"
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 20.0


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


def environment_without_tillpoint_settings() -> dict[str, str]:
    """This process's environment minus ``TILLPOINT_*``: inherited settings (a Redis URL, a log
    level…) would make runs incomparable."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TILLPOINT_")}


def uvicorn_command(app: str, port: int, workers: int) -> list[str]:
    """``python -m uvicorn`` serving ``app`` ("module:attribute") the way ``tillpoint serve``
    serves Tillpoint: on ``HOST``, uvloop and httptools picked the same way, no access log."""
    return [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port)] + [
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def start_server(
    stack: contextlib.ExitStack,
    name: str,
    cmd: list[str],
    port: int,
    env: dict[str, str],
    logs: Path,
) -> Server:
    """Start ``cmd`` (which must listen on ``port``) and register its stop on ``stack``."""
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
    server = Server(name, proc, port, log_path)
    stack.callback(stop_server, server)
    return server


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
    """Poll ``GET path`` until it answers 200; fails if the server exits or takes too long."""
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
