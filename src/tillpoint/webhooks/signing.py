"""Signing outgoing webhook deliveries: secrets, the ``Tillpoint-Signature`` value, the headers.

Pure functions (no database, no HTTP). Receivers check the result with
``tillpoint.webhooks.verify``; the signature itself is defined once, in
:func:`tillpoint.webhooks.verify.compute_signature`.
"""

import secrets as _random
from collections.abc import Sequence

from tillpoint.webhooks.verify import (
    EVENT_ID_HEADER,
    SCHEME,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    compute_signature,
)

SECRET_PREFIX = "whsec_"
USER_AGENT = "Tillpoint-Webhooks/1"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` + 32 random bytes, URL-safe base64 (43 characters)."""
    return SECRET_PREFIX + _random.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Tillpoint-Signature`` value for one secret: ``t=<timestamp>,v1=<hex>``."""
    return sign_with_all([secret], timestamp, body)


def sign_with_all(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """The ``Tillpoint-Signature`` value with one ``v1`` per secret, in the order given.

    During a secret rotation both the old and the new secret sign (``t=…,v1=<old>,v1=<new>``),
    so a receiver still holding either one accepts the delivery.
    """
    if isinstance(secrets, str):
        raise TypeError("pass a sequence of secrets, not one string")
    if not secrets:
        raise ValueError("at least one signing secret is needed")
    if timestamp < 0:
        raise ValueError("the timestamp must be a unix time in seconds")
    parts = [f"t={timestamp}"]
    parts += [f"{SCHEME}={compute_signature(s, timestamp, body)}" for s in secrets]
    return ",".join(parts)


def delivery_headers(
    event_id: str, secrets: Sequence[str], timestamp: int, body: bytes
) -> dict[str, str]:
    """Every header a delivery of ``body`` (the JSON envelope, as sent) carries."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign_with_all(secrets, timestamp, body),
    }
