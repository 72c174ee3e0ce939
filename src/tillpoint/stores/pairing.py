"""Register pairing: a manager, signed in on the register's device, pairs it once; the device
then holds a register credential (an httpOnly cookie) with which employees sign in by PIN
(``stores/register_sessions.py``). One live credential per register: pairing again or unpairing
revokes the credential and ends the employee sessions opened with it, and so does archiving
the register (restoring it does not bring the old device back). A credential no employee has
signed in with for ``register_credential_idle_days`` has expired: the window slides with use."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.core.security import new_token, token_digest
from tillpoint.stores.models import Register, RegisterCredential
from tillpoint.stores.service import end_pairing, get_register

DEVICE_PREFIX = "tpd_"
ALL_TENANTS = {"all_tenants": True}


@dataclass(frozen=True)
class PairedDevice:
    """What a valid register credential names."""

    tenant_id: str
    credential_id: str
    register_id: str
    location_id: str
    register_name: str


async def pair_register(
    session: AsyncSession, principal: Principal, location_id: str, register_id: str
) -> tuple[RegisterCredential, str]:
    """A new credential for the register (the one before is revoked) and its secret, which
    exists only in this return value (the router puts it in the device's cookie)."""
    if principal.kind != "user":
        raise AppError(
            "SIGNED_IN_USER_REQUIRED",
            "A register is paired by a signed-in manager on the device itself, in the browser app.",
        )
    register = await get_register(session, principal, location_id, register_id)
    if not register.active:
        raise AppError("CONFLICT", "The register is archived; restore it before pairing it.")
    await end_pairing(session, register.id, "re-paired")
    secret = new_token(DEVICE_PREFIX)
    credential = RegisterCredential(
        tenant_id=principal.tenant_id,
        id=new_id("register_credential"),
        register_id=register.id,
        prefix=secret[:10],
        secret_hash=token_digest(secret),
        created_by=f"{principal.kind}:{principal.id}",
        created_at=utcnow(),
    )
    session.add(credential)
    await session.flush()
    record_event(
        session,
        "register.paired",
        {
            "registerId": register.id,
            "locationId": register.location_id,
            "credentialId": credential.id,
        },
        subject_id=register.id,
        location_id=register.location_id,
    )
    return credential, secret


async def unpair_register(
    session: AsyncSession, principal: Principal, location_id: str, register_id: str
) -> None:
    """Revoke the register's credential: the device can no longer sign employees in, and the
    employees signed in there are signed out."""
    register = await get_register(session, principal, location_id, register_id)
    if await end_pairing(session, register.id, "unpaired"):
        record_event(
            session,
            "register.unpaired",
            {"registerId": register.id, "locationId": register.location_id},
            subject_id=register.id,
            location_id=register.location_id,
        )


async def list_credentials(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    register_id: str,
    params: PageParams,
) -> tuple[list[RegisterCredential], int]:
    """The register's credentials, revoked ones too, newest last, with their last use."""
    register = await get_register(session, principal, location_id, register_id)
    stmt = select(RegisterCredential).where(RegisterCredential.register_id == register.id)
    return await paginate(
        session, stmt, RegisterCredential.id, offset=params.offset, limit=params.page_size
    )


# The device names no tenant: its credential is found by digest across tenants (unique).
_DEVICE_BY_SECRET = (
    select(
        RegisterCredential.tenant_id,
        RegisterCredential.id,
        Register.id,
        Register.location_id,
        Register.name,
    )
    .join(
        Register,
        (Register.tenant_id == RegisterCredential.tenant_id)
        & (Register.id == RegisterCredential.register_id),
    )
    .where(
        RegisterCredential.secret_hash == bindparam("digest"),
        RegisterCredential.revoked_at.is_(None),
        Register.active.is_(True),
        func.coalesce(RegisterCredential.last_used_at, RegisterCredential.created_at)
        >= bindparam("used_since"),
    )
    .execution_options(**ALL_TENANTS)
)


async def paired_device(session: AsyncSession, secret: str | None, idle_days: int) -> PairedDevice:
    """The register a device's live credential names (not revoked, its register active, used
    or made within ``idle_days``), or 401 REGISTER_NOT_PAIRED."""
    if not secret or not secret.startswith(DEVICE_PREFIX):
        raise AppError("REGISTER_NOT_PAIRED")
    row = (
        await session.execute(
            _DEVICE_BY_SECRET,
            {"digest": token_digest(secret), "used_since": utcnow() - timedelta(days=idle_days)},
        )
    ).one_or_none()
    if row is None:
        raise AppError("REGISTER_NOT_PAIRED")
    return PairedDevice(*row)


async def touch_credential(session: AsyncSession, device: PairedDevice) -> None:
    """Note the credential's use (a sign-in on the device)."""
    await session.execute(
        update(RegisterCredential)
        .where(
            RegisterCredential.tenant_id == device.tenant_id,
            RegisterCredential.id == device.credential_id,
        )
        .values(last_used_at=utcnow())
    )
