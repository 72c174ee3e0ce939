"""Signing deliveries and verifying them as a receiver would, down to a real local receiver."""

import hashlib
import hmac
import importlib.util
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tillpoint.webhooks
from tests.support.server import free_port
from tests.support.webhook_receivers import eventually, own_shop
from tillpoint.core.db import Database
from tillpoint.webhooks.signing import delivery_headers, new_secret, sign, sign_with_all
from tillpoint.webhooks.verify import WebhookVerificationError, parse_signature_header, verify

REPO = Path(__file__).parents[2]
RECEIVER = REPO / "docs" / "examples" / "webhook_receiver.py"
WEBHOOKS_MD = REPO / "docs" / "webhooks.md"
T = 1_700_000_000
BODY = b'{"id":"evt_01","seq":7,"type":"order.completed","data":{}}'


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"whsec_k", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign("whsec_k", T, BODY) == f"t=1700000000,v1={expected}"


def test_rotation_signs_with_every_secret_and_either_verifies() -> None:
    header = sign_with_all(["old", "new"], T, BODY)
    timestamp, signatures = parse_signature_header(header)
    assert timestamp == T
    assert signatures == [sign(s, T, BODY).split("v1=")[1] for s in ("old", "new")]
    for secret in ("old", "new"):
        assert verify(secret, {"Tillpoint-Signature": header}, BODY, now=T)["seq"] == 7
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify("other", {"Tillpoint-Signature": header}, BODY, now=T)


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one"):
        sign_with_all([], T, BODY)
    with pytest.raises(TypeError):
        sign_with_all("whsec_one_string", T, BODY)
    with pytest.raises(ValueError, match="empty"):
        sign("", T, BODY)


def test_new_secrets_are_prefixed_random_and_distinct() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(s.startswith("whsec_") and len(s) == len("whsec_") + 43 for s in secrets)


def test_delivery_headers() -> None:
    headers = delivery_headers("evt_01", ["s1"], T, BODY)
    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": "Tillpoint-Webhooks/1",
        "Tillpoint-Event-Id": "evt_01",
        "Tillpoint-Timestamp": "1700000000",
        "Tillpoint-Signature": sign("s1", T, BODY),
    }


def test_verify_is_reexported_from_the_package() -> None:
    assert tillpoint.webhooks.verify is verify
    assert tillpoint.webhooks.WebhookVerificationError is WebhookVerificationError


def test_header_names_are_case_insensitive() -> None:
    header = sign("s", T, BODY)
    assert verify("s", {"tillpoint-signature": header}, BODY, now=T)["id"] == "evt_01"
    assert verify("s", {"TILLPOINT-SIGNATURE": header}, BODY, now=T)["id"] == "evt_01"
    assert verify("s", httpx.Headers({"Tillpoint-Signature": header}), BODY, now=T)


def test_unknown_schemes_and_spacing_are_tolerated() -> None:
    good = sign("s", T, BODY).split("v1=")[1]
    header = f"t={T}, v0=deadbeef, v1=00ff, v2=abc, v1={good.upper()}"
    assert verify("s", {"Tillpoint-Signature": header}, BODY, now=T)["seq"] == 7


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing Tillpoint-Signature"),
        ({"Tillpoint-Signature": ""}, "no t="),
        ({"Tillpoint-Signature": "v1=abc"}, "no t="),
        ({"Tillpoint-Signature": f"t={T}"}, "no v1="),
        ({"Tillpoint-Signature": f"t={T},v0=abc"}, "no v1="),
        ({"Tillpoint-Signature": "t=soon,v1=abc"}, "not a unix timestamp"),
        ({"Tillpoint-Signature": "t=-5,v1=abc"}, "not a unix timestamp"),
        ({"Tillpoint-Signature": f"t={T},t={T},v1=abc"}, "more than one t="),
        ({"Tillpoint-Signature": f"t={T},garbage"}, "malformed"),
        ({"Tillpoint-Signature": f"t={T},v1=abc"}, "no signature matches"),
        ({"Tillpoint-Signature": f"t={T},v1=é"}, "no signature matches"),
    ],
)
def test_bad_signature_headers_are_refused_with_a_reason(
    headers: dict[str, str], reason: str
) -> None:
    with pytest.raises(WebhookVerificationError, match=reason):
        verify("s", headers, BODY, now=T)


