"""Locations and their registers, and which locations a principal may see."""

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import apply_updates, check_version, get_by_id, unchanged, utcnow
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_change
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.core.timezones import valid_timezone
from tillpoint.identity.models import AuthSession
from tillpoint.identity.service import get_tenant
from tillpoint.stores.models import Location, Register, RegisterCredential
from tillpoint.stores.schemas import (
    LocationIn,
    LocationOut,
    LocationUpdate,
    RegisterIn,
    RegisterOut,
    RegisterUpdate,
)


async def get_location(session: AsyncSession, principal: Principal, location_id: str) -> Location:
    """The location, if it exists in the tenant and the principal may see it; else 404."""
    if not principal.can_access_location(location_id):
        raise not_found("Location")
    location = await get_by_id(session, Location, "location", location_id)
    if location is None:
        raise not_found("Location")
    return location


async def check_assignable_locations(
    session: AsyncSession, principal: Principal, location_ids: Iterable[str], field: str
) -> None:
    """Locations the principal may hand to a user or employee. An empty list means every
    location, so only a principal who has every location may give it."""
    wanted = set(location_ids)
    if not wanted:
        if principal.location_ids is not None:
            raise AppError("FORBIDDEN", "You can only grant the locations you have; list them.")
        return
    found = set(
        (await session.execute(select(Location.id).where(Location.id.in_(wanted)))).scalars()
    )
    missing = sorted(i for i in wanted if i not in found or not principal.can_access_location(i))
    if missing:
        raise field_error(field, f"unknown locations: {', '.join(missing)}")


async def list_locations(
    session: AsyncSession, principal: Principal, params: PageParams, *, active: bool | None
) -> tuple[list[Location], int]:
    stmt = params.filter_updated(select(Location), Location.updated_at)
    if principal.location_ids is not None:
        stmt = stmt.where(Location.id.in_(principal.location_ids))
    if active is not None:
        stmt = stmt.where(Location.active.is_(active))
    return await paginate(session, stmt, Location.id, offset=params.offset, limit=params.page_size)


async def create_location(
    session: AsyncSession, principal: Principal, data: LocationIn
) -> Location:
    """A location; its timezone defaults to the tenant's."""
    if principal.location_ids is not None:
        raise AppError("FORBIDDEN", "A user limited to some locations cannot add locations.")
    timezone = data.timezone or (await get_tenant(session, principal.tenant_id)).timezone
    location = Location(
        tenant_id=principal.tenant_id,
        id=new_id("location"),
        name=data.name,
        address=data.address.model_dump(by_alias=True),
        timezone=valid_timezone(timezone),
        tax_inclusive=data.tax_inclusive,
        allow_negative_stock=data.allow_negative_stock,
        active=data.active,
    )
    session.add(location)
    await session.flush()
    record_change(session, "location.created", LocationOut, location, location_id=location.id)
    return location


async def update_location(
    session: AsyncSession, principal: Principal, location_id: str, data: LocationUpdate
) -> Location:
    location = await get_location(session, principal, location_id)
    check_version(location, data.version)
    if data.address is not None:
        location.address = data.address.model_dump(by_alias=True)
    if data.timezone is not None:
        location.timezone = valid_timezone(data.timezone)
    apply_updates(location, data, "name", "tax_inclusive", "allow_negative_stock", "active")
    if unchanged(session, location):
        return location
    await session.flush()
    record_change(session, "location.updated", LocationOut, location, location_id=location.id)
    return location


async def get_register(
    session: AsyncSession, principal: Principal, location_id: str, register_id: str
) -> Register:
    location = await get_location(session, principal, location_id)
    register = await get_by_id(
        session, Register, "register", register_id, Register.location_id == location.id
    )
    if register is None:
        raise not_found("Register")
    return register


async def list_registers(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    params: PageParams,
    *,
    active: bool | None = None,
) -> tuple[list[Register], int]:
    location = await get_location(session, principal, location_id)
    stmt = params.filter_updated(
        select(Register).where(Register.location_id == location.id), Register.updated_at
    )
    if active is not None:
        stmt = stmt.where(Register.active.is_(active))
    return await paginate(session, stmt, Register.id, offset=params.offset, limit=params.page_size)


async def create_register(
    session: AsyncSession, principal: Principal, location_id: str, data: RegisterIn
) -> Register:
    location = await get_location(session, principal, location_id)
    register = Register(
        tenant_id=principal.tenant_id,
        id=new_id("register"),
        location_id=location.id,
        name=data.name,
        active=data.active,
    )
    session.add(register)
    await session.flush()
    record_change(
        session, "register.created", RegisterOut, register, location_id=register.location_id
    )
    return register


async def update_register(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    register_id: str,
    data: RegisterUpdate,
) -> Register:
    register = await get_register(session, principal, location_id, register_id)
    check_version(register, data.version)
    was_active = register.active
    apply_updates(register, data, "name", "active")
    if unchanged(session, register):
        return register
    if was_active and not register.active:
        await end_pairing(session, register.id, "archived")
    await session.flush()
    record_change(
        session, "register.updated", RegisterOut, register, location_id=register.location_id
    )
    return register


async def archive_register(
    session: AsyncSession, principal: Principal, location_id: str, register_id: str
) -> Register:
    register = await get_register(session, principal, location_id, register_id)
    if register.active:
        register.active = False
        await end_pairing(session, register.id, "archived")
        await session.flush()
        record_change(
            session, "register.archived", RegisterOut, register, location_id=register.location_id
        )
    return register


async def end_pairing(session: AsyncSession, register_id: str, reason: str) -> bool:
    """Revoke the register's live credential and end the employee sessions opened on it;
    whether there was one. (Archiving a register calls it too: a restored register must be
    paired again, never woken up by a device that was retired with it.)"""
    now = utcnow()
    revoked = await session.execute(
        update(RegisterCredential)
        .where(
            RegisterCredential.register_id == register_id,
            RegisterCredential.revoked_at.is_(None),
        )
        .values(revoked_at=now, revoked_reason=reason)
    )
    await session.execute(
        update(AuthSession)
        .where(AuthSession.register_id == register_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=f"register {reason}")
    )
    return bool(revoked.rowcount)  # type: ignore[attr-defined]
