"""Printers over HTTP: per location, validated addresses, archive, scoping and permissions."""

from typing import Any

import httpx
import pytest

from tests.support.api import Api
from tests.support.tenants import TenantFactory, TenantFixture, add_location, add_user, bearer

Json = dict[str, Any]


@pytest.fixture
def owner(client: httpx.AsyncClient, tenant: TenantFixture) -> Api:
    return Api(client, tenant.headers)


@pytest.fixture
async def printers(client: httpx.AsyncClient, tenant: TenantFixture) -> str:
    loc = await add_location(client, tenant)
    return f"/v1/locations/{loc['locationId']}/printers"


async def test_create_get_list_update_archive(owner: Api, printers: str) -> None:
    body = {"name": "Front counter", "type": "receipt", "address": "192.168.1.50:9100"}
    made = await owner.call("POST", printers, body, 201)
    assert made["printerId"].startswith("prn_")
    assert printers.endswith(f"{made['locationId']}/printers")
    assert (made["name"], made["type"], made["host"], made["port"]) == (
        "Front counter",
        "receipt",
        "192.168.1.50",
        9100,
    )
    assert (made["address"], made["active"], made["version"]) == ("192.168.1.50:9100", True, 1)
    assert made["createdAt"].endswith("Z")
    path = f"{printers}/{made['printerId']}"
    assert await owner.call("GET", path) == made

    kitchen = await owner.call(
        "POST", printers, {"name": "Kitchen", "type": "kitchen", "address": "kitchen.shop.lan"}, 201
    )
    assert (kitchen["host"], kitchen["port"], kitchen["address"]) == (
        "kitchen.shop.lan",
        9100,
        "kitchen.shop.lan:9100",
    )
    listed = await owner.call("GET", printers)
    assert [p["printerId"] for p in listed["items"]] == [made["printerId"], kitchen["printerId"]]

    patched = await owner.call(
        "PATCH", path, {"name": "Till 1", "address": "[FD12:3456::0:50]:9101", "version": 1}
    )
    assert (patched["name"], patched["host"], patched["port"], patched["version"]) == (
        "Till 1",
        "fd12:3456::50",
        9101,
        2,
    )
    assert patched["address"] == "[fd12:3456::50]:9101"
    error = await owner.error("PATCH", path, {"name": "Old", "version": 1}, 409, "VERSION_CONFLICT")
    assert error["details"][0]["field"] == "version"
    same = await owner.call("PATCH", path, {"name": "Till 1"})
    assert same["version"] == 2  # nothing changed, nothing written

    archived = await owner.call("DELETE", path)
    assert (archived["active"], archived["version"]) == (False, 3)
    assert (await owner.call("DELETE", path))["version"] == 3
    listed = await owner.call("GET", printers)
    assert [p["printerId"] for p in listed["items"]] == [kitchen["printerId"]]
    everything = await owner.call("GET", printers, includeInactive="true")
    assert everything["total"] == 2
    assert (await owner.call("GET", path))["active"] is False
    restored = await owner.call("PATCH", path, {"active": True})
    assert restored["active"] is True

    events = (await owner.call("GET", "/v1/events", types="printer.*"))["items"]
    assert [(e["type"], e["data"]["printerId"]) for e in events] == [
        ("printer.created", made["printerId"]),
        ("printer.created", kitchen["printerId"]),
        ("printer.updated", made["printerId"]),
        ("printer.archived", made["printerId"]),
        ("printer.updated", made["printerId"]),
    ]
    assert events[2]["data"]["address"] == "[fd12:3456::50]:9101"
    assert {e["locationId"] for e in events} == {made["locationId"]}


@pytest.mark.parametrize(
    ("address", "host", "port"),
    [
        ("10.0.0.5", "10.0.0.5", 9100),
        ("10.0.0.5:1", "10.0.0.5", 1),
        ("10.0.0.5:65535", "10.0.0.5", 65535),
        ("192.168.1.50", "192.168.1.50", 9100),
        ("172.16.0.9", "172.16.0.9", 9100),
        ("[fd12:3456::50]", "fd12:3456::50", 9100),
        ("[2001:db8::10]:9100", "2001:db8::10", 9100),
        ("Printer-2.Shop.LAN:515", "printer-2.shop.lan", 515),
    ],
)
async def test_good_addresses(
    owner: Api, printers: str, address: str, host: str, port: int
) -> None:
    made = await owner.call("POST", printers, {"name": "P", "address": address}, 201)
    assert (made["host"], made["port"], made["type"]) == (host, port, "receipt")


