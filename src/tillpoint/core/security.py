"""Secrets: argon2 for what people choose (passwords, PINs), SHA-256 for random tokens."""

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("tillpoint-dummy-password")


def configure_password_hashing(*, time_cost: int, memory_cost_kib: int) -> None:
    global _hasher, _DUMMY_HASH  # process-wide setting read once at startup
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost_kib)
    _DUMMY_HASH = _hasher.hash("tillpoint-dummy-password")


async def hash_password(password: str) -> str:
    # Argon2 is deliberately slow; run it off the event loop so other requests keep flowing.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash, so timing does not reveal unknown users."""
    return await asyncio.to_thread(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(prefix: str, nbytes: int = 32) -> str:
    return f"{prefix}{secrets.token_urlsafe(nbytes)}"


def token_digest(token: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()
