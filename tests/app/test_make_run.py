"""``make run PORT=… HOST=…`` serves the API where it is told (127.0.0.1:8000 unless told)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port

REPO = Path(__file__).parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        **kwargs,  # type: ignore[call-overload]
    )


def serve_line(*args: str) -> str:
    """The ``tillpoint serve`` command ``make run`` would run (``make -n`` runs nothing)."""
    commands = make("-n", "run", *args).stdout.splitlines()
    return next(c for c in commands if "tillpoint serve" in c)


def test_run_passes_host_and_port_to_serve() -> None:
    assert serve_line().endswith("tillpoint serve --host 127.0.0.1 --port 8000")
    assert serve_line("PORT=8001").endswith("tillpoint serve --host 127.0.0.1 --port 8001")
    assert serve_line("PORT=8001", "HOST=0.0.0.0").endswith(
        "tillpoint serve --host 0.0.0.0 --port 8001"
    )
    # Only the command line sets them: a shell's HOST (the machine's name) is not an address.
    os_env = {**os.environ, "HOST": "till-1.example", "PORT": "9"}
    assert make("-n", "run", env=os_env).stdout.rstrip().endswith("--host 127.0.0.1 --port 8000")


def test_make_run_serves_on_the_port_given(tmp_path: Path) -> None:
    """The real thing: migrate, seed the demo store and serve, on a port of our choosing."""
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed").touch()  # this interpreter's environment is already installed
    port = free_port()
    env = {
        **os.environ,
        "TILLPOINT_DATABASE_URL": f"sqlite:///{tmp_path / 'tillpoint.db'}",
        "TILLPOINT_DATA_DIR": str(tmp_path / "data"),
        "TILLPOINT_ARGON2_TIME_COST": "1",
        "TILLPOINT_ARGON2_MEMORY_KIB": "1024",
    }
    args = [f"VENV={venv}", f"BIN={Path(sys.executable).parent}", f"PORT={port}", "HOST=127.0.0.1"]
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "-C", str(REPO), "run", *args],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log_path.read_text(errors="replace")
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        printed = log_path.read_text(errors="replace")
        assert f"http://127.0.0.1:{port}/docs" in printed
        assert "owner login" in printed
        if port != 8000:
            assert ":8000/" not in printed  # no URL of a server that is not there
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
