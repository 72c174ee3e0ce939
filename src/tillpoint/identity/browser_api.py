"""Browser sessions (docs/adr/0013-browser-sessions.md): sign in with a session cookie the
page cannot read, see who it signs in (and the CSRF token), sign out."""

from fastapi import APIRouter, Response

from tillpoint.core.auth import Principal
from tillpoint.core.browser import (
    SESSION_COOKIE,
    clear_cookie,
    csrf_token,
    set_cookie,
    sets_cookie,
)
from tillpoint.core.deps import (
    AppSettings,
    CurrentPrincipal,
    Db,
    DbSession,
    RequestCtx,
    SecureCookies,
)
from tillpoint.core.errors import AppError
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.request_context import RequestContext
from tillpoint.identity import sessions
from tillpoint.identity.permissions import entitlements
from tillpoint.identity.schemas import BrowserSessionOut, CurrentBrowserSessionOut, LoginRequest

SESSION_COOKIE_DOC = (
    "The session: tp_session (over https __Host-tp_session), httpOnly, SameSite=Strict, Path=/"
)
router = APIRouter(prefix="/v1", responses=COMMON_ERRORS, tags=["browser sessions"])


def _require_cookie_session(ctx: RequestContext) -> str:
    if ctx.csrf_token is None:
        raise AppError(
            "FORBIDDEN",
            "This is for a browser session (cookie); a bearer token ends with "
            "DELETE /v1/sessions/current.",
        )
    return ctx.csrf_token


@router.post(
    "/browser-sessions",
    response_model=BrowserSessionOut,
    status_code=201,
    responses=error_responses("LOGIN_ERROR", "MFA_REQUIRED", "ACCOUNT_LOCKED")
    | sets_cookie(201, SESSION_COOKIE_DOC),
)
async def create_browser_session(
    body: LoginRequest,
    response: Response,
    db: Db,
    session: DbSession,
    settings: AppSettings,
    secure: SecureCookies,
) -> BrowserSessionOut:
    """Sign in the browser app: the session goes in an httpOnly, SameSite=Strict cookie (never
    in the body); the body has the CSRF token every write must send as ``X-CSRF-Token``."""
    code = body.mfa.code if body.mfa else None
    issued = await sessions.login(
        db, session, settings, body.username, body.password, code, browser=True
    )
    set_cookie(
        response, SESSION_COOKIE, issued.access_token, secure=secure, max_age=issued.expires_in
    )
    return BrowserSessionOut.model_validate(
        {
            "expires_in": issued.expires_in,
            "csrf_token": csrf_token(issued.access_token),
            "user": sessions.user_summary(issued.user, issued.permissions),
        }
    )


@router.get("/browser-sessions/current", response_model=CurrentBrowserSessionOut)
async def get_browser_session(
    principal: CurrentPrincipal, ctx: RequestCtx
) -> CurrentBrowserSessionOut:
    """Who the session cookie signs in, with its CSRF token (a page loaded afresh asks here)."""
    token = _require_cookie_session(ctx)
    return CurrentBrowserSessionOut.model_validate(
        {
            "kind": principal.kind,
            "principal_id": principal.id,
            "name": principal.name,
            "csrf_token": token,
            "permissions": sorted(principal.permissions),
            "entitlements": entitlements(principal.permissions),
            "location_ids": _locations(principal),
            "register_id": principal.register_id,
        }
    )


def _locations(principal: Principal) -> list[str] | None:
    return sorted(principal.location_ids) if principal.location_ids is not None else None


@router.delete(
    "/browser-sessions/current",
    status_code=204,
    responses=sets_cookie(204, "The session cookie, cleared (Max-Age=0)"),
)
async def delete_browser_session(
    principal: CurrentPrincipal, ctx: RequestCtx, session: DbSession, secure: SecureCookies
) -> Response:
    """Sign out: the session is revoked on the server (a copied cookie is useless from now on)
    and the cookie cleared. An employee signing out leaves the register paired."""
    _require_cookie_session(ctx)
    await sessions.logout(session, principal)
    response = Response(status_code=204)
    clear_cookie(response, SESSION_COOKIE, secure=secure)
    return response
