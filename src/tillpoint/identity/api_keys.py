"""API keys for integrations: shown once, stored as a digest, scoped, rate-limited, revocable."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import get_by_id, utcnow
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_change
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.core.security import new_token, token_digest
from tillpoint.identity.models import ApiKey
from tillpoint.identity.permissions import PERMISSIONS
from tillpoint.identity.schemas import ApiKeyIn, ApiKeyOut
from tillpoint.identity.sessions import API_KEY_PREFIX


async def create_api_key(
    session: AsyncSession, principal: Principal, data: ApiKeyIn, *, default_rate_limit: int
) -> tuple[ApiKey, str]:
    """The new key and its secret; the secret exists only in this return value."""
    principal.require_every_location("create API keys (a key reaches every location)")
    unknown = sorted(set(data.scopes) - set(PERMISSIONS))
    if unknown:
        raise field_error("scopes", f"unknown scopes: {', '.join(unknown)}")
    if not set(data.scopes) <= principal.permissions:
        raise AppError("FORBIDDEN", "A key cannot have scopes its creator does not hold.")
    secret = new_token(API_KEY_PREFIX)
    key = ApiKey(
        tenant_id=principal.tenant_id,
        id=new_id("api_key"),
        name=data.name,
        prefix=secret[:10],
        secret_hash=token_digest(secret),
        scopes=sorted(set(data.scopes)),
        rate_limit_per_minute=data.rate_limit_per_minute or default_rate_limit,
        created_by=principal.id,
    )
    session.add(key)
    await session.flush()
    record_change(session, "api_key.created", ApiKeyOut, key)
    return key, secret


async def get_api_key(session: AsyncSession, principal: Principal, key_id: str) -> ApiKey:
    principal.require_every_location("manage API keys (a key reaches every location)")
    key = await get_by_id(session, ApiKey, "api_key", key_id)
    if key is None:
        raise not_found("API key")
    return key


async def list_api_keys(
    session: AsyncSession, principal: Principal, params: PageParams, *, include_revoked: bool
) -> tuple[list[ApiKey], int]:
    principal.require_every_location("manage API keys (a key reaches every location)")
    stmt = params.filter_updated(select(ApiKey), ApiKey.updated_at)
    if not include_revoked:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return await paginate(session, stmt, ApiKey.id, offset=params.offset, limit=params.page_size)


async def revoke_api_key(session: AsyncSession, principal: Principal, key_id: str) -> ApiKey:
    key = await get_api_key(session, principal, key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.flush()
        record_change(session, "api_key.revoked", ApiKeyOut, key)
    return key
