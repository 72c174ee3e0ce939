"""Gift card codes: normalised, digested under the server's key, generated, guarded.

A code is stored as ``HMAC-SHA256(key, normalised code)`` (hex) with its last 4 characters:
someone who reads the database cannot spend a card, nor test guesses against the digests
without the key. The key is derived from ``TILLPOINT_SECRET_KEY`` (core/encryption.py); after
a rotation a code is looked up under every configured key, and new cards use the first.

Wrong codes are counted per principal (``CodeGuard``): past the limit, every code lookup of
that principal is 429 for the rest of the window, right or wrong, so codes cannot be guessed
at till speed. Each wrong code is logged, without the code.
"""

import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from hashlib import sha256

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.encryption import SecretBox, secret_box
from tillpoint.core.errors import AppError
from tillpoint.core.ratelimit import RateLimiter

log = logging.getLogger(__name__)

DIGEST_PURPOSE = "tillpoint gift card codes v1"
# Generated codes: 16 characters of an alphabet without look-alikes (no 0/O, 1/I/L, U),
# 80 bits, shown in groups of 4.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GENERATED_LENGTH = 16
_SEPARATORS = re.compile(r"[\s-]+")


def normalise(code: str) -> str:
    """What a code is compared as: upper case, without spaces or dashes."""
    return _SEPARATORS.sub("", code).upper()


def generate_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, GENERATED_LENGTH, 4))


@dataclass(frozen=True)
class CodeGuard:
    """What code lookups need from the app: the keys, the box and the wrong-code limiter."""

    box: SecretBox
    limiter: RateLimiter
    wrong_per_minute: int

    def digests(self, code: str) -> list[str]:
        """The code's digest under each configured key, the current key's first."""
        plain = normalise(code).encode()
        return [
            hmac.new(key, plain, sha256).hexdigest()
            for key in self.box.derived_keys(DIGEST_PURPOSE)
        ]

    def digest(self, code: str) -> str:
        return self.digests(code)[0]

    @staticmethod
    def matches(stored: str, digests: list[str]) -> bool:
        """Constant-time: whether ``stored`` is one of ``digests``."""
        found = False
        for candidate in digests:
            found |= hmac.compare_digest(stored, candidate)
        return found

    @staticmethod
    def _key(principal: Principal) -> str:
        return f"gift-card-codes:{principal.tenant_id}:{principal.rate_limit_key}"

    async def check_allowed(self, principal: Principal) -> None:
        """429 while the principal has used up its wrong codes for the window."""
        state = await self.limiter.peek(self._key(principal), self.wrong_per_minute)
        if not state.allowed:
            raise _limited(state.reset_seconds)

    async def count_wrong(self, principal: Principal, field: str) -> AppError:
        """Count and log one wrong code; the error to raise (404, or 429 past the limit)."""
        state = await self.limiter.hit(self._key(principal), self.wrong_per_minute)
        log.warning(
            "wrong gift card code",
            extra={
                "tenant_id": principal.tenant_id,
                "principal": f"{principal.kind}:{principal.id}",
                "remaining": state.remaining,
            },
        )
        if not state.allowed:
            return _limited(state.reset_seconds)
        return AppError(
            "GIFT_CARD_NOT_FOUND", details=[{"field": field, "message": "no such code"}]
        )


def code_guard(settings: Settings, limiter: RateLimiter) -> CodeGuard:
    """The guard for the app's settings (its secret key) and its rate limiter."""
    return CodeGuard(secret_box(settings), limiter, settings.gift_card_wrong_codes_per_minute)


def _limited(reset_seconds: int) -> AppError:
    return AppError(
        "RATE_LIMITED",
        "Too many wrong gift card codes; retry after the time given.",
        headers={"Retry-After": str(max(1, reset_seconds))},
    )