def test_timestamps_outside_the_tolerance_are_refused() -> None:
    headers = {"Tillpoint-Signature": sign("s", T, BODY)}
    assert verify("s", headers, BODY, now=T + 300)
    assert verify("s", headers, BODY, now=T - 300)
    for now in (T + 301, T - 301):
        with pytest.raises(WebhookVerificationError, match="outside the tolerance"):
            verify("s", headers, BODY, now=now)
    assert verify("s", headers, BODY, tolerance=3600, now=T + 3000)
    with pytest.raises(WebhookVerificationError, match="outside the tolerance"):
        verify("s", headers, BODY)  # against the real clock: 2023 is long gone


def test_the_body_must_be_a_json_object() -> None:
    for body in (b"[1, 2]", b"not json", b"\xff\xfe"):
        with pytest.raises(WebhookVerificationError, match="JSON"):
            verify("s", {"Tillpoint-Signature": sign("s", T, body)}, body, now=T)


def test_an_empty_secret_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        verify("", {"Tillpoint-Signature": sign("s", T, BODY)}, BODY, now=T)


secrets_st = st.text(min_size=1, max_size=64)
bodies = st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=20), max_size=5)
timestamps = st.integers(min_value=300, max_value=2**36)


def encode(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope).encode()


@given(secret=secrets_st, envelope=bodies, timestamp=timestamps)
def test_sign_then_verify_round_trips(
    secret: str, envelope: dict[str, Any], timestamp: int
) -> None:
    body = encode(envelope)
    headers = delivery_headers("evt_x", [secret], timestamp, body)
    assert verify(secret, headers, body, now=timestamp) == envelope


@given(
    secret=secrets_st,
    envelope=bodies,
    timestamp=timestamps,
    data=st.data(),
    mask=st.integers(1, 255),
)
def test_a_flipped_body_byte_fails(
    secret: str, envelope: dict[str, Any], timestamp: int, data: st.DataObject, mask: int
) -> None:
    body = encode(envelope)
    headers = delivery_headers("evt_x", [secret], timestamp, body)
    i = data.draw(st.integers(0, len(body) - 1))
    tampered = body[:i] + bytes([body[i] ^ mask]) + body[i + 1 :]
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(secret, headers, tampered, now=timestamp)


@given(secret=secrets_st, timestamp=timestamps, data=st.data(), mask=st.integers(1, 255))
def test_a_flipped_secret_byte_fails(
    secret: str, timestamp: int, data: st.DataObject, mask: int
) -> None:
    headers = delivery_headers("evt_x", [secret], timestamp, BODY)
    raw = secret.encode()
    i = data.draw(st.integers(0, len(raw) - 1))
    wrong = (raw[:i] + bytes([raw[i] ^ mask]) + raw[i + 1 :]).decode(errors="replace")
    if wrong == secret:  # the flip made invalid UTF-8 that decodes back to the same text
        return
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(wrong, headers, BODY, now=timestamp)


@given(secret=secrets_st, timestamp=timestamps, shift=st.integers(-300, 300).filter(bool))
def test_a_changed_timestamp_fails_even_within_the_tolerance(
    secret: str, timestamp: int, shift: int
) -> None:
    signature = sign(secret, timestamp, BODY).split(",", 1)[1]
    forged = {"Tillpoint-Signature": f"t={timestamp + shift},{signature}"}
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(secret, forged, BODY, now=timestamp)


