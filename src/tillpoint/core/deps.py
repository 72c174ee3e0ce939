"""FastAPI dependencies every router uses: the request's session and its principal.

They are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool,
which costs a thread hop per dependency per request.
"""

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.browser import secure_cookies
from tillpoint.core.db import Database
from tillpoint.core.errors import AppError
from tillpoint.core.request_context import RequestContext


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


@functools.cache
def requires(*permissions: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that returns the principal if it holds every one of ``permissions``, else
    403. Cached: one callable per set of permissions, so FastAPI checks it once per request
    however many of a route's dependencies name it — a dependency that reads or locks a row
    names it too, so the check runs before the row is touched (FastAPI resolves a route's
    dependencies in parameter order, sub-dependencies first)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        for permission in permissions:
            principal.require(permission)
        return principal

    check.__name__ = "requires_" + "_and_".join(p.replace(":", "_") for p in permissions)
    return check


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]


async def secure_cookie_request(request: Request, settings: AppSettings) -> bool:
    """Whether this request's cookies are Secure and __Host- named (core/browser.py)."""
    return secure_cookies(request.url.scheme, settings.cookie_secure)


SecureCookies = Annotated[bool, Depends(secure_cookie_request)]


def prepared_json(body: bytes, status_code: int = 200) -> Response:
    """A reply whose JSON the service has already made (a hot path serialises once): FastAPI
    neither validates it against the route's ``response_model`` again nor re-encodes it; the
    model still describes the reply in the OpenAPI document."""
    return Response(body, status_code, media_type="application/json")
