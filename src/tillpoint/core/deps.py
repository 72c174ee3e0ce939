"""FastAPI dependencies every router uses: the request's session and its principal.

They are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool,
which costs a thread hop per dependency per request.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.db import Database
from tillpoint.core.errors import AppError
from tillpoint.core.pipeline import RequestContext


async def request_context(request: Request) -> RequestContext:
    ctx: RequestContext = request.state.ctx
    return ctx


RequestCtx = Annotated[RequestContext, Depends(request_context)]


async def db_session(ctx: RequestCtx) -> AsyncSession:
    """The request's session; the pipeline commits it before the response is sent."""
    return ctx.get_session()


DbSession = Annotated[AsyncSession, Depends(db_session)]


async def database(ctx: RequestCtx) -> Database:
    """The database itself, for the rare step that must commit apart from the request
    (counting a login attempt before checking it)."""
    return ctx.db


Db = Annotated[Database, Depends(database)]


async def current_principal(ctx: RequestCtx) -> Principal:
    if ctx.principal is None:
        raise AppError(ctx.auth_failure or "UNAUTHORIZED", headers={"WWW-Authenticate": "Bearer"})
    return ctx.principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def requires(permission: str) -> Callable[..., Any]:
    """A dependency that returns the principal if it holds ``permission``, else 403."""

    async def check(principal: CurrentPrincipal) -> Principal:
        principal.require(permission)
        return principal

    check.__name__ = f"requires_{permission.replace(':', '_')}"
    return check


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]
