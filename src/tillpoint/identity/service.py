"""Tenants and users."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.db import apply_updates, check_version, get_by_id, unchanged
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_change, record_event
from tillpoint.core.ids import new_id
from tillpoint.core.money import currency_exponent, known_currencies
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.core.security import hash_password
from tillpoint.core.timezones import valid_timezone
from tillpoint.identity.models import ApiKey, Tenant, User
from tillpoint.identity.reauth import reauthenticate
from tillpoint.identity.roles import (
    OWNER,
    add_built_in_roles,
    assignable_role,
    ensure_another_owner,
    get_role,
    role_by_name,
)
from tillpoint.identity.schemas import (
    PasswordChange,
    TenantOut,
    TenantUpdate,
    UserIn,
    UserOut,
    UserUpdate,
)
from tillpoint.identity.sessions import revoke_user_sessions


@dataclass(frozen=True)
class NewTenant:
    tenant: Tenant
    owner: User


async def create_tenant_and_owner(
    session: AsyncSession,
    *,
    name: str,
    owner_email: str,
    owner_password: str,
    owner_name: str = "Owner",
    currency: str = "USD",
    timezone: str = "UTC",
) -> NewTenant:
    """A tenant with its built-in roles and its first user, the owner: identity's part of a new
    tenant. Make tenants with ``tillpoint.provisioning.create_tenant``, which adds what the
    other domains give every tenant (its tax classes)."""
    currency = currency.upper()
    if currency not in known_currencies():
        raise field_error("currency", f"unknown ISO 4217 currency {currency!r}")
    valid_timezone(timezone)
    await _ensure_email_free(session, owner_email)
    tenant = Tenant(id=new_id("tenant"), name=name, currency=currency, timezone=timezone)
    session.info["tenant_id"] = tenant.id
    session.add(tenant)
    roles = add_built_in_roles(session, tenant.id)
    owner = User(
        tenant_id=tenant.id,
        id=new_id("user"),
        email=owner_email.strip().lower(),
        name=owner_name,
        password_hash=await hash_password(owner_password),
        role_id=roles["owner"].id,
        location_ids=[],
    )
    session.add(owner)
    await session.flush()
    record_event(
        session,
        "tenant.created",
        TenantOut.model_validate(tenant).model_dump(mode="json", by_alias=True),
        subject_id=tenant.id,
    )
    record_change(session, "user.created", UserOut, owner)
    return NewTenant(tenant, owner)


async def change_own_password(
    session: AsyncSession, settings: Settings, principal: Principal, data: PasswordChange
) -> None:
    """A signed-in person changes their own password, giving the current one; their other
    logins end, the one making the change goes on."""
    password_hash = await hash_password(data.new_password)
    await reauthenticate(session, settings, principal, data.current_password, "change a password")
    user = (await session.execute(select(User).where(User.id == principal.id))).scalar_one()
    user.password_hash = password_hash
    await revoke_user_sessions(session, user.id, "password_changed", keep=principal.session_id)
    await session.flush()
    record_change(session, "user.updated", UserOut, user)


async def get_tenant(session: AsyncSession, tenant_id: str) -> Tenant:
    return (await session.execute(select(Tenant).where(Tenant.id == tenant_id))).scalar_one()


# A tenant's currency never changes, so its precision is cached for the process's life.
_currency_exponents: dict[str, int] = {}


async def tenant_currency_exponent(session: AsyncSession, tenant_id: str) -> int:
    """Decimal places of the tenant's currency (USD 2, JPY 0): how money is read and written."""
    exponent = _currency_exponents.get(tenant_id)
    if exponent is None:
        currency = (
            await session.execute(select(Tenant.currency).where(Tenant.id == tenant_id))
        ).scalar_one()
        exponent = _currency_exponents[tenant_id] = currency_exponent(currency)
    return exponent


async def update_tenant(session: AsyncSession, principal: Principal, data: TenantUpdate) -> Tenant:
    principal.require_every_location("change tenant settings")
    tenant = await get_tenant(session, principal.tenant_id)
    check_version(tenant, data.version)
    if data.timezone is not None:
        tenant.timezone = valid_timezone(data.timezone)
    apply_updates(
        tenant,
        data,
        "name",
        "rounding_mode",
        "cash_rounding_increment",
        "discount_approval_percent",
        "gift_card_expiry_months",
    )
    if unchanged(session, tenant):
        return tenant
    await session.flush()
    record_event(
        session,
        "tenant.updated",
        TenantOut.model_validate(tenant).model_dump(mode="json", by_alias=True),
        subject_id=tenant.id,
    )
    return tenant


async def _ensure_email_free(session: AsyncSession, email: str) -> None:
    taken = (
        await session.execute(
            select(User.id)
            .where(User.email == email.strip().lower())
            .execution_options(all_tenants=True)
        )
    ).first()
    if taken is not None:
        raise AppError(
            "EMAIL_ALREADY_EXISTS", details=[{"field": "email", "message": "already in use"}]
        )


async def get_user(session: AsyncSession, principal: Principal, user_id: str) -> User:
    """A user the principal may see: a location-limited principal sees only the users whose
    locations lie inside its own (the others are not found)."""
    user = await get_by_id(session, User, "user", user_id)
    if user is None or not (
        user.id == principal.id or principal.covers_locations(user.location_ids)
    ):
        raise not_found("User")
    return user