BAD_ADDRESSES = [
    "999.1.1.1",
    "10.0.0.256",
    "10.0.0",
    "1.2.3.4.5",
    "010.0.0.1",
    "10.0.0.5:99999",
    "10.0.0.5:0",
    "10.0.0.5:",
    "10.0.0.5:-1",
    "10.0.0.5:9100:1",
    "host:abc",
    "10.0.0.5 :9100",
    "10.0. 0.5",
    "print er.lan",
    "",
    "   ",
    "fe80::1",
    "[fe80::1",
    "[fe80::zz]:9100",
    "[10.0.0.5]:9100",
    "[fe80::1]9100",
    "under_score.lan",
    "-leading.lan",
    "a..b",
    "http://10.0.0.5:9100",
    "10.0.0.5/24",
    "x" * 64 + ".lan",
]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
async def test_bad_addresses(owner: Api, printers: str, address: str) -> None:
    error = await owner.error(
        "POST", printers, {"name": "P", "address": address}, 400, "INVALID_PRINTER_IP_FORMAT"
    )
    assert [d["field"] for d in error["details"]] == ["address"]
    assert (await owner.call("GET", printers, includeInactive="true"))["total"] == 0


async def test_bad_address_on_update_and_missing_address(owner: Api, printers: str) -> None:
    error = await owner.error("POST", printers, {"name": "P"}, 400, "INVALID_PRINTER_IP_FORMAT")
    assert error["details"][0]["field"] == "address"
    made = await owner.call("POST", printers, {"name": "P", "address": "10.0.0.5"}, 201)
    path = f"{printers}/{made['printerId']}"
    for address in ["999.1.1.1", "10.0.0.5:99999", "host:abc", ""]:
        await owner.error("PATCH", path, {"address": address}, 400, "INVALID_PRINTER_IP_FORMAT")
    assert (await owner.call("GET", path)) == made


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": None}])
async def test_a_printer_needs_a_name(owner: Api, printers: str, body: Json) -> None:
    error = await owner.error(
        "POST", printers, {**body, "address": "10.0.0.5"}, 400, "PRINTER_NAME_REQUIRED"
    )
    assert error["details"][0]["field"] == "name"
    assert (await owner.call("GET", printers, includeInactive="true"))["total"] == 0


async def test_a_blank_name_on_update(owner: Api, printers: str) -> None:
    made = await owner.call("POST", printers, {"name": "P", "address": "10.0.0.5"}, 201)
    path = f"{printers}/{made['printerId']}"
    await owner.error("PATCH", path, {"name": " "}, 400, "PRINTER_NAME_REQUIRED")
    assert (await owner.call("GET", path))["name"] == "P"


