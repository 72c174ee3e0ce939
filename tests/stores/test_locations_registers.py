"""Stores over HTTP: locations, registers, employees, tax classes, tax rates, location scoping."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.support.api import Api as BaseApi
from tests.support.tenants import (
    PASSWORD,
    TenantFactory,
    TenantFixture,
    add_location,
    add_user,
    bearer,
)
from tillpoint.core.db import Database

Json = dict[str, Any]
ADDRESS = {"line1": "1 Main St", "line2": "Suite 4", "city": "Springfield"}
ADDRESS |= {"region": "IL", "postalCode": "62701", "country": "US"}


class Api(BaseApi):
    """The shop's owner (or another principal) on locations, registers, staff and taxes."""

    async def total(self, path: str, **params: Any) -> int:
        return int((await self.get(path, **params))["total"])

    async def events(self, types: str) -> list[Any]:
        return (await self.get("/v1/events", types=types))["items"]

    async def role_id(self, name: str) -> str:
        roles = (await self.get("/v1/roles"))["items"]
        return next(r["roleId"] for r in roles if r["name"] == name)


@pytest.fixture
def owner(client: httpx.AsyncClient, tenant: TenantFixture) -> Api:
    return Api(client, tenant.headers)


@pytest.fixture
async def loc(client: httpx.AsyncClient, tenant: TenantFixture) -> Json:
    return await add_location(client, tenant)


async def limited_manager(client: httpx.AsyncClient, tenant: TenantFixture, loc: str) -> Api:
    _, token = await add_user(client, tenant, "manager", location_ids=[loc])
    return Api(client, bearer(token))


async def test_location_create_get_list(owner: Api) -> None:
    body: Json = {"name": "Downtown", "address": ADDRESS, "timezone": "America/Chicago"}
    body |= {"taxInclusive": True, "allowNegativeStock": False}
    loc = await owner.post("/v1/locations", body)
    assert loc["locationId"].startswith("loc_")
    assert {k: loc[k] for k in body} == body
    assert (loc["active"], loc["version"]) == (True, 1)
    assert await owner.get(f"/v1/locations/{loc['locationId']}") == loc
    listed = await owner.get("/v1/locations")
    assert (listed["items"], listed["total"]) == ([loc], 1)
    plain = await owner.post("/v1/locations", {"name": "Plain"})
    assert plain["timezone"] == "America/New_York"  # the tenant's
    got = (plain["taxInclusive"], plain["allowNegativeStock"], plain["address"]["city"])
    assert got == (False, True, "")


async def test_bad_timezone_is_400_naming_the_field(owner: Api, loc: Json) -> None:
    bad = {"name": "Olympus", "timezone": "Mars/Olympus_Mons"}
    await owner.error("POST", "/v1/locations", bad, 400, "VALIDATION_ERROR", "timezone")
    assert await owner.total("/v1/locations") == 1  # just `loc`
    path = f"/v1/locations/{loc['locationId']}"
    patch = {"timezone": "America/Nowhere", "name": "Renamed"}
    await owner.error("PATCH", path, patch, 400, "VALIDATION_ERROR", "timezone")
    assert await owner.get(path) == loc


@pytest.mark.parametrize("name", ["America", "Etc"])
async def test_timezone_directory_name_is_400(app: Any, tenant: TenantFixture, name: str) -> None:
    # Let the app answer as it would a real client (a 500 response) instead of raising here.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        body = {"name": "Dir", "timezone": name}
        await Api(client, tenant.headers).error(
            "POST", "/v1/locations", body, 400, "VALIDATION_ERROR", "timezone"
        )


async def test_location_patch_versions_and_conflict(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api
) -> None:
    loc = await add_location(client, tenant, "Old name")
    path = f"/v1/locations/{loc['locationId']}"
    first = await owner.patch(path, {"name": "New", "version": 1})
    assert (first["name"], first["version"], first["timezone"]) == ("New", 2, loc["timezone"])
    assert first["updatedAt"] >= loc["updatedAt"]
    second = await owner.patch(path, {"taxInclusive": True})
    assert (second["taxInclusive"], second["version"]) == (True, 3)
    stale = {"name": "Lost", "version": 2}
    await owner.error("PATCH", path, stale, 409, "VERSION_CONFLICT", "version")
    current = await owner.get(path)
    assert (current["name"], current["version"]) == ("New", 3)


