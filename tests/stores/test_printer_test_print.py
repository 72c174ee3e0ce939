"""A printer's test print over HTTP: ESC/POS bytes to a real TCP listener, a clear 502 when
nobody answers, 409 for an archived printer, and only for those who may change settings."""

import asyncio

import httpx

from tests.sales.test_receipts import ESC_INIT, GS_CUT, listener, unused_port
from tests.support.api import Api
from tests.support.printer_listener import PrinterListener
from tests.support.tenants import (
    TenantFactory,
    TenantFixture,
    add_api_key,
    add_location,
    bearer,
)

__all__ = ["listener"]  # the fixture, used by name below


async def add_printer(lan: Api, location_id: str, address: str) -> str:
    body = {"name": "Front counter", "type": "receipt", "address": address}
    printer_id: str = (await lan.post(f"/v1/locations/{location_id}/printers", body))["printerId"]
    return printer_id


async def test_the_test_page_reaches_the_printer(
    loopback_printer_client: httpx.AsyncClient, tenant: TenantFixture, listener: PrinterListener
) -> None:
    lan = Api(loopback_printer_client, tenant.headers)
    location = await add_location(loopback_printer_client, tenant, "Corner")
    printer = await add_printer(lan, location["locationId"], f"127.0.0.1:{listener.port}")
    path = f"/v1/locations/{location['locationId']}/printers/{printer}/test-print"
    result = await lan.call("POST", path, {})
    await asyncio.wait_for(listener.done.wait(), 5)
    [job] = listener.jobs
    assert result == {"printed": True, "printerId": printer, "bytes": len(job)}
    assert job.startswith(ESC_INIT)
    assert job[-3:] == GS_CUT + b"\x00"
    for text in (b"Tillpoint test print", b"Front counter", b"Corner"):
        assert text in job
    assert f"127.0.0.1:{listener.port}".encode() in job


async def test_an_unreachable_or_archived_printer_is_a_clear_error(
    loopback_printer_client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    lan = Api(loopback_printer_client, tenant.headers)
    location = (await add_location(loopback_printer_client, tenant))["locationId"]
    port = unused_port()
    printer = await add_printer(lan, location, f"127.0.0.1:{port}")
    path = f"/v1/locations/{location}/printers/{printer}/test-print"
    error = await lan.error("POST", path, {}, 502, "PRINTER_UNREACHABLE")
    assert f"127.0.0.1:{port}" in error["message"]
    assert error["details"][0]["printerId"] == printer
    await lan.call("DELETE", f"/v1/locations/{location}/printers/{printer}")
    await lan.error("POST", path, {}, 409, "CONFLICT")
    await lan.error(
        "POST", f"/v1/locations/{location}/printers/prn_nope/test-print", {}, 404, "NOT_FOUND"
    )


async def test_only_settings_writers_and_the_tenant_may_test_print(
    loopback_printer_client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: TenantFactory
) -> None:
    lan = Api(loopback_printer_client, tenant.headers)
    location = (await add_location(loopback_printer_client, tenant))["locationId"]
    printer = await add_printer(lan, location, f"127.0.0.1:{unused_port()}")
    path = f"/v1/locations/{location}/printers/{printer}/test-print"
    reader = await add_api_key(loopback_printer_client, tenant, ["settings:read"])
    refused = await loopback_printer_client.post(path, headers=bearer(reader["key"]))
    assert refused.status_code == 403, refused.text
    intruder = await make_tenant(name="Intruder")
    hidden = await loopback_printer_client.post(path, headers=intruder.headers)
    assert hidden.status_code == 404, hidden.text
