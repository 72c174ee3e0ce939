"""How long a paired register's credential lives: archiving the register revokes it (a
restored register must be paired again), and a credential no employee has signed in with for
``register_credential_idle_days`` has expired; each sign-in starts the count again."""

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from tests.identity.test_sessions import assert_error
from tests.stores.test_register_pairing import PIN, SIGN_IN, device_cookie, shop
from tests.support.browser import browser
from tests.support.tenants import TenantFixture
from tillpoint.core.db import Database, utcnow
from tillpoint.stores.models import RegisterCredential

__all__ = ["shop"]  # the fixture, used by name below


def register_path(shop: dict[str, Any]) -> str:
    return f"/v1/locations/{shop['here']}/registers/{shop['register']}"


async def credentials(
    client: httpx.AsyncClient, tenant: TenantFixture, shop: dict[str, Any]
) -> list[dict[str, Any]]:
    listed = await client.get(f"{register_path(shop)}/credentials", headers=tenant.headers)
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def test_archiving_a_register_revokes_its_credential_and_sessions(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture, shop: dict[str, Any]
) -> None:
    body = {"employeeId": shop["cashier"], "pin": PIN}
    async with browser(app) as device:
        device.cookies.update(device_cookie(shop["credential"]))
        signed_in = await device.post(SIGN_IN, json=body)
        assert signed_in.status_code == 201, signed_in.text
        archived = await client.delete(register_path(shop), headers=tenant.headers)
        assert archived.status_code == 200, archived.text
        assert_error(await device.get("/v1/me"), 401, "INVALID_TOKEN")
        [credential] = await credentials(client, tenant, shop)
        assert credential["revokedReason"] == "archived"
        assert credential["revokedAt"] is not None
        # Restoring the register does not wake the device it was retired with.
        version = archived.json()["version"]
        restored = await client.patch(
            register_path(shop), headers=tenant.headers, json={"active": True, "version": version}
        )
        assert restored.status_code == 200, restored.text
        assert_error(await device.post(SIGN_IN, json=body), 401, "REGISTER_NOT_PAIRED")
        assert_error(await device.get("/v1/paired-register"), 401, "REGISTER_NOT_PAIRED")


async def test_archiving_by_update_revokes_it_too(
    client: httpx.AsyncClient, tenant: TenantFixture, shop: dict[str, Any]
) -> None:
    current = await client.get(register_path(shop), headers=tenant.headers)
    assert current.status_code == 200, current.text
    patched = await client.patch(
        register_path(shop),
        headers=tenant.headers,
        json={"active": False, "version": current.json()["version"]},
    )
    assert patched.status_code == 200, patched.text
    [credential] = await credentials(client, tenant, shop)
    assert credential["revokedReason"] == "archived"


async def age_credential(db: Database, register_id: str, **days_ago: float) -> None:
    """Move the credential's ``created_at`` / ``last_used_at`` this many days into the past."""
    values = {column: utcnow() - timedelta(days=days) for column, days in days_ago.items()}
    async with db.session() as session:
        await session.execute(
            update(RegisterCredential)
            .where(RegisterCredential.register_id == register_id)
            .values(**values)
            .execution_options(all_tenants=True)
        )
        await session.commit()


async def test_an_idle_credential_expires_and_use_keeps_it_alive(
    app: Any, db: Database, shop: dict[str, Any]
) -> None:
    idle_days = app.state.settings.register_credential_idle_days
    assert idle_days == 30  # the default
    body = {"employeeId": shop["cashier"], "pin": PIN}
    async with browser(app) as device:
        device.cookies.update(device_cookie(shop["credential"]))
        # Paired almost the whole window ago and never used: still live.
        await age_credential(db, shop["register"], created_at=idle_days - 0.01)
        assert (await device.get("/v1/paired-register")).status_code == 200
        signed_in = await device.post(SIGN_IN, json=body)
        assert signed_in.status_code == 201, signed_in.text
        # Paired long ago but used just now: the sign-in renewed it.
        await age_credential(db, shop["register"], created_at=idle_days + 5)
        assert (await device.get("/v1/paired-register")).status_code == 200
        # Nobody signed in there for the whole window: expired.
        await age_credential(db, shop["register"], last_used_at=idle_days + 0.01)
        assert_error(await device.get("/v1/paired-register"), 401, "REGISTER_NOT_PAIRED")
        assert_error(await device.post(SIGN_IN, json=body), 401, "REGISTER_NOT_PAIRED")