async def test_other_tenants_location_is_not_found(
    client: httpx.AsyncClient, owner: Api, make_tenant: TenantFactory, loc: Json
) -> None:
    other = Api(client, (await make_tenant()).headers)
    path = f"/v1/locations/{loc['locationId']}"
    await other.error("GET", path, None, 404, "NOT_FOUND")
    await other.error("PATCH", path, {"name": "Taken"}, 404, "NOT_FOUND")
    await owner.error("GET", f"/v1/locations/reg_{loc['locationId'][4:]}", None, 404, "NOT_FOUND")
    assert (await owner.get(path))["name"] == loc["name"]


async def test_register_lifecycle(owner: Api, loc: Json) -> None:
    base = f"/v1/locations/{loc['locationId']}/registers"
    one = await owner.post(base, {"name": "Till 1"})
    two = await owner.post(base, {"name": "Till 2"})
    assert one["registerId"].startswith("reg_")
    assert (one["locationId"], one["active"], one["version"]) == (loc["locationId"], True, 1)
    listed = await owner.get(base)
    assert [r["registerId"] for r in listed["items"]] == sorted(
        [one["registerId"], two["registerId"]]
    )
    assert listed["total"] == 2
    path = f"{base}/{one['registerId']}"
    assert await owner.get(path) == one

    patched = await owner.patch(path, {"name": "Front", "version": 1})
    assert (patched["name"], patched["version"]) == ("Front", 2)
    await owner.error("PATCH", path, {"version": 1}, 409, "VERSION_CONFLICT")
    archived = await owner.call("DELETE", path)
    assert (archived["active"], archived["version"]) == (False, 3)
    kept = await owner.get(path)
    assert (kept["active"], kept["name"]) == (False, "Front")
    again = await owner.call("DELETE", path)
    assert (again["active"], again["version"]) == (False, 3)


async def test_archived_register_hidden_from_active_list(owner: Api, loc: Json) -> None:
    base = f"/v1/locations/{loc['locationId']}/registers"
    kept = await owner.post(base, {"name": "Kept"})
    gone = await owner.post(base, {"name": "Gone"})
    await owner.call("DELETE", f"{base}/{gone['registerId']}")
    active = await owner.get(base, active="true")
    assert [r["registerId"] for r in active["items"]] == [kept["registerId"]]


async def test_register_under_wrong_location_is_404(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api
) -> None:
    a = await add_location(client, tenant, "A")
    b = await add_location(client, tenant, "B")
    reg = await owner.post(f"/v1/locations/{a['locationId']}/registers", {"name": "T"})
    wrong = f"/v1/locations/{b['locationId']}/registers/{reg['registerId']}"
    for method, body in [("GET", None), ("PATCH", {"name": "Moved"}), ("DELETE", None)]:
        await owner.error(method, wrong, body, 404, "NOT_FOUND")
    assert await owner.total(f"/v1/locations/{b['locationId']}/registers") == 0
    unknown = f"/v1/locations/loc_{'0' * 26}/registers"
    await owner.error("POST", unknown, {"name": "Nowhere"}, 404, "NOT_FOUND")
    assert await owner.get(f"/v1/locations/{a['locationId']}/registers/{reg['registerId']}") == reg


