"""Users, roles and API keys: who may use the tenant and what they may do."""

from typing import Annotated

from fastapi import APIRouter, Query

from tillpoint.core.deps import AppSettings, DbSession, RequestCtx
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.identity import api_keys, roles, service
from tillpoint.identity.deps import ApiKeyManager, LocationGrants, StaffReader, StaffWriter
from tillpoint.identity.permissions import PERMISSIONS
from tillpoint.identity.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    PermissionOut,
    RoleIn,
    RoleOut,
    RoleUpdate,
    UserIn,
    UserOut,
    UserUpdate,
)

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)

CONFLICTS = error_responses(
    "VERSION_CONFLICT", "CONFLICT", "ALREADY_EXISTS", "EMAIL_ALREADY_EXISTS"
)
CREDENTIALS = error_responses(
    "VERSION_CONFLICT",
    "CONFLICT",
    "ALREADY_EXISTS",
    "EMAIL_ALREADY_EXISTS",
    "SIGNED_IN_USER_REQUIRED",
    "REAUTHENTICATION_REQUIRED",
    "ACCOUNT_LOCKED",
    "LAST_OWNER",
)


@router.get("/users", response_model=Page[UserOut], tags=["users"])
async def list_users(
    session: DbSession, paging: Pagination, principal: StaffReader, active: bool | None = None
) -> dict[str, object]:
    users, total = await service.list_users(session, principal, paging, active=active)
    return paging.page_of(users, total)


@router.post(
    "/users", response_model=UserOut, status_code=201, tags=["users"], responses=CREDENTIALS
)
async def create_user(
    body: UserIn,
    session: DbSession,
    principal: StaffWriter,
    check_locations: LocationGrants,
    settings: AppSettings,
) -> UserOut:
    """Add a user who can log in, with a role and (optionally) the only locations they may use.
    A signed-in person only, with their own ``currentPassword``: it sets a password."""
    user = await service.create_user(
        session, principal, body, check_locations=check_locations, settings=settings
    )
    return UserOut.model_validate(user)


@router.get("/users/{user_id}", response_model=UserOut, tags=["users"])
async def get_user(user_id: str, session: DbSession, principal: StaffReader) -> UserOut:
    return UserOut.model_validate(await service.get_user(session, principal, user_id))


@router.patch("/users/{user_id}", response_model=UserOut, tags=["users"], responses=CREDENTIALS)
async def update_user(
    user_id: str,
    body: UserUpdate,
    session: DbSession,
    principal: StaffWriter,
    check_locations: LocationGrants,
    settings: AppSettings,
) -> UserOut:
    """Rename, change role or locations, reset the password, or deactivate (ends their sessions).
    A password, or an owner's status or role, only by a signed-in person with ``currentPassword``;
    the last active owner stays one."""
    user = await service.update_user(
        session, principal, user_id, body, check_locations=check_locations, settings=settings
    )
    return UserOut.model_validate(user)


@router.get("/permissions", response_model=list[PermissionOut], tags=["roles"])
async def list_permissions(_: StaffReader) -> list[PermissionOut]:
    return [PermissionOut(name=n, description=d) for n, d in PERMISSIONS.items()]


@router.get("/roles", response_model=Page[RoleOut], tags=["roles"])
async def list_roles(session: DbSession, paging: Pagination, _: StaffReader) -> dict[str, object]:
    items, total = await roles.list_roles(session, paging)
    return paging.page_of(items, total)


@router.post("/roles", response_model=RoleOut, status_code=201, tags=["roles"], responses=CONFLICTS)
async def create_role(body: RoleIn, session: DbSession, principal: StaffWriter) -> RoleOut:
    return RoleOut.model_validate(await roles.create_role(session, principal, body))


@router.get("/roles/{role_id}", response_model=RoleOut, tags=["roles"])
async def get_role(role_id: str, session: DbSession, _: StaffReader) -> RoleOut:
    return RoleOut.model_validate(await roles.get_role(session, role_id))


@router.patch("/roles/{role_id}", response_model=RoleOut, tags=["roles"], responses=CONFLICTS)
async def update_role(
    role_id: str, body: RoleUpdate, session: DbSession, principal: StaffWriter
) -> RoleOut:
    return RoleOut.model_validate(await roles.update_role(session, principal, role_id, body))


@router.delete("/roles/{role_id}", response_model=RoleOut, tags=["roles"], responses=CONFLICTS)
async def archive_role(role_id: str, session: DbSession, principal: StaffWriter) -> RoleOut:
    """Archive a custom role that no active user holds."""
    return RoleOut.model_validate(await roles.archive_role(session, principal, role_id))


@router.get("/api-keys", response_model=Page[ApiKeyOut], tags=["api-keys"])
async def list_api_keys(
    session: DbSession,
    paging: Pagination,
    principal: ApiKeyManager,
    include_revoked: Annotated[bool, Query(alias="includeRevoked")] = False,
) -> dict[str, object]:
    keys, total = await api_keys.list_api_keys(
        session, principal, paging, include_revoked=include_revoked
    )
    return paging.page_of(keys, total)


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201, tags=["api-keys"])
async def create_api_key(
    body: ApiKeyIn,
    session: DbSession,
    principal: ApiKeyManager,
    settings: AppSettings,
    ctx: RequestCtx,
) -> ApiKeyCreated:
    """Create a key for an integration. The secret (``tp_…``) is in this response only.

    An idempotent replay of this request returns the key with ``key: null``.
    """
    ctx.secret_fields = frozenset({"key"})
    key, secret = await api_keys.create_api_key(
        session, principal, body, default_rate_limit=settings.default_rate_limit_per_minute
    )
    return ApiKeyCreated.model_validate(
        {**ApiKeyOut.model_validate(key).model_dump(), "key": secret}
    )


@router.get("/api-keys/{api_key_id}", response_model=ApiKeyOut, tags=["api-keys"])
async def get_api_key(api_key_id: str, session: DbSession, principal: ApiKeyManager) -> ApiKeyOut:
    return ApiKeyOut.model_validate(await api_keys.get_api_key(session, principal, api_key_id))


@router.delete("/api-keys/{api_key_id}", response_model=ApiKeyOut, tags=["api-keys"])
async def revoke_api_key(
    api_key_id: str, session: DbSession, principal: ApiKeyManager
) -> ApiKeyOut:
    """Revoke a key; requests with it fail from now on."""
    return ApiKeyOut.model_validate(await api_keys.revoke_api_key(session, principal, api_key_id))
