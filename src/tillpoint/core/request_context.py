"""What the request pipeline knows about a request; endpoints reach it through dependencies
(``core/deps.py``)."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Send

from tillpoint.core.auth import Principal
from tillpoint.core.db import Database
from tillpoint.core.pipeline_responses import send_error


@dataclass
class RequestContext:
    """What the pipeline knows about a request; endpoints reach it through dependencies."""

    db: Database
    request_id: str
    read_only: bool
    principal: Principal | None = None
    auth_failure: str | None = None
    # The CSRF token of the browser session cookie that signed the request in; None otherwise.
    csrf_token: str | None = None
    session: AsyncSession | None = None
    # Set by an endpoint whose error response must still commit what it wrote.
    commit_despite_error: bool = False
    # Top-level response fields shown once (new secrets): an idempotent replay gets null.
    secret_fields: frozenset[str] = frozenset()
    status: int = 500
    response_headers: dict[str, str] = field(default_factory=dict)

    def get_session(self) -> AsyncSession:
        if self.session is None:
            tenant_id = self.principal.tenant_id if self.principal else None
            self.session = self.db.session(tenant_id=tenant_id, read_only=self.read_only)
        return self.session

    async def end_session(self) -> None:
        """Close the request's session now, for a read whose response outlives it (an event
        stream reading on short sessions of its own): it must not hold a connection, or a
        SQLite read snapshot, for as long as the client stays connected."""
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def reject(
        self, send: Send, code: str, details: list[dict[str, Any]] | None = None
    ) -> int:
        """Answer with the pipeline's own error ``code``, this request's id and headers."""
        return await send_error(send, code, details or [], self.request_id, self.response_headers)
