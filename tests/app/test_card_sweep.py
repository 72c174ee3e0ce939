"""The card-data acceptance sweep: the card tests' requests against a real ``tillpoint serve`` on
a PostgreSQL database of its own, then ``pg_dump`` of that database and the server's log
scanned for every test card number in any written form (by the guard's own detector)."""

import asyncio
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.support.cards import card_shop, found_pans, send, send_card_requests
from tests.support.postgres import POSTGRES_URL, fresh_postgres_database
from tests.support.server import cli_env, cli_tenant, running_server
from tests.support.tenants import PASSWORD, bearer
from tillpoint.migrations import upgrade

TRACE_ID = "trace-1234567890123-ab"

pytestmark = [
    pytest.mark.skipif(not POSTGRES_URL, reason="TILLPOINT_TEST_POSTGRES_URL not set"),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


@pytest.fixture
def sweep_database() -> Iterator[str]:
    """A database of this test's own, migrated; its URL with the async driver."""
    with fresh_postgres_database("tillpoint_cards") as url:
        upgrade(url)
        yield url


def pg_dump(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    done = subprocess.run(
        ["pg_dump", "--no-owner", url.render_as_string(hide_password=False)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_no_test_card_number_in_a_pg_dump_or_the_server_log(
    sweep_database: str, tmp_path: Path
) -> None:
    env = cli_env(sweep_database, tmp_path, TILLPOINT_LOG_LEVEL="DEBUG", TILLPOINT_LOG_JSON="true")
    email = f"sweep-{uuid.uuid4().hex[:8]}@shop.example.com"
    cli_tenant(env, email, PASSWORD)
    with running_server(env, tmp_path / "server.log") as server:
        answers = asyncio.run(_requests(server.base_url, email))
    # Read once the server has stopped: a request's log line is written after its response
    # has left, so under load the last lines could still be on their way to the file.
    log = server.log()
    dump = pg_dump(sweep_database)

    assert "COPY public.orders" in dump
    assert found_pans(dump) == set()
    assert found_pans(log) == set()
    statuses = [(a.request.method, a.request.url.path, a.status_code) for a in answers]
    assert [s for s in statuses if s[2] != 400] == []
    # The log lines are there, with their correlation intact (not masked by length).
    assert log.count('"status":400') + log.count('"status": 400') >= len(answers)
    assert f'"request_id":"{TRACE_ID}"' in log or f'"request_id": "{TRACE_ID}"' in log


async def _requests(base_url: str, email: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        login = await client.post("/v1/sessions", json={"username": email, "password": PASSWORD})
        assert login.status_code == 201, login.text
        shop = await card_shop(client, bearer(login.json()["authToken"]))
        answers = await send_card_requests(shop)
        # Something real beside the refusals, under a trace id that must stay readable.
        mug = await shop.api.post("/v1/catalog/products", {"name": "Mug", "sku": "MUG", "price": 7})
        order = {"locationId": shop.location_id, "lineItems": [{"sku": mug["sku"], "quantity": 1}]}
        sale = await send(shop, ("POST", "/v1/orders", order), **{"X-Request-Id": TRACE_ID})
        assert sale.status_code == 201, sale.text
        assert sale.headers["X-Request-Id"] == TRACE_ID
        return answers