async def test_employee_pin_is_hashed_and_never_returned(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api, db: Database, loc: Json
) -> None:
    cashier = await owner.role_id("cashier")
    body: Json = {"name": "Pat", "email": "pat@shop.example.com", "roleId": cashier}
    body |= {"locationIds": [loc["locationId"]], "pin": "58203917"}
    response = await client.post("/v1/employees", headers=tenant.headers, json=body)
    assert response.status_code == 201, response.text
    emp = response.json()
    assert emp["employeeId"].startswith("emp_")
    assert (emp["hasPin"], emp["locationIds"], "pin" in emp) == (True, [loc["locationId"]], False)
    assert "58203917" not in response.text
    fetched = await client.get(f"/v1/employees/{emp['employeeId']}", headers=tenant.headers)
    assert fetched.json()["hasPin"] is True
    assert "58203917" not in fetched.text
    created = (await owner.events("employee.created"))[0]["data"]
    assert (created["employeeId"], created["hasPin"]) == (emp["employeeId"], True)
    assert "58203917" not in str(created)

    query = text("SELECT * FROM employees WHERE tenant_id = :t AND id = :id")
    async with db.engine.connect() as conn:
        row = (
            (await conn.execute(query, {"t": tenant.id, "id": emp["employeeId"]})).mappings().one()
        )
    assert row["pin_hash"].startswith("$argon2")
    assert all("58203917" not in str(value) for value in row.values())

    plain = await owner.post("/v1/employees", {"name": "No Pin", "roleId": cashier})
    assert plain["hasPin"] is False


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", "12 34", 1234])
async def test_employee_bad_pin_is_400(owner: Api, pin: Any) -> None:
    body = {"name": "Pat", "roleId": await owner.role_id("cashier"), "pin": pin}
    await owner.error("POST", "/v1/employees", body, 400, "VALIDATION_ERROR", "pin")
    assert await owner.total("/v1/employees") == 0


@pytest.mark.parametrize("pin", ["١٢٣٤", "１２３４"])
async def test_employee_non_ascii_digit_pin_is_400(owner: Api, pin: str) -> None:
    body = {"name": "Pat", "roleId": await owner.role_id("cashier"), "pin": pin}
    await owner.error("POST", "/v1/employees", body, 400, "VALIDATION_ERROR", "pin")


async def test_tax_class_code_unique_and_patterned(
    client: httpx.AsyncClient, owner: Api, make_tenant: TenantFactory
) -> None:
    food = await owner.post("/v1/tax-classes", {"code": "food", "name": "Food"})
    assert food["taxClassId"].startswith("txc_")
    assert (food["code"], food["name"], food["version"]) == ("food", "Food", 1)
    again = {"code": "food", "name": "Again"}
    await owner.error("POST", "/v1/tax-classes", again, 409, "ALREADY_EXISTS", "code")
    for code in ["Food", "food-hot", "food hot", "", "x" * 51]:
        bad = {"code": code, "name": "Bad"}
        await owner.error("POST", "/v1/tax-classes", bad, 400, "VALIDATION_ERROR", "code")
    listed = await owner.get("/v1/tax-classes")
    # Every tenant starts with ``standard`` and ``exempt``.
    assert sorted(c["code"] for c in listed["items"]) == ["exempt", "food", "standard"]
    other = Api(client, (await make_tenant()).headers)  # codes are unique per tenant only
    await other.post("/v1/tax-classes", {"code": "food", "name": "Food"})


async def test_tax_rates_exact_and_several_per_class(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api, loc: Json
) -> None:
    base = f"/v1/locations/{loc['locationId']}/tax-rates"
    await owner.post("/v1/tax-classes", {"code": "food", "name": "Food"})
    state = await owner.post(base, {"taxClass": "standard", "name": "NY", "rate": 8.875})
    assert state["taxRateId"].startswith("txr_")
    assert (state["rate"], state["taxClass"], state["locationId"]) == (
        8.875,
        "standard",
        loc["locationId"],
    )
    city = await owner.post(base, {"taxClass": "standard", "name": "City", "rate": 0.1})
    food = await owner.post(base, {"taxClass": "food", "name": "Food", "rate": 0})
    assert (city["rate"], food["rate"]) == (0.1, 0)
    standard = await owner.get(base, taxClass="standard")
    assert sorted(r["taxRateId"] for r in standard["items"]) == sorted(
        [state["taxRateId"], city["taxRateId"]]
    )
    assert await owner.total(base) == 3
    fetched = await client.get(f"{base}/{state['taxRateId']}", headers=tenant.headers)
    assert '"rate":8.875' in fetched.text.replace(" ", "")
    patched = await owner.patch(f"{base}/{state['taxRateId']}", {"rate": 6.35, "version": 1})
    assert (patched["rate"], patched["version"]) == (6.35, 2)


