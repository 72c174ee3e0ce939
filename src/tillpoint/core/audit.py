"""The audit log: every successful write, attributed to its principal and request.

The request pipeline writes one entry per successful write request, in the request's own
transaction, naming the resources its events touched; nothing has to remember to call it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.auth import Principal
from tillpoint.core.db import Base, TenantScoped, table_of, utcnow
from tillpoint.core.events import insert_at_commit, pending_events
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import paginate


class AuditEntry(TenantScoped, Base):
    __tablename__ = "audit_log"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    occurred_at: Mapped[datetime]
    principal_type: Mapped[str] = mapped_column(String(16))
    principal_id: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(512))
    action: Mapped[str] = mapped_column(String(200))
    status: Mapped[int]
    resource_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]]

    __table_args__ = (
        Index("ix_audit_tenant_time", "tenant_id", "occurred_at"),
        Index("ix_audit_tenant_resource", "tenant_id", "resource_id"),
    )


async def record_write(
    session: AsyncSession,
    principal: Principal,
    *,
    request_id: str,
    method: str,
    path: str,
    route: str,
    status: int,
) -> None:
    events = pending_events(session)
    # One per write request: written at commit with the events (the same statement on
    # PostgreSQL), off the ORM's unit of work.
    insert_at_commit(
        session,
        table_of(AuditEntry),
        {
            "tenant_id": principal.tenant_id,
            "id": new_id("audit"),
            "occurred_at": utcnow(),
            "principal_type": principal.kind,
            "principal_id": principal.id,
            "request_id": request_id,
            "method": method,
            "path": path[:512],
            "action": f"{method} {route}"[:200],
            "status": status,
            "resource_id": next((e.subject_id for e in events if e.subject_id), None),
            "details": {
                "events": [{"id": e.id, "type": e.type, "subjectId": e.subject_id} for e in events]
            },
        },
    )


def record_refusal(
    session: AsyncSession,
    *,
    tenant_id: str,
    principal_type: str,
    principal_id: str,
    request_id: str,
    action: str,
    status: int,
    resource_id: str | None,
) -> None:
    """An entry for a refused attempt worth a trace (a wrong PIN on a register), written at
    commit by a request that keeps its changes despite its error (``commit_changes``)."""
    insert_at_commit(
        session,
        table_of(AuditEntry),
        {
            "tenant_id": tenant_id,
            "id": new_id("audit"),
            "occurred_at": utcnow(),
            "principal_type": principal_type,
            "principal_id": principal_id,
            "request_id": request_id,
            "method": "POST",
            "path": "",
            "action": action[:200],
            "status": status,
            "resource_id": resource_id,
            "details": {},
        },
    )


async def list_audit_entries(
    session: AsyncSession,
    *,
    principal_id: str | None,
    resource_id: str | None,
    action: str | None,
    occurred_from: datetime | None,
    occurred_to: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[AuditEntry], int]:
    stmt = select(AuditEntry)
    if principal_id:
        stmt = stmt.where(AuditEntry.principal_id == principal_id)
    if resource_id:
        stmt = stmt.where(AuditEntry.resource_id == resource_id)
    if action:
        stmt = stmt.where(AuditEntry.action.contains(action, autoescape=True))
    if occurred_from:
        stmt = stmt.where(AuditEntry.occurred_at >= occurred_from)
    if occurred_to:
        stmt = stmt.where(AuditEntry.occurred_at < occurred_to)
    return await paginate(session, stmt, AuditEntry.id.desc(), offset=offset, limit=limit)
