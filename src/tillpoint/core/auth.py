"""Who is making the request, and what they may do. Resolved once per request by the pipeline."""

from dataclasses import dataclass
from typing import Literal

from tillpoint.core.errors import AppError


@dataclass(frozen=True)
class Principal:
    # A user (bearer token or browser cookie), an integration's key, or an employee signed in
    # with their PIN on a paired register (stores/register_sessions.py).
    kind: Literal["user", "api_key", "employee"]
    id: str
    tenant_id: str
    name: str
    permissions: frozenset[str]
    # None means every location of the tenant.
    location_ids: frozenset[str] | None
    rate_limit_per_minute: int
    session_id: str | None = None
    # The register an employee signed in on; None for users and keys.
    register_id: str | None = None

    @property
    def rate_limit_key(self) -> str:
        return f"{self.kind}:{self.id}"

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise AppError("FORBIDDEN", f"Missing permission {permission}.")

    def can_access_location(self, location_id: str | None) -> bool:
        return self.location_ids is None or location_id in self.location_ids

    def covers_locations(self, location_ids: list[str]) -> bool:
        """Whether everything a grant of ``location_ids`` reaches ([] = every location) is ours."""
        if self.location_ids is None:
            return True
        return bool(location_ids) and set(location_ids) <= self.location_ids

    def require_every_location(self, action: str) -> None:
        """Tenant-wide changes are for principals not limited to some locations."""
        if self.location_ids is not None:
            raise AppError("FORBIDDEN", f"A user limited to some locations cannot {action}.")


@dataclass(frozen=True)
class AuthFailure:
    """Why a presented credential was not accepted (the client sees only INVALID_TOKEN)."""

    code: str = "INVALID_TOKEN"


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
