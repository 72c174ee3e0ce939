"""Roles: the built-in four and custom ones, each a named set of permissions."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, unchanged
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_change
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.identity.models import Role, User
from tillpoint.identity.permissions import BUILT_IN_ROLES, PERMISSIONS
from tillpoint.identity.schemas import RoleIn, RoleOut, RoleUpdate


def add_built_in_roles(session: AsyncSession, tenant_id: str) -> dict[str, Role]:
    roles = {
        name: Role(
            tenant_id=tenant_id,
            id=new_id("role"),
            name=name,
            description=f"Built-in {name} role",
            permissions=sorted(permissions),
            built_in=True,
        )
        for name, permissions in BUILT_IN_ROLES.items()
    }
    session.add_all(roles.values())
    return roles


async def get_role(session: AsyncSession, role_id: str) -> Role:
    role = await get_by_id(session, Role, "role", role_id)
    if role is None:
        raise not_found("Role")
    return role


OWNER = "owner"


async def ensure_another_owner(session: AsyncSession, user_id: str, owner_role_id: str) -> None:
    """409 ``LAST_OWNER`` unless an active owner other than ``user_id`` remains. Locks every
    active owner, in id order, until the transaction ends: two owners demoting each other at
    the same moment queue here, and the second sees the first's change (PostgreSQL re-reads a
    locked row that changed while it waited), so the tenant never loses its last owner."""
    owners = (
        await session.execute(
            select(User.id)
            .where(User.role_id == owner_role_id, User.active.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
    ).scalars()
    if not set(owners) - {user_id}:
        raise AppError(
            "LAST_OWNER",
            "This is the tenant's last active owner: make another user an owner first.",
        )


async def role_by_name(session: AsyncSession, name: str) -> Role:
    return (await session.execute(select(Role).where(Role.name == name))).scalar_one()


async def assignable_role(
    session: AsyncSession, principal: Principal, role_id: str, field: str
) -> Role:
    """A role the principal may hand out: it exists, is active, and grants nothing they lack."""
    try:
        role = await get_role(session, role_id)
    except AppError:
        raise field_error(field, "no such role") from None
    if not role.active:
        raise field_error(field, "this role is archived")
    if not set(role.permissions) <= principal.permissions:
        raise AppError("FORBIDDEN", "You cannot assign a role with permissions you do not hold.")
    return role


def _require_holds(principal: Principal, role: Role) -> None:
    principal.require_every_location("change roles (they apply to every location)")
    if not set(role.permissions) <= principal.permissions:
        raise AppError("FORBIDDEN", "You cannot change a role with permissions you do not hold.")


def _checked_permissions(principal: Principal, permissions: list[str]) -> list[str]:
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown:
        raise field_error("permissions", f"unknown permissions: {', '.join(unknown)}")
    if not set(permissions) <= principal.permissions:
        raise AppError("FORBIDDEN", "You cannot grant permissions you do not hold.")
    return sorted(set(permissions))


async def list_roles(session: AsyncSession, params: PageParams) -> tuple[list[Role], int]:
    stmt = params.filter_updated(select(Role), Role.updated_at)
    return await paginate(session, stmt, Role.id, offset=params.offset, limit=params.page_size)


async def create_role(session: AsyncSession, principal: Principal, data: RoleIn) -> Role:
    principal.require_every_location("create roles (they apply to every location)")
    role = Role(
        tenant_id=principal.tenant_id,
        id=new_id("role"),
        name=data.name,
        description=data.description,
        permissions=_checked_permissions(principal, data.permissions),
        built_in=False,
    )
    session.add(role)
    await _flush_unique_name(session)
    record_change(session, "role.created", RoleOut, role)
    return role


async def update_role(
    session: AsyncSession, principal: Principal, role_id: str, data: RoleUpdate
) -> Role:
    role = await get_role(session, role_id)
    if role.built_in:
        raise AppError("CONFLICT", "Built-in roles cannot be changed; create a custom role.")
    _require_holds(principal, role)
    check_version(role, data.version)
    if data.name is not None:
        role.name = data.name
    if data.description is not None:
        role.description = data.description
    if data.permissions is not None:
        role.permissions = _checked_permissions(principal, data.permissions)
    if unchanged(session, role):
        return role
    await _flush_unique_name(session)
    record_change(session, "role.updated", RoleOut, role)
    return role


async def archive_role(session: AsyncSession, principal: Principal, role_id: str) -> Role:
    role = await get_role(session, role_id)
    if role.built_in:
        raise AppError("CONFLICT", "Built-in roles cannot be archived.")
    _require_holds(principal, role)
    in_use = (
        await session.execute(
            select(func.count()).select_from(User).where(User.role_id == role.id, User.active)
        )
    ).scalar_one()
    if in_use:
        raise AppError("CONFLICT", f"The role is assigned to {in_use} active user(s).")
    role.active = False
    await session.flush()
    record_change(session, "role.archived", RoleOut, role)
    return role


async def _flush_unique_name(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise AppError("ALREADY_EXISTS", "A role with this name already exists.") from None