async def test_tax_rate_validation(
    client: httpx.AsyncClient, owner: Api, make_tenant: TenantFactory, loc: Json
) -> None:
    base = f"/v1/locations/{loc['locationId']}/tax-rates"
    old = await owner.post("/v1/tax-classes", {"code": "old", "name": "Old"})
    await owner.call("DELETE", f"/v1/tax-classes/{old['taxClassId']}")
    other = Api(client, (await make_tenant()).headers)
    await other.post("/v1/tax-classes", {"code": "theirs", "name": "Theirs"})
    for code in ["nosuch", "old", "theirs"]:
        body = {"taxClass": code, "name": "R", "rate": 5}
        await owner.error("POST", base, body, 400, "VALIDATION_ERROR", "taxClass")
    for rate in [8.87501, 100.5, -1, "abc"]:
        body = {"taxClass": "standard", "name": "R", "rate": rate}
        await owner.error("POST", base, body, 400, "VALIDATION_ERROR", "rate")
    assert await owner.total(base) == 0
    top = await owner.post(base, {"taxClass": "standard", "name": "Max", "rate": 100})
    assert top["rate"] == 100


async def test_location_limited_manager(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api
) -> None:
    a = await add_location(client, tenant, "A")
    b = await add_location(client, tenant, "B")
    lb = f"/v1/locations/{b['locationId']}"
    b_reg = await owner.post(f"{lb}/registers", {"name": "R"})
    rate = {"taxClass": "standard", "name": "S", "rate": 5}
    b_rate = await owner.post(f"{lb}/tax-rates", rate)
    mine = await limited_manager(client, tenant, a["locationId"])

    listed = await mine.get("/v1/locations")
    assert ([loc["locationId"] for loc in listed["items"]], listed["total"]) == (
        [a["locationId"]],
        1,
    )
    assert (await mine.get(f"/v1/locations/{a['locationId']}"))["locationId"] == a["locationId"]
    await mine.post(f"/v1/locations/{a['locationId']}/registers", {"name": "Mine"})

    hidden = [lb, f"{lb}/registers", f"{lb}/registers/{b_reg['registerId']}", f"{lb}/tax-rates"]
    for path in [*hidden, f"{lb}/tax-rates/{b_rate['taxRateId']}"]:
        await mine.error("GET", path, None, 404, "NOT_FOUND")
    await mine.error("PATCH", lb, {"name": "Mine"}, 404, "NOT_FOUND")
    await mine.error("POST", f"{lb}/registers", {"name": "R2"}, 404, "NOT_FOUND")
    await mine.error("POST", f"{lb}/tax-rates", rate, 404, "NOT_FOUND")
    await mine.error("POST", "/v1/locations", {"name": "New"}, 403, "FORBIDDEN")

    assert (await owner.get(lb))["version"] == 1
    assert await owner.total(f"{lb}/registers") == 1
    assert await owner.total(f"{lb}/tax-rates") == 1
    assert await owner.total("/v1/locations") == 2


async def test_limited_manager_sees_employees_of_every_location(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api
) -> None:
    a = await add_location(client, tenant, "A")
    body = {"name": "Floater", "roleId": await owner.role_id("cashier")}
    everywhere = await owner.post("/v1/employees", body)
    mine = await limited_manager(client, tenant, a["locationId"])
    listed = await mine.get("/v1/employees")
    assert [e["employeeId"] for e in listed["items"]] == [everywhere["employeeId"]]


