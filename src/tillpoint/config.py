"""Settings, read from the environment (prefix ``TILLPOINT_``)."""

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TILLPOINT_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None
    log_level: str = "INFO"
    log_json: bool = True

    access_token_ttl_seconds: int = 3600
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    # A browser session (a cookie: a user's in the back office, an employee's on a register)
    # lasts this long; it has no refresh token (docs/adr/0013-browser-sessions.md).
    browser_session_ttl_seconds: int = Field(default=12 * 3600, gt=0)
    # Cookies are Secure (and named __Host-…) when the request came over https; true forces
    # it (TLS ended by a proxy in front), false never sets it (plain-http development only).
    cookie_secure: bool | None = None
    # A paired register's credential stops working after this many days without an employee
    # signing in with it; each sign-in starts the count again. A till in use never needs a
    # manager to pair it again, while a lost or retired tablet's cookie dies on its own.
    register_credential_idle_days: int = Field(default=30, gt=0)
    login_max_failures: int = 5
    login_lockout_seconds: int = 900
    login_max_concurrent_attempts: int = 5
    default_rate_limit_per_minute: int = 600
    anonymous_rate_limit_per_minute: int = 120
    max_body_bytes: int = 1_048_576
    # CSV imports and product batches (1,000 products with variants) need more.
    max_import_bytes: int = 64 * 1_048_576
    max_batch_bytes: int = 16 * 1_048_576
    idempotency_ttl_seconds: int = 24 * 3600
    # A request's process touches its unfinished idempotency claims every heartbeat; a claim
    # not touched for the stale time belongs to a request that died with its process and is
    # taken over by a retry (ADR 0009).
    idempotency_heartbeat_seconds: float = Field(default=2.0, gt=0)
    idempotency_stale_seconds: float = Field(default=10.0, gt=0)

    # Argon2 cost (RFC 9106 second recommended profile by default).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536

    run_jobs_in_process: bool = True
    # At start, move the objects made so far (modules, classes, schemas) out of the garbage
    # collector's sight (core/gc_tuning.py). The tests, which start many apps in one process,
    # turn it off: what a test leaves behind must stay collectable.
    gc_freeze_at_start: bool = True
    job_poll_seconds: float = 1.0

    # Encrypts secrets kept in the database (webhook signing secrets): a Fernet key, or several
    # separated by commas (the first encrypts, any decrypts: how a key is rotated). Unset: a
    # key file in data_dir, made on first use — fine on one machine; set it when several
    # machines share the database.
    secret_key: str | None = Field(default=None, repr=False)
    # Wrong gift card codes a principal may try per minute before 429 (guessing guard).
    gift_card_wrong_codes_per_minute: int = Field(default=10, ge=1)

    # Webhooks: plain http and private addresses only for development.
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_retry_window_seconds: float = Field(default=72 * 3600.0, gt=0)
    # How often the dispatcher looks for new events (it is also woken by commits in-process).
    webhook_dispatch_poll_seconds: float = Field(default=0.1, gt=0)
    # Printers may be on private networks but never on loopback; this allows loopback too, for
    # development only (a printer emulator on the same machine). Link-local, multicast and
    # cloud metadata addresses stay refused (stores/printer_addresses.py).
    printer_allow_loopback: bool = False
    # Outgoing e-mail (receipts) through an SMTP server. No host: nothing is e-mailed (409
    # EMAIL_NOT_CONFIGURED). tls: "starttls" upgrades a plain connection (port 587),
    # "implicit" speaks TLS from the start (465), "none" only for a relay on a trusted network.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["starttls", "implicit", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = Field(default=None, repr=False)
    smtp_from: str = "receipts@tillpoint.invalid"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Connections kept per process; more concurrent requests than this open short-lived extra
    # connections (which must re-prepare every statement), so size it to the expected load.
    db_pool_size: int = Field(default=20, ge=1)
    # Connections opened beyond the pool when it is busy (default: twice the pool), and how
    # long a request waits for one before it is answered 503 SERVICE_UNAVAILABLE.
    db_max_overflow: int | None = Field(default=None, ge=0)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)

    @cached_property
    def sqlalchemy_url(self) -> str:
        """The database URL with the async driver chosen for the user."""
        return async_database_url(
            self.database_url or f"sqlite:///{self.data_dir / 'tillpoint.db'}"
        )


def async_database_url(url: str) -> str:
    """Accept plain ``sqlite:///…`` and ``postgresql://…`` URLs and pick the async driver."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg2://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url
