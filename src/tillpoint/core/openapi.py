"""Error responses declared on routes, so the OpenAPI document says what each endpoint returns."""

from typing import Any

from pydantic import BaseModel, Field

from tillpoint.core.errors import CATALOG


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str
    type: str | None = None


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
