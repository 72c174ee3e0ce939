"""GET /v1/accounting/journal and POST /v1/accounting/day-closes without sales:
formats, scope, permissions, validation and closing."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from tests.support.tenants import TenantFixture, add_location, add_user, bearer, login, new_user

FIXTURES = Path(__file__).parent / "fixtures"
JOURNAL = "/v1/accounting/journal"


def _today(timezone: str = "America/New_York") -> str:
    return datetime.now(UTC).astimezone(ZoneInfo(timezone)).date().isoformat()


def _yesterday(timezone: str = "America/New_York") -> str:
    local = datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()
    return (local - timedelta(days=1)).isoformat()


async def test_an_empty_day_in_every_format(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    location = (await add_location(client, tenant))["locationId"]
    params = {"date": _yesterday(), "locationId": location}
    body = (await client.get(JOURNAL, params=params, headers=tenant.headers)).json()
    assert body["lines"] == []
    assert (body["totalDebit"], body["totalCredit"], body["unreconciledDifference"]) == (0, 0, 0)
    assert body["closed"] is False
    assert body["locationId"] == location
    assert body["businessDay"] == params["date"]

    for layout in ("quickbooks", "xero"):
        got = await client.get(
            JOURNAL, params={**params, "format": f"{layout}-csv"}, headers=tenant.headers
        )
        assert got.status_code == 200, got.text
        assert got.headers["content-type"].startswith("text/csv")
        assert "attachment" in got.headers["content-disposition"]
        assert got.content == (FIXTURES / f"{layout}_header.csv").read_bytes()
    entry = await client.get(
        JOURNAL, params={**params, "format": "quickbooks-json"}, headers=tenant.headers
    )
    assert entry.json()["Line"] == []
    assert entry.json()["TxnDate"] == params["date"]
    manual = await client.get(
        JOURNAL, params={**params, "format": "xero-json"}, headers=tenant.headers
    )
    assert manual.json()["ManualJournals"][0]["JournalLines"] == []


async def test_bad_requests_are_400_and_other_locations_404(
    client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: object
) -> None:
    location = (await add_location(client, tenant))["locationId"]
    cases = [
        ({"locationId": location}, "date"),
        ({"date": "2026-02-30", "locationId": location}, "date"),
        ({"date": "0", "locationId": location}, "date"),
        ({"date": _yesterday()}, "locationId"),
        ({"date": _yesterday(), "locationId": location, "format": "csv"}, "format"),
    ]
    for params, field in cases:
        response = await client.get(JOURNAL, params=params, headers=tenant.headers)
        assert response.status_code == 400, (params, response.text)
        assert [d["field"] for d in response.json()["error"]["details"]] == [field]

    other = await make_tenant()  # type: ignore[operator]
    theirs = (await add_location(client, other))["locationId"]
    for location_id in (theirs, "loc_01NOSUCHLOCATION0000000000"):
        params = {"date": _yesterday(), "locationId": location_id}
        assert (await client.get(JOURNAL, params=params, headers=tenant.headers)).status_code == 404
        closed = await client.post(
            "/v1/accounting/day-closes",
            params={"date": _yesterday(), "locationId": location_id},
            headers=tenant.headers,
        )
        assert closed.status_code == 404


async def test_a_location_limited_exporter_sees_only_its_locations(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    mine = (await add_location(client, tenant, "Mine"))["locationId"]
    other = (await add_location(client, tenant, "Other"))["locationId"]
    role = await client.post(
        "/v1/roles",
        json={"name": "Bookkeeper", "permissions": ["accounting:export"]},
        headers=tenant.headers,
    )
    assert role.status_code == 201, role.text
    _, email = await new_user(client, tenant, "Bookkeeper", location_ids=[mine])
    token = (await login(client, email)).json()["authToken"]
    day = _yesterday()
    seen = await client.get(
        JOURNAL, params={"date": day, "locationId": mine}, headers=bearer(token)
    )
    assert seen.status_code == 200, seen.text
    hidden = await client.get(
        JOURNAL, params={"date": day, "locationId": other}, headers=bearer(token)
    )
    assert hidden.status_code == 404
    _, manager = await add_user(client, tenant, "manager")
    refused = await client.get(
        JOURNAL, params={"date": day, "locationId": mine}, headers=bearer(manager)
    )
    assert refused.status_code == 403


async def test_closing_a_day_once_records_the_event(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    location = (await add_location(client, tenant))["locationId"]
    day = _yesterday()
    path = "/v1/accounting/day-closes"
    params = {"date": day, "locationId": location}

    today = await client.post(path, params={**params, "date": _today()}, headers=tenant.headers)
    assert today.status_code == 400, today.text
    assert today.json()["error"]["details"][0]["field"] == "date"

    closed = await client.post(path, params=params, headers=tenant.headers)
    assert closed.status_code == 201, closed.text
    assert closed.json()["closed"] is True
    assert closed.json()["closedAt"]
    again = await client.post(path, params=params, headers=tenant.headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "DAY_ALREADY_CLOSED"

    got = await client.get(
        JOURNAL, params={"date": day, "locationId": location}, headers=tenant.headers
    )
    assert got.json() == closed.json()

    events = await client.get(
        "/v1/events", params={"types": "accounting.day_closed"}, headers=tenant.headers
    )
    [event] = events.json()["items"]
    assert event["data"]["locationId"] == location
    assert event["data"]["businessDay"] == day
    assert event["data"]["closed"] is True