async def test_limited_manager_cannot_grant_every_location(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api
) -> None:
    a = await add_location(client, tenant, "A")
    mine = await limited_manager(client, tenant, a["locationId"])
    email = f"wider-{uuid.uuid4().hex[:10]}@shop.example.com"
    body = {"email": email, "name": "Wider", "password": PASSWORD, "locationIds": []}
    body["currentPassword"] = PASSWORD
    body["roleId"] = await owner.role_id("manager")
    response = await client.post("/v1/users", headers=mine.headers, json=body)
    assert response.status_code in (400, 403), response.text
    users = await owner.get("/v1/users", pageSize=200)
    assert email not in [u["email"] for u in users["items"]]


async def test_cashier_cannot_change_settings(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api, loc: Json
) -> None:
    cashier = Api(client, bearer((await add_user(client, tenant, "cashier"))[1]))
    rates = f"/v1/locations/{loc['locationId']}/tax-rates"
    body = {"taxClass": "standard", "name": "S", "rate": 5}
    await cashier.error("POST", rates, body, 403, "FORBIDDEN")
    assert await owner.total(rates) == 0
    assert await cashier.total(rates) == 0  # settings:read is allowed
    for method, path, payload in [
        ("POST", "/v1/locations", {"name": "X"}),
        ("PATCH", f"/v1/locations/{loc['locationId']}", {"name": "X"}),
        ("POST", "/v1/tax-classes", {"code": "food", "name": "Food"}),
        ("POST", f"/v1/locations/{loc['locationId']}/registers", {"name": "X"}),
    ]:
        await cashier.error(method, path, payload, 403, "FORBIDDEN")
    assert (await owner.get("/v1/locations"))["items"] == [loc]
    assert await owner.total("/v1/tax-classes") == 2  # the two every tenant starts with
    assert await owner.total(f"/v1/locations/{loc['locationId']}/registers") == 0


def own_id(event: Any) -> str:
    """The id of the tax class or tax rate an event is about."""
    return str(
        event["data"]["taxClassId" if event["type"].startswith("tax_class.") else "taxRateId"]
    )


async def test_changes_append_events(
    client: httpx.AsyncClient, tenant: TenantFixture, owner: Api
) -> None:
    loc = await add_location(client, tenant, "Evented")
    path = f"/v1/locations/{loc['locationId']}"
    await owner.patch(path, {"name": "Renamed", "version": 1})
    await owner.error("PATCH", path, {"version": 1}, 409, "VERSION_CONFLICT")
    got = await owner.events("location.*")
    assert [(e["type"], e["data"]["name"], e["data"]["version"]) for e in got] == [
        ("location.created", "Evented", 1),
        ("location.updated", "Renamed", 2),
    ]
    assert {(e["data"]["locationId"], e["locationId"]) for e in got} == {
        (loc["locationId"], loc["locationId"])
    }
    assert all(e["occurredAt"].endswith("Z") for e in got)

    reg = await owner.post(f"{path}/registers", {"name": "Till"})
    await owner.call("DELETE", f"{path}/registers/{reg['registerId']}")
    got = await owner.events("register.*")
    assert [
        (e["type"], e["data"]["registerId"], e["data"]["active"], e["locationId"]) for e in got
    ] == [
        ("register.created", reg["registerId"], True, loc["locationId"]),
        ("register.archived", reg["registerId"], False, loc["locationId"]),
    ]

    txc = await owner.post("/v1/tax-classes", {"code": "std", "name": "Std"})
    txr = await owner.post(f"{path}/tax-rates", {"taxClass": "std", "name": "S", "rate": 8.875})
    ours = (txc["taxClassId"], txr["taxRateId"])
    got = [e for e in await owner.events("tax_*") if own_id(e) in ours]
    assert [(e["type"], own_id(e)) for e in got] == [
        ("tax_class.created", txc["taxClassId"]),
        ("tax_rate.created", txr["taxRateId"]),
    ]
    assert (got[1]["data"]["rate"], got[1]["locationId"]) == (8.875, loc["locationId"])
    seqs = [e["seq"] for e in await owner.events("location.*,register.*,tax_*")]
    assert len(seqs) == 8  # with the tenant's two starting tax classes
    assert seqs == sorted(seqs)
