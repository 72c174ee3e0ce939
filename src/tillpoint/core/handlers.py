"""Exception handlers: every error leaves in the envelope, with its request id, never a trace."""

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic.alias_generators import to_camel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from tillpoint.core.errors import CATALOG, AppError, error_body

log = logging.getLogger("tillpoint.errors")

HTTP_STATUS_CODES = {404: "ROUTE_NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


def _request_id(request: Request) -> str | None:
    ctx = getattr(request.state, "ctx", None)
    return ctx.request_id if ctx is not None else None


def _render(
    request: Request,
    code: str,
    message: str,
    details: list[dict[str, Any]],
    status: int,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(code, message, details, _request_id(request)),
        status_code=status,
        headers=headers,
    )


async def app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    ctx = getattr(request.state, "ctx", None)
    if ctx is not None and getattr(exc, "commit_changes", False):
        ctx.commit_despite_error = True
    return _render(request, exc.code, exc.message, exc.details, exc.status, exc.headers)


REQUEST_PARTS = frozenset({"body", "query", "path", "header", "cookie"})


def field_path(loc: Sequence[int | str]) -> str:
    """A validation error's location the way every detail names a field: JSON-path-like and
    camelCase, without the request part it came from — ``lineItems[0].quantity``, ``pageSize``,
    ``orderId``. A whole-body error is ``body``."""
    parts = list(loc)
    source = parts.pop(0) if parts and parts[0] in REQUEST_PARTS else "body"
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            # Path parameters are Python names (order_id); the API names them as it names ids.
            name = to_camel(part) if source == "path" else part
            path += f".{name}" if path else name
    return path or "body"


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return _render(request, "MALFORMED_JSON", CATALOG["MALFORMED_JSON"].message, [], 400)
    details = [
        {
            "field": field_path(e.get("loc", ())),
            "message": e.get("msg", "invalid"),
            "type": e.get("type"),
        }
        for e in errors
    ]
    return _render(request, "VALIDATION_ERROR", CATALOG["VALIDATION_ERROR"].message, details, 400)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_STATUS_CODES.get(exc.status_code)
    if code is None:
        code = "VALIDATION_ERROR" if exc.status_code < 500 else "INTERNAL_ERROR"
    entry = CATALOG[code]
    status = exc.status_code if exc.status_code in HTTP_STATUS_CODES else entry.status
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
    return _render(request, code, entry.message, [], status, headers)


def allowed_methods(request: Request, fallback: str) -> str:
    """Every method the document gives the request's path. Starlette answers 405 from the first
    route whose path matched, and FastAPI makes one route per method, so its ``Allow`` named
    only that route's method (``OPTIONS /v1/api-keys`` said ``Allow: GET`` though POST
    exists). Paths left out of the document keep Starlette's answer."""
    app = request.app
    table: list[tuple[re.Pattern[str], str]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        # Fixed paths first: /v1/orders/calculate is not /v1/orders/{order_id}.
        paths = sorted(app.openapi().get("paths", {}).items(), key=lambda p: p[0].count("{"))
        table = [
            (compile_path(path)[0], ", ".join(sorted(m.upper() for m in item)))
            for path, item in paths
        ]
        app.state.allow_table = table
    for pattern, methods in table:
        if pattern.match(request.url.path):
            return methods
    return fallback


async def stale_data(request: Request, _exc: Exception) -> JSONResponse:
    # Two writers raced on one versioned row; the loser is told, not given a 500.
    return _render(request, "VERSION_CONFLICT", CATALOG["VERSION_CONFLICT"].message, [], 409)


async def integrity_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("integrity error", extra={"error": type(exc).__name__})
    return _render(request, "CONFLICT", CATALOG["CONFLICT"].message, [], 409)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return _render(request, "INTERNAL_ERROR", CATALOG["INTERNAL_ERROR"].message, [], 500)


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(StaleDataError, stale_data)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(Exception, unexpected_error)