# --- the sample receiver from docs/examples, over real local HTTP ---------------------------------


def load_receiver_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("webhook_receiver_example", RECEIVER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sample_receiver() -> Iterator[tuple[Any, str]]:
    example = load_receiver_example()
    receiver = example.Receiver("whsec_sample")
    server = example.make_server(receiver, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_sample_receiver_accepts_good_and_rejects_tampered_deliveries(
    sample_receiver: tuple[Any, str],
) -> None:
    receiver, url = sample_receiver
    now = int(time.time())
    body = json.dumps(
        {"id": "evt_01", "seq": 1, "type": "order.completed", "occurredAt": "…", "data": {}}
    ).encode()
    headers = delivery_headers("evt_01", ["whsec_old", "whsec_sample"], now, body)
    with httpx.Client(timeout=5) as http:
        assert http.post(url, content=body, headers=headers).status_code == 204
        # At-least-once: the same event again is acknowledged but handled only once.
        assert http.post(url, content=body, headers=headers).status_code == 204
        tampered = body.replace(b'"seq": 1', b'"seq": 2')
        assert http.post(url, content=tampered, headers=headers).status_code == 400
        wrong_key = delivery_headers("evt_02", ["whsec_someone_else"], now, body)
        assert http.post(url, content=body, headers=wrong_key).status_code == 400
        stale = delivery_headers("evt_01", ["whsec_sample"], now - 3600, body)
        assert http.post(url, content=body, headers=stale).status_code == 400
        unsigned = {"Content-Type": "application/json"}
        assert http.post(url, content=body, headers=unsigned).status_code == 400
    assert [e["id"] for e in receiver.handled] == ["evt_01"]


# --- the sample receiver started with the command docs/webhooks.md gives --------------------------


def documented_command() -> list[str]:
    """The shell command under "A runnable sample receiver" in docs/webhooks.md, as words."""
    section = WEBHOOKS_MD.read_text().split("## A runnable sample receiver")[1]
    block = section.split("```sh\n")[1].split("```")[0]
    [line] = [line for line in block.splitlines() if line.strip()]
    return shlex.split(line)


def start_as_documented(secret: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """Run the documented command from the repository's root, with a real secret and port
    in place of the placeholders, and the interpreter running the tests as ``python``."""
    words = documented_command()
    env = dict(os.environ)
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        assert value == "whsec_…", f"the doc's {name} is no longer the placeholder: {value}"
        env[name] = secret
    assert words[:2] == ["python", "docs/examples/webhook_receiver.py"], words
    assert words[2:] == ["--port", "8080"], words
    command = [sys.executable, words[1], "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


async def test_the_documented_command_receives_real_deliveries(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    """docs/webhooks.md's command, run as written, verifies what a running Tillpoint sends
    and refuses a forgery."""
    port = free_port()
    log = tmp_path / "receiver.log"
    async with own_shop(database_url, tmp_path, db) as shop:
        hook = await shop.hook(f"http://127.0.0.1:{port}/hooks")
        receiver = start_as_documented(hook["secret"], port, log)
        try:
            await eventually(lambda: listening(port) or receiver.poll() is not None, 30)
            assert receiver.poll() is None, log.read_text()
            await shop.location("Pier 39")
            (delivery,) = await shop.settled(hook["webhookId"], 1)
            assert delivery["status"] == "succeeded", delivery
            assert [a["statusCode"] for a in delivery["attempts"]] == [204]
            assert f"event {delivery['eventId']} location.created" in log.read_text()
            async with httpx.AsyncClient(timeout=5) as http:
                forged = await http.post(
                    f"http://127.0.0.1:{port}/hooks",
                    content=b'{"id": "evt_forged"}',
                    headers={"Tillpoint-Signature": f"t={int(time.time())},v1=00"},
                )
            assert forged.status_code == 400
        finally:
            receiver.terminate()
            receiver.wait(timeout=10)
