"""The live event stream ``GET /v1/events/stream`` (Server-Sent Events) on a real server: events
in seq order, filters, and a client that disconnects and resumes with ``Last-Event-ID`` seeing
every event exactly once — also while concurrent writers commit out of order."""

import signal
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.support.server import Server, cli_api_key, cli_env, cli_tenant, running_server
from tests.support.tenants import TenantFixture, add_api_key, add_location, add_user, bearer

STREAM = "/v1/events/stream"
TIMEOUT = httpx.Timeout(10, read=20)


class SseClient:
    """An SSE client over httpx streaming: parses messages, skips comments and hints."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.iter_lines()
        self.retry: int | None = None

    def next_message(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        for line in self.lines:
            if line == "":
                if fields:
                    return fields
                continue
            if line.startswith(":"):
                fields.setdefault("comment", line)
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        raise EOFError("the stream ended")

    def next_event(self) -> dict[str, Any]:
        while True:
            message = self.next_message()
            if "retry" in message:
                self.retry = int(message["retry"])
            if "id" in message:
                event: dict[str, Any] = orjson.loads(message["data"])
                assert message["id"] == str(event["seq"])
                assert message["event"] == event["type"]
                return event

    def events(self, n: int) -> list[dict[str, Any]]:
        return [self.next_event() for _ in range(n)]


@contextmanager
def open_stream(
    client: httpx.Client, *, last_event_id: int | None = None, **params: Any
) -> Iterator[SseClient]:
    headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
    with client.stream("GET", STREAM, params=params, headers=headers) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        sse = SseClient(response)
        # The stream's first message is its retry hint: from here on, it is reading.
        assert "retry" in sse.next_message()
        yield sse


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data_dir = tmp_path_factory.mktemp("stream")
    env = cli_env(database_url, data_dir, TILLPOINT_LOG_LEVEL="WARNING")
    keys = []
    for name in ("a", "b"):
        tenant = cli_tenant(
            env, f"stream-{name}-{uuid.uuid4().hex[:8]}@shop.example.com", "pw-12345678"
        )
        scopes = "settings:read,settings:write,events:read"
        keys.append(cli_api_key(env, tenant["tenantId"], scopes)["key"])
    with running_server(env, data_dir / "server.log") as server:
        yield {"server": server, "keys": keys, "env": env, "data_dir": data_dir}
        assert "Traceback" not in server.log(), server.log()


def client_for(live: dict[str, Any], tenant: int = 0) -> httpx.Client:
    server: Server = live["server"]
    return httpx.Client(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {live['keys'][tenant]}"},
        timeout=TIMEOUT,
    )


def create_locations(client: httpx.Client, n: int, prefix: str = "loc") -> list[str]:
    ids = []
    for i in range(n):
        response = client.post("/v1/locations", json={"name": f"{prefix}-{i}"})
        assert response.status_code == 201, response.text
        ids.append(response.json()["locationId"])
    return ids


def test_events_arrive_in_seq_order_and_other_tenants_never(live: dict[str, Any]) -> None:
    with client_for(live) as client, client_for(live, 1) as other:
        with open_stream(client) as sse:
            created = []
            for i in range(5):
                created += create_locations(client, 1, f"order-{i}")
                create_locations(other, 1, f"other-{i}")  # another tenant's, in between
            events = sse.events(5)
        assert sse.retry is None or sse.retry > 0
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    assert [e["type"] for e in events] == ["location.created"] * 5
    assert [e["data"]["locationId"] for e in events] == created
    assert all(e["locationId"] == e["data"]["locationId"] for e in events)
    assert set(events[0]) == {"id", "seq", "type", "occurredAt", "locationId", "data"}


def test_type_and_location_filters(live: dict[str, Any]) -> None:
    with client_for(live) as client:
        first, second = create_locations(client, 2, "filter")
        with open_stream(client, types="location.updated", locationId=first) as sse:
            create_locations(client, 1, "filtered-out")  # location.created: another type
            for location_id, name in ((second, "other place"), (first, "renamed")):
                response = client.patch(f"/v1/locations/{location_id}", json={"name": name})
                assert response.status_code == 200, response.text
            (event,) = sse.events(1)
        assert event["type"] == "location.updated"
        assert event["locationId"] == first
        assert event["data"]["name"] == "renamed"

        with open_stream(client, types="location.*", last_event_id=event["seq"] - 3) as sse:
            # Resuming from before: the filtered types, in order, through the rename.
            resumed = sse.events(3)
        assert [e["type"] for e in resumed] == [
            "location.created",
            "location.updated",
            "location.updated",
        ]
        assert resumed[-1]["seq"] == event["seq"]


def test_resume_with_last_event_id_sees_every_event_once(live: dict[str, Any]) -> None:
    with client_for(live) as client:
        with open_stream(client) as sse:
            created = create_locations(client, 3, "before")
            seen = sse.events(3)
        # Committed while the client is away: sent first when it comes back.
        created += create_locations(client, 4, "away")
        with open_stream(client, last_event_id=seen[-1]["seq"]) as sse:
            seen += sse.events(4)
            created += create_locations(client, 2, "after")
            seen += sse.events(2)
    seqs = [e["seq"] for e in seen]
    assert seqs == list(range(seqs[0], seqs[0] + 9)), "missed, repeated or out of order"
    assert [e["data"]["locationId"] for e in seen] == created


def test_after_query_parameter_and_bad_last_event_id(live: dict[str, Any]) -> None:
    with client_for(live) as client:
        with open_stream(client) as sse:
            created = create_locations(client, 2, "after-param")
            first, _second = sse.events(2)
        with open_stream(client, after=first["seq"]) as sse:
            (again,) = sse.events(1)
        assert again["data"]["locationId"] == created[1]
        response = client.get(STREAM, headers={"Last-Event-ID": "not-a-number"})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_resuming_under_concurrent_writers(live: dict[str, Any]) -> None:
    """Writers commit in another order than they start; the client disconnects every few
    events and resumes with Last-Event-ID; it sees each event once, in order, none missed."""
    writers, seconds = 6, 3.0
    created: list[str] = []
    failures: list[str] = []
    with client_for(live) as client:
        seen: list[dict[str, Any]] = []
        with open_stream(client) as sse:
            stop_at = time.monotonic() + seconds

            def write(n: int) -> None:
                with client_for(live) as writer:
                    i = 0
                    while time.monotonic() < stop_at:
                        response = writer.post("/v1/locations", json={"name": f"c{n}-{i}"})
                        if response.status_code != 201:
                            failures.append(response.text)
                            return
                        created.append(response.json()["locationId"])
                        i += 1

            threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
            for thread in threads:
                thread.start()
            seen += sse.events(5)
        reconnects = 0
        while any(t.is_alive() for t in threads) or len(seen) < len(created):
            with open_stream(client, last_event_id=seen[-1]["seq"]) as sse:
                reconnects += 1
                for _ in range(7):
                    if len(seen) >= len(created):
                        # Caught up with every write answered so far: wait for the writers
                        # (they stop at stop_at) rather than for an event that may never come.
                        for thread in threads:
                            thread.join()
                        if len(seen) >= len(created):
                            break
                    seen.append(sse.next_event())
        for thread in threads:
            thread.join()
    assert not failures, failures[:3]
    assert len(created) >= writers * 3, "the writers barely ran"
    assert reconnects >= 3
    seqs = [e["seq"] for e in seen]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "missed, repeated or out of order"
    assert sorted(e["data"]["locationId"] for e in seen) == sorted(created)


def test_a_stream_ends_when_the_server_shuts_down(tmp_path: Path, live: dict[str, Any]) -> None:
    key = live["keys"][0]
    with running_server(live["env"], tmp_path / "server.log") as server:
        with (
            httpx.Client(
                base_url=server.base_url,
                headers={"Authorization": f"Bearer {key}"},
                timeout=TIMEOUT,
            ) as client,
            open_stream(client) as sse,
        ):
            started = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            with pytest.raises(EOFError):
                sse.next_message()
            assert time.monotonic() - started < 10
        # uvicorn re-raises the SIGTERM it handled once it has shut down gracefully.
        assert server.process.wait(timeout=10) in (0, -signal.SIGTERM)
        assert "timeout graceful shutdown exceeded" not in server.log()


def test_open_streams_hold_no_database_connection(
    database_url: str, tmp_path: Path, live: dict[str, Any]
) -> None:
    """More streams than the pool has connections, and writes still go through: a waiting
    stream reads on short sessions of its own and holds none."""
    if database_url.startswith("sqlite"):
        pytest.skip("the connection pool is sized for PostgreSQL")
    env = {**live["env"], "TILLPOINT_DB_POOL_SIZE": "1"}  # 1 + 2 overflow connections
    key = live["keys"][0]
    with running_server(env, tmp_path / "server.log") as server, ExitStack() as stack:
        clients = [
            stack.enter_context(
                httpx.Client(
                    base_url=server.base_url,
                    headers={"Authorization": f"Bearer {key}"},
                    timeout=TIMEOUT,
                )
            )
            for _ in range(6)
        ]
        streams = [stack.enter_context(open_stream(c)) for c in clients]
        created = create_locations(clients[0], 2, "pool")
        for sse in streams:
            assert [e["data"]["locationId"] for e in sse.events(2)] == created


# Refusals answer at once, so they run on the in-process app.


async def test_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(STREAM)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_without_events_read_is_403(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    key = await add_api_key(client, tenant, ["settings:read"])
    response = await client.get(STREAM, headers={"Authorization": f"Bearer {key['key']}"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


async def test_a_location_outside_the_users_locations_is_403(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    mine = await add_location(client, tenant, "Mine")
    theirs = await add_location(client, tenant, "Theirs")
    _user_id, token = await add_user(
        client, tenant, "integration", location_ids=[mine["locationId"]]
    )
    response = await client.get(
        STREAM, params={"locationId": theirs["locationId"]}, headers=bearer(token)
    )
    assert response.status_code == 403, response.text
