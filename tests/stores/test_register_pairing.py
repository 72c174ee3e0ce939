"""Register pairing and employee PIN sign-in (docs/adr/0013-browser-sessions.md): the register
credential lives in the device's httpOnly cookie and as a digest in the table; employees sign in
by PIN there and act at the register's location only; wrong PINs are throttled, audited and
never logged; re-pairing or unpairing stops the old credential."""

import hashlib
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.identity.test_sessions import assert_error
from tests.support.browser import (
    add_employee,
    add_user_with_role,
    browser,
    browser_sign_in,
)
from tests.support.tenants import TenantFixture, add_api_key, add_location, add_user
from tillpoint.core.db import Database
from tillpoint.stores.models import RegisterCredential

PIN = "480213"
SIGN_IN = "/v1/paired-register/employee-sessions"


async def add_register(client: httpx.AsyncClient, tenant: TenantFixture, location_id: str) -> str:
    response = await client.post(
        f"/v1/locations/{location_id}/registers", headers=tenant.headers, json={"name": "Till"}
    )
    assert response.status_code == 201, response.text
    register_id: str = response.json()["registerId"]
    return register_id


def pairing_path(location_id: str, register_id: str) -> str:
    return f"/v1/locations/{location_id}/registers/{register_id}/pairing"


async def pair(page: httpx.AsyncClient, csrf: dict[str, str], loc: str, reg: str) -> str:
    """Pair the register from this browser; the credential its cookie now holds."""
    response = await page.post(pairing_path(loc, reg), headers=csrf)
    assert response.status_code == 201, response.text
    credential: str = response.cookies["tp_register"]
    assert credential not in response.text
    return credential


