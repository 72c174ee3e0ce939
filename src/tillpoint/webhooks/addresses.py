"""Where webhooks may be delivered: the SSRF guard for subscription URLs and every delivery.

``check_destination(url, allow_private=…)`` refuses a URL unless it is https (plain http only
when private destinations are allowed), carries no credentials, names a host, and every
address that host resolves to is public. Any one non-public address refuses the whole host: a
name with one public and one loopback record could otherwise be steered at the loopback one.

Two things the caller must do, because a check of a URL says nothing about later requests:

- **Redirects.** The delivery client does not follow redirects by itself; for each
  ``Location`` it calls ``check_destination`` again before requesting it.
- **Connect to what was checked.** Each delivery attempt calls ``resolve_destination`` and
  connects to an address it returned (``webhooks.sender`` does, sending the name as Host and
  TLS SNI), so a DNS answer that changes between the check and the connect cannot steer the
  request to a private address.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from tillpoint.core.netaddr import (
    METADATA_ADDRESSES,
    IPAddress,
    embedded_ipv4,
    ip_literal,
    resolve_host,
)

# Shared address space (carrier-grade NAT, RFC 6598): not "private" to Python, not public either.
SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
MAX_URL_LENGTH = 2048


class DestinationNotAllowed(ValueError):
    """A webhook URL Tillpoint will not deliver to; ``str(error)`` says why."""


def is_public_address(ip: str | IPAddress) -> bool:
    """Whether ``ip`` is a globally routable unicast address that is safe to deliver to.

    False for private, loopback, link-local, multicast, reserved, unspecified, shared
    (100.64.0.0/10), documentation and benchmarking ranges, cloud metadata addresses, and for
    IPv6 addresses that embed one of those (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, NAT64): an
    IPv6 address that embeds an IPv4 address is judged by the IPv4 address inside.
    A string that is not an IP address raises ``ValueError``.
    """
    address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Address(address.packed)  # drop any %scope, it changes nothing
        embedded = embedded_ipv4(address)
        if embedded is not None:
            # The packet goes to the IPv4 address inside, so that one decides.
            return is_public_address(embedded)
    if address in METADATA_ADDRESSES:
        return False
    if isinstance(address, ipaddress.IPv4Address) and address in SHARED_ADDRESS_SPACE:
        return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def check_destination(url: str, *, allow_private: bool) -> None:
    """Raise :class:`DestinationNotAllowed` unless webhooks may be delivered to ``url``.

    With ``allow_private`` (``TILLPOINT_WEBHOOK_ALLOW_PRIVATE=true``, for development) plain
    http and any address are accepted and the host is not resolved; the URL must still be
    well formed, without credentials.
    """
    host = _host_of(url, allow_private=allow_private)
    if allow_private:
        return
    literal = ip_literal(host)
    if literal is not None:
        if not is_public_address(literal):
            raise DestinationNotAllowed(f"{literal} is not a public address")
        return
    for address in await _resolve(host):
        if not is_public_address(address):
            raise DestinationNotAllowed(f"{host} resolves to {address}, not a public address")


@dataclass(frozen=True)
class Destination:
    host: str
    # Where to connect: every address the host resolved to (or the literal), all allowed.
    addresses: list[IPAddress]


async def resolve_destination(url: str, *, allow_private: bool) -> Destination:
    """Check ``url`` as ``check_destination`` does and return the addresses to connect to.
    The host is resolved even when private destinations are allowed, so that the connection
    always goes to an address that was resolved here."""
    host = _host_of(url, allow_private=allow_private)
    literal = ip_literal(host)
    addresses = [literal] if literal is not None else await _resolve(host)
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                shown = host if literal is not None else f"{host} resolves to {address}, which"
                raise DestinationNotAllowed(f"{shown} is not a public address")
    return Destination(host, addresses)


def _host_of(url: str, *, allow_private: bool) -> str:
    """The URL's host (lower case, IPv6 brackets removed) once its shape is acceptable."""
    if len(url) > MAX_URL_LENGTH:
        raise DestinationNotAllowed(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise DestinationNotAllowed("the URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed or out-of-range port
    except ValueError as exc:
        raise DestinationNotAllowed(f"the URL is malformed: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme == "http" and not allow_private:
        raise DestinationNotAllowed("the URL must use https")
    if scheme not in {"https", "http"}:
        raise DestinationNotAllowed(
            "the URL must use https" + (" or http" if allow_private else "")
        )
    if "@" in parts.netloc:
        raise DestinationNotAllowed("the URL must not contain credentials")
    host = parts.hostname
    if not host:
        raise DestinationNotAllowed("the URL has no host")
    return host


async def _resolve(host: str) -> list[IPAddress]:
    """Every address ``host`` resolves to (A and AAAA), without blocking the event loop."""
    try:
        addresses = await resolve_host(host)
    except (OSError, UnicodeError, ValueError) as exc:
        # socket.gaierror is an OSError; a name the IDNA codec rejects is a UnicodeError.
        raise DestinationNotAllowed(f"{host} could not be resolved") from exc
    return addresses
