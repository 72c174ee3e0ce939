"""Which addresses a printer may have: printers live on the shop's network, so private
addresses are fine, but a printer is never a way into the server itself or its cloud.

Refused: loopback (127.0.0.0/8, ::1 — the server's own services), link-local (169.254.0.0/16,
fe80::/10), multicast, unspecified and "this network" (0.0.0.0/8, ::), broadcast, reserved
(240.0.0.0/4), and the cloud metadata addresses (169.254.169.254, 100.100.100.200,
fd00:ec2::254). An IPv6 address that stands for an IPv4 one (``::ffff:127.0.0.1``, 6to4,
NAT64) is judged by that IPv4 address. Loopback is allowed only when the server runs with
``TILLPOINT_PRINTER_ALLOW_LOOPBACK=true`` (development: a printer emulator on the same
machine); nothing else is ever allowed.

A host name is checked twice: when the printer is saved (if it resolves then; a printer not
yet on the network may be configured ahead) and at every print, after resolution and before
connecting — every address it resolves to must pass, and the connection goes only to
addresses that were checked, so a DNS answer cannot steer a print at the server.
"""

import ipaddress

from tillpoint.core.netaddr import (
    METADATA_ADDRESSES,
    IPAddress,
    effective_address,
    ip_literal,
    resolve_host,
)

THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")
BROADCAST = ipaddress.IPv4Address("255.255.255.255")


class PrinterAddressRefused(ValueError):
    """A printer address Tillpoint will not connect to; ``str(error)`` says why."""


def refusal(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why a printer may not be at ``address``, or None if it may."""
    ip = effective_address(address)
    shown = str(address) if ip == address else f"{address} (that is {ip})"
    if ip in METADATA_ADDRESSES:
        return f"{shown} is a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else f"{shown} is a loopback address (this server)"
    if isinstance(ip, ipaddress.IPv4Address) and (ip in THIS_NETWORK or ip == BROADCAST):
        return f"{shown} is not a host's address"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return f"{shown} is not a host's address"
    if ip.is_link_local:
        return f"{shown} is a link-local address"
    return None


def check(address: IPAddress, host: str, *, allow_loopback: bool) -> None:
    reason = refusal(address, allow_loopback=allow_loopback)
    if reason is not None:
        prefix = "" if ip_literal(host) is not None else f"{host} resolves to "
        raise PrinterAddressRefused(prefix + reason)


async def check_when_saved(host: str, *, allow_loopback: bool) -> None:
    """Refuse a printer host that is, or resolves now to, an address printers may not use.
    A name that does not resolve yet is accepted: the check at print time decides."""
    literal = ip_literal(host)
    if literal is not None:
        check(literal, host, allow_loopback=allow_loopback)
        return
    try:
        addresses = await resolve_host(host)
    except (OSError, UnicodeError, ValueError):
        return
    for address in addresses:
        check(address, host, allow_loopback=allow_loopback)


async def destinations(host: str, *, allow_loopback: bool) -> list[IPAddress]:
    """The addresses to connect to for a print, every one checked. Raises
    ``PrinterAddressRefused``, or ``OSError`` when the name does not resolve."""
    literal = ip_literal(host)
    addresses = [literal] if literal is not None else await resolve_host(host)
    for address in addresses:
        check(address, host, allow_loopback=allow_loopback)
    return addresses
