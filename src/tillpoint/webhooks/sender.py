"""One delivery attempt over HTTP: checked destinations, pinned addresses, checked redirects.

``send`` POSTs the body and reports what happened as an ``Outcome`` (it never raises for
anything the receiver or the network does). Before each request — the first and every
redirect — the URL's host is resolved and checked (``addresses.resolve_destination``) and the
connection goes to the checked address, with the name sent as ``Host`` and as TLS SNI (the
certificate is verified against the name). The whole attempt, redirects included, has one
deadline.
"""

import asyncio
import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from tillpoint.core.netaddr import IPAddress
from tillpoint.webhooks.addresses import DestinationNotAllowed, resolve_destination

EXCERPT_BYTES = 1024
MAX_REDIRECTS = 3
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Outcome:
    url: str
    status_code: int | None
    latency_ms: int
    response_body: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def new_client() -> httpx.AsyncClient:
    """A client for one run of deliveries: keeps connections alive, never follows redirects
    by itself, and ignores proxy settings from the environment (a proxy would connect to the
    name, not to the address we checked)."""
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=None)


async def send(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
    deadline_seconds: float,
) -> Outcome:
    started = time.perf_counter()
    current = url
    status: int | None = None
    excerpt: str | None = None
    error: str | None = None
    try:
        async with asyncio.timeout(deadline_seconds):
            for hop in range(MAX_REDIRECTS + 1):
                status, excerpt, location = await _post(
                    client, current, body, headers, allow_private=allow_private
                )
                if status not in REDIRECT_CODES:
                    break
                if location is None:
                    error = f"a {status} redirect without a Location"
                    break
                if hop == MAX_REDIRECTS:
                    error = f"more than {MAX_REDIRECTS} redirects"
                    break
                current = urljoin(current, location)
    except TimeoutError:
        status, excerpt, error = None, None, f"no answer within {deadline_seconds:g} s"
    except DestinationNotAllowed as exc:
        prefix = "" if current == url else f"redirect to {current[:200]} refused: "
        status, excerpt, error = None, None, f"{prefix}{exc}"
    except httpx.HTTPError as exc:
        status, excerpt = None, None
        error = f"{type(exc).__name__}: {exc}"[:300] if str(exc) else type(exc).__name__
    latency = round((time.perf_counter() - started) * 1000)
    return Outcome(current, status, latency, excerpt, error)


async def _post(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
) -> tuple[int, str, str | None]:
    destination = await resolve_destination(url, allow_private=allow_private)
    parts = urlsplit(url)
    pinned = urlunsplit(
        (
            parts.scheme,
            _netloc(destination.addresses[0], parts.port),
            parts.path or "/",
            parts.query,
            "",
        )
    )
    extensions = {}
    if parts.scheme == "https" and _is_name(destination.host):
        extensions["sni_hostname"] = destination.host
    request = client.build_request(
        "POST",
        pinned,
        content=body,
        headers={**headers, "Host": parts.netloc},
        extensions=extensions,
    )
    response = await client.send(request, stream=True)
    try:
        received = bytearray()
        async for chunk in response.aiter_bytes():
            received += chunk
            if len(received) >= EXCERPT_BYTES:
                break
    finally:
        await response.aclose()
    # Bad UTF-8 and NUL (which PostgreSQL text cannot hold) become U+FFFD.
    excerpt = bytes(received[:EXCERPT_BYTES]).decode("utf-8", errors="replace")
    excerpt = excerpt.replace("\x00", "\ufffd")
    return response.status_code, excerpt, response.headers.get("location")


def _netloc(address: IPAddress, port: int | None) -> str:
    host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    return host if port is None else f"{host}:{port}"


def _is_name(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False