async def list_users(
    session: AsyncSession, principal: Principal, params: PageParams, *, active: bool | None = None
) -> tuple[list[User], int]:
    stmt = params.filter_updated(select(User), User.updated_at)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if principal.location_ids is None:
        return await paginate(session, stmt, User.id, offset=params.offset, limit=params.page_size)
    # Location lists are JSON, so a limited principal's view is filtered here (small lists).
    everyone, _ = await paginate(session, stmt, User.id, offset=0, limit=100_000)
    mine = [u for u in everyone if principal.covers_locations(u.location_ids)]
    return mine[params.offset : params.offset + params.page_size], len(mine)


class LocationGrantCheck(Protocol):
    """Refuses locations the principal may not give a user: unknown ones, ones outside the
    principal's own, and "every location" (an empty list) from a principal limited to some.

    Locations are stores', and stores sits above identity (ADR 0008), so the check is passed
    in: ``tillpoint.stores.service.check_assignable_locations``, which ``create_app`` puts on
    ``app.state.location_grants`` for the users' routes (``identity/access_api.py``)."""

    async def __call__(
        self,
        session: AsyncSession,
        principal: Principal,
        location_ids: Iterable[str],
        field: str,
    ) -> None: ...


async def create_user(
    session: AsyncSession,
    principal: Principal,
    data: UserIn,
    *,
    check_locations: LocationGrantCheck,
    settings: Settings,
) -> User:
    # Hash before the first statement: SQLite holds its write lock from there to COMMIT.
    password_hash = await hash_password(data.password)
    # A new user's password is a new way in: set only by a person who re-authenticates.
    await reauthenticate(
        session, settings, principal, data.current_password, "create a user (it sets a password)"
    )
    role = await assignable_role(session, principal, data.role_id, "roleId")
    await check_locations(session, principal, data.location_ids, "locationIds")
    await _ensure_email_free(session, data.email)
    user = User(
        tenant_id=principal.tenant_id,
        id=new_id("user"),
        email=data.email.strip().lower(),
        name=data.name,
        password_hash=password_hash,
        role_id=role.id,
        location_ids=sorted(set(data.location_ids)),
    )
    session.add(user)
    await session.flush()
    record_change(session, "user.created", UserOut, user)
    return user


async def update_user(
    session: AsyncSession,
    principal: Principal,
    user_id: str,
    data: UserUpdate,
    *,
    check_locations: LocationGrantCheck,
    settings: Settings,
) -> User:
    password_hash = await hash_password(data.password) if data.password is not None else None
    user = await get_user(session, principal, user_id)
    check_version(user, data.version)
    current_role = await get_role(session, user.role_id)
    if not set(current_role.permissions) <= principal.permissions:
        # Otherwise a manager could reset the owner's password and become the owner.
        raise AppError("FORBIDDEN", "You cannot change a user who holds permissions you lack.")
    new_role = None
    if data.role_id not in (None, user.role_id):
        if user.id == principal.id:
            raise AppError("CONFLICT", "You cannot deactivate yourself or change your own role.")
        new_role = await assignable_role(session, principal, data.role_id, "roleId")
    if user.id == principal.id and data.active is False:
        raise AppError("CONFLICT", "You cannot deactivate yourself or change your own role.")
    owner_role_id = (await role_by_name(session, OWNER)).id
    was_owner = user.role_id == owner_role_id
    leaves_owners = was_owner and user.active and (data.active is False or new_role is not None)
    changes_owners = leaves_owners or (
        (new_role is not None and new_role.id == owner_role_id)
        or (was_owner and data.active is True and not user.active)
    )
    if password_hash is not None or changes_owners:
        await reauthenticate(
            session,
            settings,
            principal,
            data.current_password,
            "set a password or change who owns the tenant",
        )
    if leaves_owners:
        await ensure_another_owner(session, user.id, owner_role_id)
    if data.name is not None:
        user.name = data.name
    if new_role is not None:
        user.role_id = new_role.id
    if data.location_ids is not None:
        await check_locations(session, principal, data.location_ids, "locationIds")
        user.location_ids = sorted(set(data.location_ids))
    if password_hash is not None:
        user.password_hash = password_hash
        await revoke_user_sessions(session, user.id, "password_changed")
    if data.active is not None:
        user.active = data.active
        if not data.active:
            await revoke_user_sessions(session, user.id, "user_deactivated")
    if unchanged(session, user):
        return user
    await session.flush()
    record_change(session, "user.updated" if user.active else "user.deactivated", UserOut, user)
    return user


async def principal_names(session: AsyncSession, ids: Iterable[str | None]) -> dict[str, str]:
    """The names of the users and API keys with these ids (who did something: opened a shift,
    closed it), so a record can name people, not ``usr_`` ids. Read when shown: a renamed user
    shows the new name."""
    wanted = {i for i in ids if i}
    names: dict[str, str] = {}
    if not wanted:
        return names
    for model in (User, ApiKey):
        rows = await session.execute(select(model.id, model.name).where(model.id.in_(wanted)))
        names.update({str(row_id): str(name) for row_id, name in rows})
    return names
