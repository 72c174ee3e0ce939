"""Secrets kept in the database, encrypted: Fernet (AES-CBC + HMAC-SHA256, ``cryptography``).

The key is ``TILLPOINT_SECRET_KEY`` (several, comma-separated: the first encrypts, any of them
decrypts, which is how a key is rotated), else ``secret.key`` in the data directory, written on
first use with mode 0600. A table row then holds only ``fernet:…`` ciphertext.
"""

import hashlib
import hmac
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "fernet:"
KEY_FILE = "secret.key"


class SecretKeyError(RuntimeError):
    """The configured key is malformed, or a stored secret was encrypted with another key."""


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise SecretKeyError("no secret key")
        self._keys = tuple(keys)
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as exc:
            raise SecretKeyError(
                "TILLPOINT_SECRET_KEY must be Fernet keys (32 url-safe base64-encoded bytes), "
                "comma-separated"
            ) from exc

    def derived_keys(self, purpose: str) -> tuple[bytes, ...]:
        """One key per configured secret key, derived for ``purpose`` (HMAC-SHA256 of the
        purpose under the key), first the current one: for keyed digests that must still
        match what an older key made after a rotation."""
        return tuple(
            hmac.new(key.encode(), purpose.encode(), hashlib.sha256).digest() for key in self._keys
        )

    def encrypt(self, plaintext: str) -> str:
        return PREFIX + self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            raise SecretKeyError("the stored value is not an encrypted secret")
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with TILLPOINT_SECRET_KEY "
                "(was the key changed without keeping the old one after it?)"
            ) from exc


def secret_box(settings: object) -> SecretBox:
    """The box for these Settings (``secret_key`` and ``data_dir``)."""
    configured = getattr(settings, "secret_key", None)
    if configured:
        return _box_for_keys(configured)
    return _box_for_file(Path(getattr(settings, "data_dir", "var")).resolve())


@lru_cache(maxsize=8)
def _box_for_keys(configured: str) -> SecretBox:
    return SecretBox([k.strip() for k in configured.split(",") if k.strip()])


@lru_cache(maxsize=8)
def _box_for_file(data_dir: Path) -> SecretBox:
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{KEY_FILE}.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key() + b"\n")
        try:
            # A hard link appears whole or not at all, and fails if another process won.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return SecretBox([path.read_text().strip()])
