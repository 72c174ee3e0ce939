"""Error responses declared on routes, so the OpenAPI document says what each endpoint returns."""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from tillpoint.core.errors import CATALOG


class ErrorDetail(BaseModel):
    """One problem. ``field`` names the input field (``lineItems[0].quantity``, ``pageSize``) and
    is absent when the problem is not one field's (the resource's state, the body as a whole);
    some codes add their own keys (``status``, ``sku``, ``requested``…)."""

    model_config = ConfigDict(extra="allow")

    field: str | SkipJsonSchema[None] = None
    message: str
    type: str | SkipJsonSchema[None] = None


class ErrorBody(BaseModel):
    code: str = Field(description="Stable UPPER_SNAKE_CASE code; see docs/api.md.")
    message: str
    details: list[ErrorDetail]
    request_id: str | None = Field(alias="requestId")


class ErrorEnvelope(BaseModel):
    error: ErrorBody


def error_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with the error codes it can carry."""
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(CATALOG[code].status, []).append(code)
    return {
        status: {"model": ErrorEnvelope, "description": " | ".join(sorted(names))}
        for status, names in sorted(by_status.items())
    }


# Every authenticated endpoint can answer with these (the card-number guard runs on every
# request, before authentication).
COMMON_CODES = (
    "VALIDATION_ERROR",
    "CARD_DATA_NOT_ALLOWED",
    "MALFORMED_JSON",
    "UNAUTHORIZED",
    "INVALID_TOKEN",
    "FORBIDDEN",
    "NOT_FOUND",
    "PAYLOAD_TOO_LARGE",
    "RATE_LIMITED",
)
COMMON_ERRORS = error_responses(*COMMON_CODES)
WRITE_ERRORS = error_responses(
    "VERSION_CONFLICT", "IDEMPOTENCY_KEY_IN_USE", "IDEMPOTENCY_KEY_REUSED"
)


def add_links(document: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI links from each create operation to the operations that take what it made.

    One rule, not a list: a ``POST`` whose 201 body has ``<resource>Id`` links to every
    operation whose last path parameter is ``<resource>_id``; the target's other path
    parameters come from the same body (``locationId``) or, failing that, from the creating
    request's own path. A target with a parameter neither can fill gets no link. Stateful
    clients and fuzzers follow these from a created resource to its deep routes.
    """
    schemas = document.get("components", {}).get("schemas", {})
    operations = [
        (path, method, operation)
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]
    for path, method, operation in operations:
        if method != "post" or "201" not in operation["responses"]:
            continue
        created = operation["responses"]["201"]
        fields = _body_fields(created, schemas)
        own_params = _path_params(path)
        links: dict[str, Any] = {}
        for target_path, target_method, target in operations:
            params = _path_params(target_path)
            if not params or _camel(params[-1]) not in fields or target is operation:
                continue
            values = {}
            for param in params:
                if _camel(param) in fields:
                    values[param] = f"$response.body#/{_camel(param)}"
                elif param in own_params:
                    values[param] = f"$request.path.{param}"
            if len(values) == len(params) and "operationId" in target:
                name = f"{target_method.upper()} {target_path}"
                links[name] = {"operationId": target["operationId"], "parameters": values}
        if links:
            created["links"] = links
    return document


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _body_fields(response: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = schemas.get(ref.rsplit("/", 1)[1], {})
    return set(schema.get("properties", {}))


def install_openapi(app: FastAPI) -> None:
    """Serve the generated document with its links (``add_links``), built once."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
