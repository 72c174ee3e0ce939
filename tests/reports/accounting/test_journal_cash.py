"""Cash over/short in the journal: a shift closed short or over posts cash against the
over/short account on the day it closed, at the location's timezone."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from tests.support.sales import make_shop
from tests.support.tenants import TenantFixture


async def test_a_shift_closed_short_posts_the_shortage(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)
    shifts = f"/v1/registers/{till.register_id}/shifts"
    shift = await till.get(f"{shifts}/current")
    closed = await till.call(
        "POST", f"{shifts}/{shift['shiftId']}/close", {"countedCash": 98.5}, status=200
    )
    short = Decimal(str(closed["overShort"]))
    assert short == Decimal("-1.5")  # float 100, no sales: expected 100
    day = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date().isoformat()
    journal = await till.get("/v1/accounting/journal", date=day, locationId=till.location_id)
    got = {(line["accountKey"], line["debit"], line["credit"]) for line in journal["lines"]}
    assert got == {("cashOverShort", 1.5, None), ("cash", None, 1.5)}
    assert journal["unreconciledDifference"] == 0

    reopened = await till.open_shift()
    over = await till.call(
        "POST", f"{shifts}/{reopened['shiftId']}/close", {"countedCash": 102}, status=200
    )
    assert Decimal(str(over["overShort"])) == 2
    journal = await till.get("/v1/accounting/journal", date=day, locationId=till.location_id)
    # The day nets both shifts: 0.50 over.
    got = {(line["accountKey"], line["debit"], line["credit"]) for line in journal["lines"]}
    assert got == {("cash", 0.5, None), ("cashOverShort", None, 0.5)}
