"""Serving the built browser app at ``/app/``: its files under the app's strict
Content-Security-Policy and hardening headers (``core.browser.AppSecurityHeaders``), ``/``
redirecting to it, and a page that says how to build it when it has not been built.

Hashed assets (``/app/assets/…``) never change under their name and are cached for a year;
``index.html``, the manifest and the icons are revalidated on every load, so a new build
reaches the register the next time it is opened.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from tillpoint.core.browser import APP_SECURITY_HEADERS, AppSecurityHeaders

DIST = Path(__file__).parent / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tillpoint</title>
</head><body><h1>The browser app has not been built</h1><p>It needs Node.js 20 or newer and
npm. Install them (Debian: <code>apt install nodejs npm</code>) and run <code>make run</code>
again; the API is served meanwhile, documented at <a href="/docs">/docs</a>.</p></body></html>"""


class AppFiles(StaticFiles):
    """The built app's files, each with its caching (the pipeline keeps an endpoint's own)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        immutable = path.startswith("assets/") and response.status_code == 200
        response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
        return response


def mount_app(app: FastAPI, dist: Path = DIST) -> None:
    """``/app/`` serves the built app (or how to build it); ``/`` redirects there."""

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=307)

    if (dist / "index.html").is_file():
        app.mount("/app", AppSecurityHeaders(AppFiles(directory=dist, html=True)), name="app")
        return

    @app.get("/app/", include_in_schema=False)
    @app.get("/app", include_in_schema=False)
    async def not_built() -> HTMLResponse:
        return HTMLResponse(NOT_BUILT, status_code=503, headers=dict(APP_SECURITY_HEADERS))
