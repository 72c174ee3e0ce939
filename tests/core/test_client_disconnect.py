"""A client that goes away before its request body has arrived: nothing is run, nothing is
answered, and the access log says 499 (client closed request), never 400 (issue 13, item 9).

Before, the pipeline stopped reading at ``http.disconnect`` and ran the request on the part
that had arrived: a truncated JSON body was logged and counted as a 400 the client never saw,
and a request whose body is optional (a DELETE) was carried out though it was never sent in
full.
"""

import logging
import re
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.catalog import create_product
from tests.support.server import cli_env, cli_tenant, running_server
from tests.support.tenants import PASSWORD, TenantFixture

Message = dict[str, Any]


async def send_part_then_vanish(
    app: Any, method: str, path: str, token: str, declared: int, part: bytes
) -> list[Message]:
    """Call the app as a server would for a client that declared ``declared`` body bytes, sent
    ``part`` and disconnected; returns what the app sent back."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"test"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(declared).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    incoming: list[Message] = [
        {"type": "http.request", "body": part, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def access_statuses(caplog: pytest.LogCaptureFixture, method: str, path: str) -> list[int]:
    """The statuses of the access log lines of ``method path``."""
    return [
        r.status  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "tillpoint.request"
        and getattr(r, "method", None) == method
        and getattr(r, "path", None) == path
    ]


async def test_a_delete_whose_body_never_arrived_is_not_carried_out(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tillpoint.request")
    product = await create_product(client, tenant)
    path = f"/v1/catalog/products/{product['productId']}"
    before = (await client.get(path, headers=tenant.headers)).json()

    sent = await send_part_then_vanish(app, "DELETE", path, tenant.token, 40, b'{"reason": ')

    assert sent == []
    assert (await client.get(path, headers=tenant.headers)).json() == before
    assert access_statuses(caplog, "DELETE", path) == [499]


async def test_a_truncated_order_is_not_answered_400(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tillpoint.request")
    counted = await order_requests_by_status(client)
    sent = await send_part_then_vanish(
        app, "POST", "/v1/orders", tenant.token, 300, b'{"locationId": "loc_01'
    )

    assert sent == []
    assert access_statuses(caplog, "POST", "/v1/orders") == [499]
    now = await order_requests_by_status(client)
    assert {s: n - counted.get(s, 0) for s, n in now.items() if n != counted.get(s, 0)} == {
        "499": 1
    }


async def order_requests_by_status(client: httpx.AsyncClient) -> dict[str, float]:
    """``tillpoint_http_requests_total`` of POST /v1/orders, by status."""
    metrics = (await client.get("/metrics")).text
    pattern = (
        r'tillpoint_http_requests_total\{method="POST",route="/v1/orders",status="(\d+)"\} (\S+)'
    )
    return {status: float(value) for status, value in re.findall(pattern, metrics)}


def test_a_real_client_that_hangs_up_mid_body_is_logged_499(
    database_url: str, tmp_path: Path
) -> None:
    """Over a real socket to a real ``tillpoint serve``: headers and half a body, then close."""
    env = cli_env(database_url, tmp_path, TILLPOINT_LOG_LEVEL="INFO", TILLPOINT_LOG_JSON="true")
    email = f"hangup-{uuid.uuid4().hex[:8]}@shop.example.com"
    cli_tenant(env, email, PASSWORD)
    with running_server(env, tmp_path / "server.log") as server:
        token = httpx.post(
            f"{server.base_url}/v1/sessions", json={"username": email, "password": PASSWORD}
        ).json()["authToken"]
        host, port = server.base_url.removeprefix("http://").split(":")
        head = (
            f"POST /v1/orders HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 300\r\n\r\n"
        )
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(head.encode() + b'{"locationId": "loc_01')
            time.sleep(0.3)  # the server has the headers and the part before the hang-up
        deadline = time.monotonic() + 20
        while '"path":"/v1/orders"' not in server.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        lines = [line for line in server.log().splitlines() if '"path":"/v1/orders"' in line]
    assert len(lines) == 1, server.log()[-3000:]
    assert '"status":499' in lines[0], lines[0]
