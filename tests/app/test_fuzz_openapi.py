"""Schemathesis against our own OpenAPI document, on a real server: no input is a 500."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.result import Err, Ok

from tests.support.server import cli_env, cli_tenant, running_server

EXAMPLES_PER_OPERATION = 15


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data_dir = tmp_path_factory.mktemp("fuzz")
    env = cli_env(database_url, data_dir)
    email = f"fuzz-{uuid.uuid4().hex[:8]}@shop.example.com"
    cli_tenant(env, email, "fuzz-password")
    with running_server(env, data_dir / "server.log") as server:
        token = httpx.post(
            f"{server.base_url}/v1/sessions", json={"username": email, "password": "fuzz-password"}
        ).json()["authToken"]
        # Something for path parameters to find.
        httpx.post(
            f"{server.base_url}/v1/locations",
            json={"name": "Fuzz St"},
            headers={"Authorization": f"Bearer {token}"},
        )
        yield {"server": server, "token": token}
        assert "Traceback" not in server.log()


# Operations the fuzzer must leave alone, or it would lock itself out.
SELF_HARM = {
    ("DELETE", "/v1/sessions/current"),
    ("POST", "/v1/me/mfa"),
    ("POST", "/v1/me/mfa/confirm"),
    ("PATCH", "/v1/users/{user_id}"),
}


def test_no_input_is_a_server_error(live: dict[str, Any]) -> None:
    base_url = live["server"].base_url
    headers = {"Authorization": f"Bearer {live['token']}"}
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    results = list(schema.get_all_operations())
    invalid = [r.err() for r in results if isinstance(r, Err)]
    assert not invalid, f"operations the schema does not describe validly: {invalid}"
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) > 20

    for operation in operations:
        if (operation.method.upper(), operation.path) in SELF_HARM:
            continue
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def probe(case: Any) -> None:
                response = case.call(base_url=base_url, headers=headers, timeout=10)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")
                elif response.status_code >= 400:
                    error = response.json()["error"]
                    assert set(error) == {"code", "message", "details", "requestId"}, error

            try:
                probe()
            except Unsatisfiable:
                # Nothing negative to say about an operation without inputs.
                assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
    assert not failures, "\n".join(failures[:20])
