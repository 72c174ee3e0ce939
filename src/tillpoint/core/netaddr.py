"""IP address facts shared by every guard on outbound connections (webhooks, printers): the
cloud metadata addresses, the IPv4 address an IPv6 one stands for, and name resolution that
does not block the event loop. Each caller decides which addresses it allows."""

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 (RFC 6052): the last 32 bits are an IPv4 address the translator will connect to.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
# Cloud instance metadata endpoints (AWS, GCP, Azure, Alibaba, AWS over IPv6).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254")
)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, where the network will reach that one
    (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(address.packed[-4:])
    return None


def effective_address(address: IPAddress) -> IPAddress:
    """The address a connection really reaches: an IPv6 address that embeds an IPv4 one is
    that IPv4 address; any ``%scope`` is dropped (it changes nothing about the address)."""
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Address(address.packed)
        embedded = embedded_ipv4(address)
        if embedded is not None:
            return embedded
    return address


def ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def resolve_host(host: str) -> list[IPAddress]:
    """Every address ``host`` resolves to (A and AAAA), in the resolver's order. Raises
    ``OSError`` when it does not resolve (``UnicodeError`` for a name IDNA rejects)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"{host} could not be resolved")
    return addresses
