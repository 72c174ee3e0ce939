"""The error catalog and the exception every domain raises.

Every error a client can see has a stable UPPER_SNAKE_CASE code listed here, with its HTTP
status and a default message. ``docs/api.md`` lists the same table; a test keeps them equal.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    message: str


CATALOG: dict[str, ErrorCode] = {
    e.code: e
    for e in [
        ErrorCode("VALIDATION_ERROR", 400, "The request is not valid."),
        ErrorCode("MALFORMED_JSON", 400, "The request body is not valid JSON."),
        ErrorCode("UNAUTHORIZED", 401, "Authentication is required."),
        ErrorCode("LOGIN_ERROR", 401, "The username or password is incorrect."),
        ErrorCode("MFA_REQUIRED", 401, "A one-time code from the authenticator app is required."),
        ErrorCode("INVALID_TOKEN", 401, "The token is invalid, expired or revoked."),
        ErrorCode(
            "REGISTER_NOT_PAIRED",
            401,
            "This device holds no valid register credential; a manager must pair it.",
        ),
        ErrorCode("PIN_INVALID", 401, "The employee or PIN is incorrect."),
        ErrorCode(
            "CSRF_TOKEN_INVALID",
            403,
            "A request signed in by cookie must send its session's X-CSRF-Token header.",
        ),
        ErrorCode("FORBIDDEN", 403, "You do not have permission to do this."),
        ErrorCode(
            "SIGNED_IN_USER_REQUIRED",
            403,
            "Only a signed-in person can do this; an API key cannot.",
        ),
        ErrorCode(
            "REAUTHENTICATION_REQUIRED",
            403,
            "Confirm it is you: send your current password as currentPassword.",
        ),
        ErrorCode("LAST_OWNER", 409, "The tenant must keep at least one active owner."),
        ErrorCode("NOT_FOUND", 404, "The resource was not found."),
        ErrorCode("ROUTE_NOT_FOUND", 404, "No such endpoint."),
        ErrorCode("METHOD_NOT_ALLOWED", 405, "This method is not allowed on this endpoint."),
        ErrorCode("VERSION_CONFLICT", 409, "The resource was changed by someone else."),
        ErrorCode(
            "IDEMPOTENCY_KEY_IN_USE", 409, "A request with this Idempotency-Key is in progress."
        ),
        ErrorCode("ALREADY_EXISTS", 409, "A resource with this identity already exists."),
        ErrorCode("EMAIL_ALREADY_EXISTS", 409, "A user with this email already exists."),
        ErrorCode("CONFLICT", 409, "The request conflicts with the resource's current state."),
        ErrorCode("SKU_ALREADY_EXISTS", 409, "Another product or variant has this SKU."),
        ErrorCode("BARCODE_ALREADY_EXISTS", 409, "Another product or variant has this barcode."),
        ErrorCode(
            "INVALID_BARCODE",
            400,
            "The barcode is not a valid GTIN-8/12/13/14 (check digit); mark internal codes.",
        ),
        ErrorCode(
            "CATEGORY_MIN_OPTIONS_CANNOT_BE_GREATER_THAN_MAX_OPTIONS",
            400,
            "A modifier group's minimum selections cannot exceed its maximum.",
        ),
        ErrorCode("INSUFFICIENT_STOCK", 409, "Not enough stock for every line."),
        ErrorCode("STOCK_CHANGED", 409, "The quantity on hand is not the one expected."),
        ErrorCode("INVALID_STATUS", 409, "The resource's status does not allow this."),
        ErrorCode(
            "CARD_DATA_NOT_ALLOWED",
            400,
            "The request carries what looks like a full card number; send only the last 4 digits.",
        ),
        ErrorCode(
            "WEBHOOK_URL_NOT_ALLOWED",
            400,
            "Webhooks are delivered only to https URLs on public addresses.",
        ),
        ErrorCode("WEBHOOK_LIMIT_REACHED", 409, "The tenant has the most webhooks it may have."),
        ErrorCode("REPLAY_RANGE_TOO_LARGE", 400, "Too many events fall in the range; split it."),
        ErrorCode("ORDER_NOT_OPEN", 409, "The order is no longer open."),
        ErrorCode("ORDER_EMPTY", 409, "The order has no lines to pay for."),
        ErrorCode(
            "LOYALTY_INSUFFICIENT_POINTS", 409, "The customer does not have that many points."
        ),
        ErrorCode(
            "LOYALTY_BELOW_MINIMUM", 400, "Fewer points than the program's minimum redemption."
        ),
        ErrorCode(
            "OVERPAYMENT_NOT_ALLOWED",
            400,
            "The payment is more than the balance due; only cash may be tendered over it.",
        ),
        ErrorCode(
            "DISCOUNT_APPROVAL_REQUIRED",
            403,
            "This discount or price override needs a manager's approval.",
        ),
        # Promotions and coupons, in the marketplace reference's words.
        ErrorCode("COUPON_NOT_FOUND", 404, "Coupon not found."),
        ErrorCode("DISCOUNT_MAX_USAGES_REACHED_LIMIT", 400, "Discount max usages reached limit."),
        ErrorCode(
            "DISCOUNT_MIN_CART_AMOUNT_INSUFFICIENT", 400, "Discount min cart amount insufficient."
        ),
        ErrorCode("DISCOUNT_ONLY_ALLOW_FIRST_ORDER", 400, "Discount only allow first order."),
        ErrorCode("INVALID_DISCOUNT_DATES", 400, "Invalid discount dates."),
        ErrorCode(
            "ORDER_AMOUNT_INSUFFICIENT_AFTER_DISCOUNT_APPLIED",
            400,
            "Order amount insufficient after discount applied.",
        ),
        ErrorCode("DISCOUNT_NOT_APPLICABLE", 400, "The discount does not apply to this order."),
        ErrorCode(
            "DISCOUNT_NOT_COMBINABLE", 400, "The discount cannot be combined with the others."
        ),
        ErrorCode("SHIFT_NOT_OPEN", 409, "The register has no open shift; open one first."),
        ErrorCode("SHIFT_ALREADY_OPEN", 409, "The register already has an open shift."),
        ErrorCode("REFUND_NOT_ALLOWED", 409, "The order cannot be refunded in its status."),
        ErrorCode("DAY_ALREADY_CLOSED", 409, "The business day is already closed for export."),
        ErrorCode(
            "REFUND_EXCEEDS_REMAINING",
            400,
            "The refund is more than what remains refundable on the order.",
        ),
        ErrorCode(
            "VOID_NOT_ALLOWED",
            409,
            "Only open orders and unrefunded completed orders can be voided.",
        ),
        ErrorCode("GIFT_CARD_NOT_FOUND", 404, "No gift card has this code."),
        ErrorCode("GIFT_CARD_INACTIVE", 409, "The gift card is not active."),
        ErrorCode("GIFT_CARD_EXPIRED", 409, "The gift card has expired."),
        ErrorCode(
            "GIFT_CARD_INSUFFICIENT_BALANCE",
            409,
            "The gift card's balance is less than the amount.",
        ),
        ErrorCode("GIFT_CARD_ALREADY_EXISTS", 409, "A gift card with this code already exists."),
        ErrorCode(
            "GIFT_CARD_ALREADY_SOLD",
            409,
            "The gift card was sold by another order, or is being sold on one.",
        ),
        ErrorCode(
            "STORE_CREDIT_INSUFFICIENT_BALANCE",
            409,
            "The customer's store credit is less than the amount.",
        ),
        ErrorCode(
            "INVALID_PRINTER_IP_FORMAT",
            400,
            "The printer address must be an IP address or host name, with an optional port.",
        ),
        ErrorCode("PRINTER_NAME_REQUIRED", 400, "A printer needs a name."),
        ErrorCode(
            "PRINTER_ADDRESS_NOT_ALLOWED",
            400,
            "A printer may not use a loopback, link-local, multicast or metadata address.",
        ),
        ErrorCode(
            "PRINTER_UNREACHABLE", 502, "The printer could not be reached; nothing was printed."
        ),
        ErrorCode(
            "EMAIL_NOT_CONFIGURED",
            409,
            "This server has no SMTP server configured; nothing can be e-mailed.",
        ),
        ErrorCode(
            "EMAIL_NOT_SENT", 502, "The SMTP server did not accept the message; nothing was sent."
        ),
        ErrorCode(
            "CUSTOMER_ALREADY_EXISTS", 409, "Another customer has this email or phone number."
        ),
        ErrorCode("CUSTOMER_NOT_FOUND", 400, "The order names no customer of this tenant."),
        ErrorCode("PAYLOAD_TOO_LARGE", 413, "The request body is too large."),
        ErrorCode(
            "IDEMPOTENCY_KEY_REUSED", 422, "This Idempotency-Key was used with another request."
        ),
        ErrorCode("ACCOUNT_LOCKED", 423, "Too many failed attempts; try again later."),
        ErrorCode("MFA_ALREADY_ENABLED", 409, "Two-factor authentication is already on."),
        ErrorCode("MFA_NOT_STARTED", 409, "Start MFA enrolment before confirming it."),
        ErrorCode("INVALID_MFA_CODE", 400, "The one-time code is not valid."),
        ErrorCode("RATE_LIMITED", 429, "Too many requests; retry after the time given."),
        ErrorCode("INTERNAL_ERROR", 500, "Something went wrong on our side."),
        ErrorCode(
            "SERVICE_UNAVAILABLE",
            503,
            "The database is briefly unavailable; nothing was changed. Retry after the time given.",
        ),
    ]
}


class AppError(Exception):
    """An error with a catalogued code; the handler renders it in the error envelope."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        commit_changes: bool = False,
    ) -> None:
        entry = CATALOG[code]
        super().__init__(message or entry.message)
        self.code = code
        self.status = entry.status
        self.message = message or entry.message
        self.details = details or []
        self.headers = headers or {}
        # Keep what the request wrote although it fails (e.g. a failed-login counter).
        self.commit_changes = commit_changes


def not_found(resource: str) -> AppError:
    return AppError("NOT_FOUND", f"{resource} not found.")


def field_error(field: str, message: str, code: str = "VALIDATION_ERROR") -> AppError:
    """A validation failure on one field, in the same shape as request validation errors."""
    return AppError(code, details=[{"field": field, "message": message}])


def status_detail(resource: str, status: str) -> dict[str, Any]:
    """The detail of an error about a resource's state rather than an input field."""
    return {"message": f"the {resource} is {status}", "status": status}


def error_body(
    code: str, message: str, details: list[dict[str, Any]], request_id: str | None
) -> dict[str, Any]:
    """The error envelope. Every detail has a ``message``; ``field`` names the input field it is
    about and is left out when it is about none (the resource's state, the request as a whole)."""
    details = [
        {key: value for key, value in detail.items() if not (key == "field" and value is None)}
        for detail in details
    ]
    return {
        "error": {"code": code, "message": message, "details": details, "requestId": request_id}
    }
