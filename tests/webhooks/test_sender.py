"""One delivery attempt at the HTTP level (``webhooks.sender.send``) against a real local
receiver: the connection goes to the resolved address with the name as Host, redirects are
followed by hand with each Location checked, the answer is cut at 1 KB, the deadline holds, and
destinations that are not allowed are refused before anything is sent."""

import pytest

from tests.support.webhook_receivers import Receiver, Reply
from tillpoint.webhooks.addresses import DestinationNotAllowed, resolve_destination
from tillpoint.webhooks.sender import EXCERPT_BYTES, Outcome, new_client, send

BODY = b'{"id": "evt_x"}'
HEADERS = {"Content-Type": "application/json", "Tillpoint-Event-Id": "evt_x"}


async def post(url: str, *, allow_private: bool = True, deadline: float = 5.0) -> Outcome:
    async with new_client() as client:
        return await send(
            client, url, BODY, HEADERS, allow_private=allow_private, deadline_seconds=deadline
        )


async def test_a_name_is_resolved_and_sent_as_host() -> None:
    with Receiver() as receiver:
        receiver.script("/hook", Reply(200, body=b"x" * 3000))
        outcome = await post(f"http://localhost:{receiver.port}/hook?a=1")
        assert outcome.succeeded
        assert outcome.status_code == 200
        assert outcome.response_body == "x" * EXCERPT_BYTES
        (request,) = receiver.received
        assert request.headers["host"] == f"localhost:{receiver.port}"
        assert request.path == "/hook?a=1"
        assert request.body == BODY


async def test_redirects_are_followed_with_the_same_post_and_each_location_checked() -> None:
    with Receiver() as receiver:
        receiver.script("/a", Reply(307, headers={"Location": "/b"}))
        receiver.script(
            "/b", Reply(301, headers={"Location": f"http://127.0.0.1:{receiver.port}/c"})
        )
        receiver.script("/c", 204)
        outcome = await post(f"http://127.0.0.1:{receiver.port}/a")
        assert outcome.status_code == 204
        assert outcome.url == f"http://127.0.0.1:{receiver.port}/c"
        assert [(r.method, r.path, r.body) for r in receiver.received] == [
            ("POST", "/a", BODY),
            ("POST", "/b", BODY),
            ("POST", "/c", BODY),
        ]

        receiver.script("/bad", Reply(302, headers={"Location": "ftp://127.0.0.1/x"}))
        refused = await post(f"http://127.0.0.1:{receiver.port}/bad")
        assert refused.status_code is None
        assert refused.error is not None
        assert "redirect to ftp://127.0.0.1/x refused" in refused.error

        receiver.script("/loop", *[Reply(308, headers={"Location": "/loop"})] * 5)
        looping = await post(f"http://127.0.0.1:{receiver.port}/loop")
        assert looping.error == "more than 3 redirects"
        assert looping.status_code == 308


async def test_the_deadline_covers_the_whole_attempt() -> None:
    with Receiver() as receiver:
        receiver.script("/slow", Reply(200, delay=3))
        outcome = await post(f"http://127.0.0.1:{receiver.port}/slow", deadline=0.5)
        assert outcome.status_code is None
        assert outcome.error == "no answer within 0.5 s"
        assert 400 <= outcome.latency_ms < 2500


async def test_private_destinations_are_refused_before_sending() -> None:
    with Receiver() as receiver:
        for url, reason in [
            (f"https://127.0.0.1:{receiver.port}/hook", "127.0.0.1 is not a public address"),
            (f"https://localhost:{receiver.port}/hook", "localhost resolves to"),
            (f"http://127.0.0.1:{receiver.port}/hook", "must use https"),
        ]:
            outcome = await post(url, allow_private=False)
            assert outcome.status_code is None
            assert outcome.error is not None
            assert reason in outcome.error, outcome.error
        assert receiver.received == []


async def test_a_refused_connection_is_reported() -> None:
    with Receiver() as receiver:
        port = receiver.port
    outcome = await post(f"http://127.0.0.1:{port}/gone")
    assert outcome.status_code is None
    assert outcome.error is not None
    assert outcome.error.startswith("ConnectError")


async def test_resolve_destination_pins_every_address_checked() -> None:
    destination = await resolve_destination("http://localhost:1/x", allow_private=True)
    assert destination.host == "localhost"
    assert {str(a) for a in destination.addresses} <= {"127.0.0.1", "::1"}
    with pytest.raises(DestinationNotAllowed):
        await resolve_destination("https://localhost/x", allow_private=False)
