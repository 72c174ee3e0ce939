"""The SSRF guard for webhook destinations: schemes, credentials, and every non-public range."""

import ipaddress

import pytest

from tillpoint.webhooks.addresses import DestinationNotAllowed, check_destination, is_public_address

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "2a00:1450:4001::1"]

NOT_PUBLIC = {
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "127.0.0.1": "loopback",
    "127.255.255.254": "loopback",
    "169.254.1.1": "link-local",
    "169.254.169.254": "cloud metadata",
    "100.64.0.1": "shared (CGNAT)",
    "100.127.255.254": "shared (CGNAT)",
    "100.100.100.200": "cloud metadata (shared)",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "this network",
    "192.0.2.10": "documentation",
    "198.18.0.1": "benchmarking",
    "::1": "IPv6 loopback",
    "::": "IPv6 unspecified",
    "fe80::1": "IPv6 link-local",
    "fe80::1%eth0": "IPv6 link-local with a zone",
    "fc00::1": "IPv6 unique local",
    "fd00:ec2::254": "AWS metadata over IPv6",
    "ff02::1": "IPv6 multicast",
    "2001:db8::1": "IPv6 documentation",
    "::ffff:127.0.0.1": "IPv4-mapped loopback",
    "::ffff:10.1.2.3": "IPv4-mapped private",
    "::ffff:169.254.169.254": "IPv4-mapped metadata",
    "::ffff:100.64.0.1": "IPv4-mapped shared",
    "2002:7f00:1::": "6to4 of loopback",
    "2002:a9fe:a9fe::": "6to4 of metadata",
    "64:ff9b::7f00:1": "NAT64 of loopback",
    "64:ff9b::a9fe:a9fe": "NAT64 of metadata",
    "::7f00:1": "IPv4-compatible (deprecated)",
}


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses(ip: str) -> None:
    assert is_public_address(ip)
    assert is_public_address(ipaddress.ip_address(ip))


def test_ipv6_embedding_a_public_ipv4_is_public() -> None:
    assert is_public_address("::ffff:8.8.8.8")
    assert is_public_address("64:ff9b::808:808")  # NAT64 (DNS64 on IPv6-only networks)
    assert is_public_address("2002:808:808::1")  # 6to4


@pytest.mark.parametrize(("ip", "why"), NOT_PUBLIC.items())
def test_non_public_addresses(ip: str, why: str) -> None:
    assert not is_public_address(ip), why


def test_is_public_address_wants_an_address() -> None:
    with pytest.raises(ValueError, match="does not appear to be"):
        is_public_address("example.com")


async def test_public_literal_https_urls_are_allowed() -> None:
    await check_destination("https://8.8.8.8/hooks", allow_private=False)
    await check_destination("https://[2606:4700:4700::1111]:8443/hooks?x=1", allow_private=False)
    await check_destination("HTTPS://1.1.1.1", allow_private=False)


@pytest.mark.parametrize("ip", NOT_PUBLIC)
async def test_non_public_literal_urls_are_refused(ip: str) -> None:
    host = f"[{ip.replace('%', '%25')}]" if ":" in ip else ip
    with pytest.raises(DestinationNotAllowed, match="not a public address"):
        await check_destination(f"https://{host}/hooks", allow_private=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://localhost/hooks",
        "https://LOCALHOST:8443/hooks",
        # Spellings of 127.0.0.1 that are not IP literals to ``ipaddress`` but resolve to it.
        "https://127.1/hooks",
        "https://2130706433/hooks",
        "https://0x7f000001/hooks",
    ],
)
async def test_hostnames_resolving_to_loopback_are_refused(url: str) -> None:
    with pytest.raises(DestinationNotAllowed, match=r"resolves to (127\.0\.0\.1|::1)"):
        await check_destination(url, allow_private=False)


async def test_unresolvable_hosts_are_refused() -> None:
    with pytest.raises(DestinationNotAllowed, match="could not be resolved"):
        await check_destination("https://no-such-host.invalid/hooks", allow_private=False)
    # Refused whether or not this machine's resolver answers for the fully qualified spelling.
    with pytest.raises(DestinationNotAllowed, match="resolves to|could not be resolved"):
        await check_destination("https://localhost./hooks", allow_private=False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://8.8.8.8/hooks", "must use https"),
        ("ftp://8.8.8.8/hooks", "must use https"),
        ("file:///etc/passwd", "must use https"),
        ("gopher://8.8.8.8/", "must use https"),
        ("8.8.8.8/hooks", "must use https"),
        ("https:///hooks", "no host"),
        ("https://", "no host"),
        ("https://user:pass@8.8.8.8/hooks", "credentials"),
        ("https://user@8.8.8.8/hooks", "credentials"),
        ("https://:@8.8.8.8/hooks", "credentials"),
        ("https://8.8.8.8:99999/hooks", "malformed"),
        ("https://8.8.8.8:port/hooks", "malformed"),
        ("https://[::1/hooks", "malformed"),
        ("https://8.8.8.8/ho oks", "whitespace"),
        ("https://8.8.8.8/\nhooks", "whitespace"),
        ("https://8.8.8.8/" + "a" * 2100, "longer than"),
    ],
)
async def test_malformed_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(DestinationNotAllowed, match=reason):
        await check_destination(url, allow_private=False)


async def test_allow_private_accepts_http_and_private_hosts() -> None:
    for url in (
        "http://localhost:8080/hooks",
        "http://127.0.0.1:9000/",
        "https://10.0.0.5/hooks",
        "http://[::1]:8080/hooks",
        "http://169.254.169.254/",
        "http://no-such-host.invalid/",  # not resolved when private destinations are allowed
    ):
        await check_destination(url, allow_private=True)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://localhost/", "must use https or http"),
        ("http://user:pw@localhost/", "credentials"),
        ("http:///x", "no host"),
    ],
)
async def test_allow_private_still_wants_a_well_formed_url(url: str, reason: str) -> None:
    with pytest.raises(DestinationNotAllowed, match=reason):
        await check_destination(url, allow_private=True)


def test_destination_not_allowed_is_a_value_error() -> None:
    assert issubclass(DestinationNotAllowed, ValueError)