async def test_other_fields_are_plain_validation_errors(owner: Api, printers: str) -> None:
    body = {"name": "P", "address": "10.0.0.5", "type": "label"}
    error = await owner.error("POST", printers, body, 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "type"
    await owner.error(
        "POST", printers, {"name": "x" * 101, "address": "10.0.0.5"}, 400, "VALIDATION_ERROR"
    )


async def test_another_tenants_or_locations_printer_is_not_found(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    owner: Api,
    printers: str,
    make_tenant: TenantFactory,
) -> None:
    made = await owner.call("POST", printers, {"name": "P", "address": "10.0.0.5"}, 201)
    path = f"{printers}/{made['printerId']}"
    intruder = Api(client, (await make_tenant(name="Intruder")).headers)
    for method, body in [("GET", None), ("PATCH", {"name": "Mine"}), ("DELETE", None)]:
        await intruder.error(method, path, body, 404, "NOT_FOUND")
    await intruder.error("GET", printers, None, 404, "NOT_FOUND")
    await intruder.error("POST", printers, {"name": "X", "address": "bad"}, 404, "NOT_FOUND")
    # The intruder's own location does not reach the printer either.
    their_loc = (await intruder.call("POST", "/v1/locations", {"name": "Theirs"}, 201))[
        "locationId"
    ]
    await intruder.error(
        "GET", f"/v1/locations/{their_loc}/printers/{made['printerId']}", None, 404, "NOT_FOUND"
    )
    # Nor does another location of the same tenant.
    other = await add_location(client, tenant, "Other")
    await owner.error(
        "GET",
        f"/v1/locations/{other['locationId']}/printers/{made['printerId']}",
        None,
        404,
        "NOT_FOUND",
    )
    assert await owner.call("GET", path) == made


async def test_permissions_and_location_scope(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api, printers: str
) -> None:
    made = await owner.call("POST", printers, {"name": "P", "address": "10.0.0.5"}, 201)
    path = f"{printers}/{made['printerId']}"
    cashier = Api(client, bearer((await add_user(client, tenant, "cashier"))[1]))
    assert (await cashier.call("GET", printers))["total"] == 1  # settings:read
    await cashier.error("POST", printers, {"name": "C", "address": "10.0.0.6"}, 403, "FORBIDDEN")
    await cashier.error("PATCH", path, {"name": "C"}, 403, "FORBIDDEN")
    await cashier.error("DELETE", path, None, 403, "FORBIDDEN")

    elsewhere = await add_location(client, tenant, "Elsewhere")
    _, token = await add_user(client, tenant, "manager", location_ids=[elsewhere["locationId"]])
    manager = Api(client, bearer(token))
    await manager.error("GET", path, None, 404, "NOT_FOUND")
    await manager.error("POST", printers, {"name": "M", "address": "10.0.0.7"}, 404, "NOT_FOUND")
    mine = f"/v1/locations/{elsewhere['locationId']}/printers"
    await manager.call("POST", mine, {"name": "M", "address": "10.0.0.7"}, 201)
    assert await owner.call("GET", path) == made


# ---- addresses a printer may not have (issue 13 item 7) ----------------------------------------

# Printers live on the shop's LAN: private addresses are fine, the server and its cloud are not.
NOT_ALLOWED = [
    "127.0.0.1",
    "127.8.9.10:9100",
    "[::1]",
    "[::ffff:127.0.0.1]:9100",  # IPv4-mapped: judged as 127.0.0.1
    "localhost",  # resolves to loopback
    "169.254.169.254",  # cloud metadata
    "169.254.10.20",  # link-local
    "[fe80::1]:9100",
    "[fd00:ec2::254]",  # AWS metadata over IPv6
    "100.100.100.200",  # Alibaba metadata
    "[::ffff:169.254.169.254]",
    "224.0.0.1:9100",  # multicast
    "[ff02::1]",
    "0.0.0.0",
    "0.1.2.3",
    "[::]",
    "255.255.255.255",
    "240.0.0.1",
]


@pytest.mark.parametrize("address", NOT_ALLOWED)
async def test_addresses_a_printer_may_not_have(owner: Api, printers: str, address: str) -> None:
    error = await owner.error(
        "POST", printers, {"name": "P", "address": address}, 400, "PRINTER_ADDRESS_NOT_ALLOWED"
    )
    assert [d["field"] for d in error["details"]] == ["address"]
    assert (await owner.call("GET", printers, includeInactive="true"))["total"] == 0


async def test_an_update_cannot_move_a_printer_to_a_refused_address(
    owner: Api, printers: str
) -> None:
    made = await owner.call("POST", printers, {"name": "P", "address": "10.0.0.5"}, 201)
    path = f"{printers}/{made['printerId']}"
    for address in ("127.0.0.1", "[fe80::1]", "169.254.169.254:80"):
        await owner.error("PATCH", path, {"address": address}, 400, "PRINTER_ADDRESS_NOT_ALLOWED")
    assert (await owner.get(path))["address"] == "10.0.0.5:9100"


async def test_a_name_that_does_not_resolve_yet_is_accepted(owner: Api, printers: str) -> None:
    """A printer may be configured before it is on the network; printing checks it again."""
    made = await owner.call("POST", printers, {"name": "P", "address": "till-9.invalid"}, 201)
    assert made["host"] == "till-9.invalid"


async def test_loopback_only_when_the_server_allows_it(
    loopback_printer_client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    """TILLPOINT_PRINTER_ALLOW_LOOPBACK=true (development) allows loopback, nothing more."""
    lan = Api(loopback_printer_client, tenant.headers)
    loc = await add_location(loopback_printer_client, tenant)
    path = f"/v1/locations/{loc['locationId']}/printers"
    for address in ("127.0.0.1:9100", "[::1]", "localhost", "[::ffff:127.0.0.1]"):
        await lan.call("POST", path, {"name": "Emulator", "address": address}, 201)
    for address in ("169.254.169.254", "[fe80::1]", "224.0.0.1", "0.0.0.0", "100.100.100.200"):
        body = {"name": "P", "address": address}
        await lan.error("POST", path, body, 400, "PRINTER_ADDRESS_NOT_ALLOWED")
