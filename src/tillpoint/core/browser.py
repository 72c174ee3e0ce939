"""What a browser gets that an integration does not (docs/adr/0013-browser-sessions.md): the
session and register cookies, the CSRF token of a cookie session, and the hardening headers.

A browser session's secret lives only in an httpOnly cookie, so no page script can read it.
Cookies ride along on every request to our origin, so a request signed in by cookie must also
prove it was written by our own page: its ``X-CSRF-Token`` header must hold the CSRF token of
that session, a one-way function of the session's secret (a synchronizer token that needs no
storage: the server recomputes it from the cookie; another site can neither read the cookie
nor our responses to compute or learn it).
"""

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "tp_session"
REGISTER_COOKIE = "tp_register"
CSRF_HEADER = "X-CSRF-Token"
# Over https a cookie is Secure and carries the __Host- prefix: the browser then refuses it
# unless it is Secure, Path=/ and has no Domain, so no sibling subdomain can plant one.
SECURE_PREFIX = "__Host-"
# Browsers keep a cookie at most 400 days; a paired register stays paired that long.
REGISTER_COOKIE_MAX_AGE = 400 * 24 * 3600

# The API's own responses are data, never a document to render: nothing may load from them.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The browser app (served at /app/): scripts, styles and fonts from our origin only (images
# also over https: product images live where the merchant keeps them),
# never inline script; it talks to our own API; no plugin, no framing, no <base> rewrite, forms
# post only to us.
APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
APP_SECURITY_HEADERS: Mapping[str, str] = {
    "content-security-policy": APP_CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(self), geolocation=(), microphone=()",
}


def sets_cookie(status: int, what: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route whose ``status`` sets a cookie: the header, described."""
    header = {"description": what, "schema": {"type": "string"}}
    return {status: {"headers": {"Set-Cookie": header}}}


def secure_cookies(scheme: str, setting: bool | None) -> bool:
    """Whether cookies are Secure: the setting when given, else whether the request is https."""
    return setting if setting is not None else scheme == "https"


def cookie_name(base: str, secure: bool) -> str:
    return SECURE_PREFIX + base if secure else base


def cookie_value(cookie_header: str, base: str, secure: bool) -> str | None:
    """The cookie's value from a ``Cookie`` header. Over https only the __Host- name counts (a
    plain one may have been planted by another subdomain)."""
    if not cookie_header:
        return None
    value = cookie_parser(cookie_header).get(cookie_name(base, secure))
    return value or None


def csrf_token(session_secret: str) -> str:
    """The CSRF token of the cookie session whose secret is ``session_secret``."""
    return hashlib.sha256(b"tillpoint-csrf\x00" + session_secret.encode()).hexdigest()


def csrf_matches(session_secret: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(
        csrf_token(session_secret).encode(), presented.encode()
    )


def set_cookie(response: Response, base: str, value: str, *, secure: bool, max_age: int) -> None:
    """An httpOnly, SameSite=Strict, Path=/ cookie (Secure and __Host- named over https)."""
    response.set_cookie(
        cookie_name(base, secure),
        value,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_cookie(response: Response, base: str, *, secure: bool) -> None:
    response.delete_cookie(
        cookie_name(base, secure), path="/", secure=secure, httponly=True, samesite="strict"
    )


class AppSecurityHeaders:
    """ASGI wrapper for the browser app's static responses: every response gets
    ``APP_SECURITY_HEADERS`` (a strict CSP with no inline script, no sniffing, no framing, no
    referrer). ``app.mount("/app", AppSecurityHeaders(StaticFiles(...)))``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in APP_SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_hardened)
