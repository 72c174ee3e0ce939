"""The feed's no-miss guarantee across real server processes: two uvicorn workers on one
database, 8 writer threads over HTTP, and a consumer polling with ``after=`` meanwhile."""

import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.server import cli_api_key, cli_env, cli_tenant, running_server

WRITERS = 8
SECONDS = 4.0


def worker_processes(pid: int) -> list[int]:
    """The uvicorn worker processes a ``serve --workers N`` supervisor has spawned."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == pid and b"spawn_main" in command:
                children.append(int(entry.name))
    return children


def test_writers_on_two_processes_and_a_consumer(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("two server processes are the PostgreSQL deployment")
    env = cli_env(database_url, tmp_path, TILLPOINT_LOG_LEVEL="WARNING")
    tenant = cli_tenant(env, f"feed-{uuid.uuid4().hex[:8]}@shop.example.com", "feed-password")
    key = cli_api_key(env, tenant["tenantId"], "settings:read,settings:write,events:read")["key"]
    headers = {"Authorization": f"Bearer {key}"}
    created: list[str] = []
    failures: list[str] = []
    with running_server(env, tmp_path / "server.log", "--workers", "2") as server:
        stop_at = time.monotonic() + SECONDS

        def write(n: int) -> None:
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
                i = 0
                while time.monotonic() < stop_at:
                    response = client.post("/v1/locations", json={"name": f"w{n}-{i}"})
                    if response.status_code != 201:
                        failures.append(response.text)
                        return
                    created.append(response.json()["locationId"])
                    i += 1

        seen: list[dict] = []
        assert len(worker_processes(server.process.pid)) == 2, "expected two server processes"
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as consumer:

            def poll(after: int) -> int:
                page = consumer.get("/v1/events", params={"after": after, "limit": 200}).json()
                seen.extend(page["items"])
                return int(page["nextAfter"])

            writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
            for thread in writers:
                thread.start()
            after = 0
            while any(thread.is_alive() for thread in writers):
                after = poll(after)
            for thread in writers:
                thread.join()
            while True:
                before = after
                after = poll(after)
                if after == before:
                    break

    assert not failures, failures[:3]
    assert len(created) >= WRITERS * 5, "the writers barely ran"
    seqs = [e["seq"] for e in seen]
    assert seqs == list(range(1, len(seqs) + 1)), "events missed, repeated or out of order"
    assert {e["data"]["locationId"] for e in seen if e["type"] == "location.created"} == set(
        created
    )
