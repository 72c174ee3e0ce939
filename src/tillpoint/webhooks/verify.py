"""Checking a Tillpoint webhook delivery on the receiving side: ``verify(secret, headers, body)``.

Receivers import this module, so it uses the standard library only: no database, no web
framework, nothing else from Tillpoint. The sender (``tillpoint.webhooks.signing``) builds its
signatures with :func:`compute_signature` from here, so both sides share one definition.

``Tillpoint-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">[,v1=<hex>…]``.
The HMAC key is the subscription's secret as UTF-8 (the whole string, ``whsec_`` included).
While a secret is being rotated the header carries one ``v1`` per active secret; a delivery is
genuine if any of them matches.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "Tillpoint-Signature"
EVENT_ID_HEADER = "Tillpoint-Event-Id"
TIMESTAMP_HEADER = "Tillpoint-Timestamp"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


class WebhookVerificationError(ValueError):
    """The delivery is not a genuine, fresh Tillpoint delivery; ``str(error)`` says why."""


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex ``v1`` signature: HMAC-SHA256 keyed by ``secret`` over ``b"<timestamp>." + body``."""
    if not secret:
        raise ValueError("the signing secret is empty")
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def parse_signature_header(value: str) -> tuple[int, list[str]]:
    """``(timestamp, v1 signatures)`` from a ``Tillpoint-Signature`` value.

    Parts of unknown schemes (``v0=…``, a future ``v2=…``) are ignored, so senders can add a
    scheme without breaking receivers that only know ``v1``.
    """
    timestamp: int | None = None
    signatures: list[str] = []
    for raw_part in value.split(","):
        part = raw_part.strip()
        if not part:
            continue
        key, sep, item = part.partition("=")
        if not sep:
            raise WebhookVerificationError(f"malformed {SIGNATURE_HEADER} part {part[:40]!r}")
        key, item = key.strip(), item.strip()
        if key == "t":
            if timestamp is not None:
                raise WebhookVerificationError(f"{SIGNATURE_HEADER} has more than one t=")
            if not (item.isascii() and item.isdigit()) or len(item) > 12:
                raise WebhookVerificationError(f"{SIGNATURE_HEADER} t= is not a unix timestamp")
            timestamp = int(item)
        elif key == SCHEME:
            signatures.append(item)
    if timestamp is None:
        raise WebhookVerificationError(f"{SIGNATURE_HEADER} has no t= timestamp")
    if not signatures:
        raise WebhookVerificationError(f"{SIGNATURE_HEADER} has no {SCHEME}= signature")
    return timestamp, signatures


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: int | None = None,
) -> dict[str, Any]:
    """The delivery's JSON envelope, once its signature and timestamp check out.

    ``headers`` is looked up case-insensitively (a plain dict works, as do framework header
    objects). ``body`` must be the raw request body, byte for byte: re-serialised JSON will not
    match. The signed timestamp must lie within ``tolerance`` seconds of ``now`` (default: the
    current time) either way, which stops old deliveries being replayed later. Deliveries are
    at-least-once, so dedupe on ``envelope["id"]`` (also sent as ``Tillpoint-Event-Id``).

    Raises :class:`WebhookVerificationError` (a ``ValueError``) with the reason otherwise.
    """
    if not secret:
        raise ValueError("the webhook secret is empty")
    header = _header(headers, SIGNATURE_HEADER)
    if header is None:
        raise WebhookVerificationError(f"missing {SIGNATURE_HEADER} header")
    timestamp, signatures = parse_signature_header(header)

    expected = compute_signature(secret, timestamp, body).encode("ascii")
    # Compare against every v1 and only then decide, in constant time per candidate.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate.lower().encode("utf-8"))
    if not matched:
        raise WebhookVerificationError("no signature matches this secret and body")

    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError(
            f"timestamp {timestamp} is outside the tolerance of {tolerance}s (now {current})"
        )

    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookVerificationError("the body is not valid JSON") from exc
    if not isinstance(envelope, dict):
        raise WebhookVerificationError("the body is not a JSON object")
    return envelope


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None
