"""Printing a shift's report over HTTP: the Z report's text, as ESC/POS, reaches a real TCP
printer stand-in; no printer, or one that is down, is a clear error and the shift is
unchanged."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.printer_listener import PrinterListener, printer_listener
from tests.support.sales import Till, make_shop
from tests.support.smtp import free_port
from tests.support.tenants import TenantFixture

Json = dict[str, Any]


@pytest.fixture
async def till(loopback_printer_client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    """A shop on an app that allows printers on 127.0.0.1, where the stand-in listens."""
    return await make_shop(loopback_printer_client, tenant)


@pytest.fixture
async def listener() -> AsyncIterator[PrinterListener]:
    async with printer_listener() as listening:
        yield listening


async def add_printer(till: Till, address: str) -> Json:
    body = {"name": "Front", "address": address}
    printer: Json = await till.post(f"/v1/locations/{till.location_id}/printers", body)
    return printer


ESC_INIT = b"\x1b@"
GS_CUT = b"\x1dV"


async def test_the_z_report_prints_on_the_receipt_printer(
    till: Till, listener: PrinterListener
) -> None:
    mug = await till.product("Mug", 12)
    shift = await till.get(f"/v1/registers/{till.register_id}/shifts/current")
    order = await till.order(till.line(mug))
    await till.pay(order, tender="cash", amount=order["totals"]["balanceDue"], amountTendered=20)
    shifts = f"/v1/registers/{till.register_id}/shifts/{shift['shiftId']}"
    await till.post(f"{shifts}/cash-movements", {"kind": "paid_out", "amount": 5, "reason": "Milk"})
    await till.post(f"{shifts}/close", {"countedCash": 108}, status=200)
    printer = await add_printer(till, f"127.0.0.1:{listener.port}")

    printed = await till.call("POST", f"{shifts}/report/print", {})

    job = await listener.next_job()
    assert printed == {"printed": True, "printerId": printer["printerId"], "bytes": len(job)}
    assert job.startswith(ESC_INIT)
    assert GS_CUT in job
    text = (await till.client.get(f"{shifts}/report?format=text", headers=till.auth)).text
    for line in text.splitlines():
        assert line.rstrip().encode() in job, line
    assert b"Z REPORT" in job
    assert b"Expected cash" in job


async def test_no_printer_or_a_dead_one_is_explained(till: Till) -> None:
    shift = await till.get(f"/v1/registers/{till.register_id}/shifts/current")
    shifts = f"/v1/registers/{till.register_id}/shifts/{shift['shiftId']}"
    error = await till.error("POST", f"{shifts}/report/print", {}, 409, "CONFLICT")
    assert "no active receipt printer" in error["message"]
    await add_printer(till, f"127.0.0.1:{free_port()}")
    error = await till.error("POST", f"{shifts}/report/print", {}, 502, "PRINTER_UNREACHABLE")
    assert "the shift is unchanged" in error["message"]
    after = await till.get(f"/v1/registers/{till.register_id}/shifts/current")
    assert after["version"] == shift["version"]
    await till.error(
        "POST",
        f"/v1/registers/{till.register_id}/shifts/shf_01J0000000000000000000000/report/print",
        {},
        404,
        "NOT_FOUND",
    )