async def test_pairing_needs_the_permission_and_a_signed_in_person(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    location = (await add_location(client, tenant))["locationId"]
    register = await add_register(client, tenant, location)
    _, cashier = await add_user(client, tenant, "cashier")
    refused = await client.post(
        pairing_path(location, register), headers={"Authorization": f"Bearer {cashier}"}
    )
    assert_error(refused, 403, "FORBIDDEN")
    key = await add_api_key(client, tenant, ["registers:pair", "settings:read"])
    by_key = await client.post(
        pairing_path(location, register), headers={"Authorization": f"Bearer {key['key']}"}
    )
    assert_error(by_key, 403, "SIGNED_IN_USER_REQUIRED")
    assert "set-cookie" not in by_key.headers


async def test_the_credential_is_shown_once_in_a_cookie_and_stored_as_a_digest(
    app: Any, client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    location = (await add_location(client, tenant))["locationId"]
    register = await add_register(client, tenant, location)
    manager = await add_user_with_role(client, tenant, "manager")
    async with browser(app) as device:
        csrf = await browser_sign_in(device, manager)
        response = await device.post(pairing_path(location, register), headers=csrf)
        assert response.status_code == 201, response.text
        cookie = response.headers["set-cookie"]
        attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/"} <= attributes
        secret = response.cookies["tp_register"]
        assert secret.startswith("tpd_")
        body = response.json()
        assert secret not in response.text
        assert body["registerId"] == register
        assert body["prefix"] == secret[:10]
    async with db.session() as session:
        rows = (
            (
                await session.execute(
                    select(RegisterCredential)
                    .execution_options(all_tenants=True)
                    .where(RegisterCredential.register_id == register)
                )
            )
            .scalars()
            .all()
        )
        [row] = rows
        assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        for column in RegisterCredential.__table__.columns:
            assert getattr(row, column.key) != secret
    listed = await client.get(
        f"/v1/locations/{location}/registers/{register}/credentials", headers=tenant.headers
    )
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert item["credentialId"] == body["credentialId"]
    assert item["lastUsedAt"] is None
    assert item["revokedAt"] is None
    assert secret not in listed.text


@pytest.fixture
async def shop(app: Any, client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, Any]:
    """Two locations, a register at the first paired by a manager's browser, and employees."""
    here = (await add_location(client, tenant, "Here"))["locationId"]
    there = (await add_location(client, tenant, "There"))["locationId"]
    register = await add_register(client, tenant, here)
    manager = await add_user_with_role(client, tenant, "manager")
    async with browser(app) as device:
        csrf = await browser_sign_in(device, manager)
        credential = await pair(device, csrf, here, register)
    return {
        "here": here,
        "there": there,
        "register": register,
        "manager": manager,
        "credential": credential,
        "cashier": await add_employee(client, tenant, "cashier", PIN, name="Cass"),
        "lead": await add_employee(client, tenant, "manager", "2468", name="Lee"),
        "elsewhere": await add_employee(client, tenant, "cashier", "1357", [there], "Ed"),
    }


def device_cookie(credential: str) -> dict[str, str]:
    return {"tp_register": credential}


async def test_pin_sign_in_needs_a_paired_register(app: Any, shop: dict[str, Any]) -> None:
    async with browser(app) as device:
        body = {"employeeId": shop["cashier"], "pin": PIN}
        assert_error(await device.post(SIGN_IN, json=body), 401, "REGISTER_NOT_PAIRED")
        device.cookies.set("tp_register", "tpd_not-a-credential")
        assert_error(await device.post(SIGN_IN, json=body), 401, "REGISTER_NOT_PAIRED")
        assert_error(await device.get("/v1/paired-register"), 401, "REGISTER_NOT_PAIRED")


async def test_an_employee_acts_at_the_registers_location_only(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture, shop: dict[str, Any]
) -> None:
    async with browser(app) as device:
        device.cookies.update(device_cookie(shop["credential"]))
        paired = await device.get("/v1/paired-register")
        assert paired.status_code == 200, paired.text
        names = [e["name"] for e in paired.json()["employees"]]
        assert "Cass" in names
        assert "Lee" in names
        assert "Ed" not in names
        signed_in = await device.post(SIGN_IN, json={"employeeId": shop["lead"], "pin": "2468"})
        assert signed_in.status_code == 201, signed_in.text
        assert signed_in.headers["set-cookie"].startswith("tp_session=tpe_")
        assert signed_in.json()["locationId"] == shop["here"]
        csrf = {"X-CSRF-Token": signed_in.json()["csrfToken"]}
        current = (await device.get("/v1/browser-sessions/current")).json()
        assert current["kind"] == "employee"
        assert current["locationIds"] == [shop["here"]]
        assert current["registerId"] == shop["register"]
        # A manager's role at the register's location: may add a register here…
        here = await device.post(
            f"/v1/locations/{shop['here']}/registers", json={"name": "Till 2"}, headers=csrf
        )
        assert here.status_code == 201, here.text
        # …but not at another location (not found), nor anything tenant-wide.
        there = await device.post(
            f"/v1/locations/{shop['there']}/registers", json={"name": "Till 3"}, headers=csrf
        )
        assert_error(there, 404, "NOT_FOUND")
        assert_error(
            await device.post("/v1/locations", json={"name": "New"}, headers=csrf),
            403,
            "FORBIDDEN",
        )
        # Still a cookie session: its writes need the CSRF token.
        assert_error(
            await device.post(f"/v1/locations/{shop['here']}/registers", json={"name": "T"}),
            403,
            "CSRF_TOKEN_INVALID",
        )
        # The audit log names the employee.
        log = await client.get(
            "/v1/audit-log", params={"principalId": shop["lead"]}, headers=tenant.headers
        )
        assert log.json()["total"] == 1, log.text
        # Signing out ends the employee's session and keeps the register paired.
        out = await device.delete("/v1/browser-sessions/current", headers=csrf)
        assert out.status_code == 204, out.text
        assert_error(await device.get("/v1/me"), 401, "UNAUTHORIZED")
        again = await device.post(SIGN_IN, json={"employeeId": shop["cashier"], "pin": PIN})
        assert again.status_code == 201, again.text
        # A cashier's role lacks settings:write, at any location.
        csrf = {"X-CSRF-Token": again.json()["csrfToken"]}
        refused = await device.post(
            f"/v1/locations/{shop['here']}/registers", json={"name": "Till 4"}, headers=csrf
        )
        assert_error(refused, 403, "FORBIDDEN")
    listed = await client.get(
        f"/v1/locations/{shop['here']}/registers/{shop['register']}/credentials",
        headers=tenant.headers,
    )
    assert listed.json()["items"][0]["lastUsedAt"] is not None


async def test_an_employee_of_another_location_cannot_sign_in_here(
    app: Any, shop: dict[str, Any]
) -> None:
    async with browser(app) as device:
        device.cookies.update(device_cookie(shop["credential"]))
        response = await device.post(SIGN_IN, json={"employeeId": shop["elsewhere"], "pin": "1357"})
        assert_error(response, 401, "PIN_INVALID")


async def test_wrong_pins_are_throttled_audited_and_never_logged(
    app: Any,
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    shop: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "913562"
    async with browser(app) as device:
        device.cookies.update(device_cookie(shop["credential"]))
        body = {"employeeId": shop["cashier"], "pin": wrong}
        for _ in range(app.state.settings.login_max_failures):
            assert_error(await device.post(SIGN_IN, json=body), 401, "PIN_INVALID")
        locked = await device.post(SIGN_IN, json=body)
        assert_error(locked, 423, "ACCOUNT_LOCKED")
        assert int(locked.headers["Retry-After"]) > 0
        # Locked: even the right PIN waits.
        right = await device.post(SIGN_IN, json={"employeeId": shop["cashier"], "pin": PIN})
        assert_error(right, 423, "ACCOUNT_LOCKED")
        assert "set-cookie" not in right.headers
        # Another employee on the same register is not locked out.
        other = await device.post(SIGN_IN, json={"employeeId": shop["lead"], "pin": "2468"})
        assert other.status_code == 201, other.text
    log = await client.get(
        "/v1/audit-log", params={"action": "PIN refused"}, headers=tenant.headers
    )
    entries = log.json()["items"]
    assert len(entries) == app.state.settings.login_max_failures, log.text
    assert {e["resourceId"] for e in entries} == {shop["cashier"]}
    assert {e["principalId"] for e in entries} == {shop["register"]}
    assert wrong not in caplog.text
    assert PIN not in caplog.text
    assert wrong not in log.text


async def test_re_pairing_or_unpairing_stops_the_old_credential(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture, shop: dict[str, Any]
) -> None:
    body = {"employeeId": shop["cashier"], "pin": PIN}
    async with browser(app) as old_device:
        old_device.cookies.update(device_cookie(shop["credential"]))
        signed_in = await old_device.post(SIGN_IN, json=body)
        assert signed_in.status_code == 201, signed_in.text
        async with browser(app) as manager:
            csrf = await browser_sign_in(manager, shop["manager"])
            new = await pair(manager, csrf, shop["here"], shop["register"])
        # The old device's credential and the employee session it opened both stopped.
        assert_error(await old_device.get("/v1/me"), 401, "INVALID_TOKEN")
        assert_error(await old_device.post(SIGN_IN, json=body), 401, "REGISTER_NOT_PAIRED")
    listed = await client.get(
        f"/v1/locations/{shop['here']}/registers/{shop['register']}/credentials",
        headers=tenant.headers,
    )
    reasons = [i["revokedReason"] for i in listed.json()["items"]]
    assert reasons == ["re-paired", None]

    unpaired = await client.delete(
        pairing_path(shop["here"], shop["register"]), headers=tenant.headers
    )
    assert unpaired.status_code == 204, unpaired.text
    async with browser(app) as device:
        device.cookies.update(device_cookie(new))
        assert_error(await device.post(SIGN_IN, json=body), 401, "REGISTER_NOT_PAIRED")


async def test_another_tenants_registers_are_not_found(
    app: Any, client: httpx.AsyncClient, make_tenant: Any, shop: dict[str, Any]
) -> None:
    intruder = await make_tenant(name="Intruder")
    for method, path in (
        ("POST", pairing_path(shop["here"], shop["register"])),
        ("DELETE", pairing_path(shop["here"], shop["register"])),
        ("GET", f"/v1/locations/{shop['here']}/registers/{shop['register']}/credentials"),
    ):
        response = await client.request(method, path, headers=intruder.headers)
        assert_error(response, 404, "NOT_FOUND")
    # The intruder's employee cannot sign in on our register with our device.
    theirs = await add_employee(client, intruder, "cashier", "1111")
    async with browser(app) as device:
        device.cookies.update(device_cookie(shop["credential"]))
        response = await device.post(SIGN_IN, json={"employeeId": theirs, "pin": "1111"})
        assert_error(response, 401, "PIN_INVALID")


async def test_a_deactivated_employee_is_signed_out(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture, shop: dict[str, Any]
) -> None:
    async with browser(app) as device:
        device.cookies.update(device_cookie(shop["credential"]))
        signed_in = await device.post(SIGN_IN, json={"employeeId": shop["cashier"], "pin": PIN})
        assert signed_in.status_code == 201, signed_in.text
        assert (await device.get("/v1/me")).status_code == 200
        gone = await client.delete(f"/v1/employees/{shop['cashier']}", headers=tenant.headers)
        assert gone.status_code == 200, gone.text
        assert_error(await device.get("/v1/me"), 401, "INVALID_TOKEN")
        again = await device.post(SIGN_IN, json={"employeeId": shop["cashier"], "pin": PIN})
        assert_error(again, 401, "PIN_INVALID")


async def test_a_pairing_is_never_replayed_from_the_idempotency_store(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    """A replay would answer without the cookie: a retried pairing pairs afresh instead."""
    location = (await add_location(client, tenant))["locationId"]
    register = await add_register(client, tenant, location)
    async with browser(app) as device:
        csrf = await browser_sign_in(device, tenant.owner_email)
        headers = {**csrf, "Idempotency-Key": "pair-once"}
        first = await device.post(pairing_path(location, register), headers=headers)
        second = await device.post(pairing_path(location, register), headers=headers)
        assert first.status_code == second.status_code == 201
        assert "idempotent-replayed" not in second.headers
        assert second.cookies["tp_register"] != first.cookies["tp_register"]
