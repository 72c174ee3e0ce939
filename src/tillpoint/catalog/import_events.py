"""The events of a CSV import: one ``product.created`` per new product, as ``create_product``
records it (the product as the API shows it, without stock), rendered from the columns the
import wrote (``presenters.written_product_fields``) to plain JSON values (``ready.plain``),
without reading the rows back or validating a ``ProductOut`` per product.

The first ``KEEP_IN_MEMORY`` join the transaction's pending events like any other. The rest are
held in ``catalog_import_events`` inside the import's transaction, so memory does not grow with
the file; at COMMIT ``core.events`` numbers them under the tenant's counter lock, after the
events in memory, and they are copied into ``events`` and deleted in two statements (ADR 0001:
still written in the transaction, in commit order). A failed import or a dry run rolls the
held rows back with its savepoint and forgets them (``drop``).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import CatalogImportEvent
from tillpoint.catalog.ready import model_number, plain
from tillpoint.core.db import table_of, utcnow
from tillpoint.core.events import Event, HeldEvents, drop_held, hold_events, record_event
from tillpoint.core.ids import new_id

KEEP_IN_MEMORY = 5_000
_HELD: Table = table_of(CatalogImportEvent)
_EVENTS: Table = table_of(Event)


def _data(fields: dict[str, Any]) -> dict[str, Any]:
    """The event's payload: the product as ``ProductOut`` dumps it to JSON, without stock."""
    return plain({key: value for key, value in fields.items() if key != "inventory"}, model_number)


class ImportEvents:
    """The ``product.created`` events of one import."""

    def __init__(self, tenant_id: str, keep_in_memory: int = KEEP_IN_MEMORY) -> None:
        self.tenant_id = tenant_id
        self.key = new_id("event")
        self.room = keep_in_memory
        self.held: HeldEvents | None = None

    async def created(self, session: AsyncSession, products: Sequence[dict[str, Any]]) -> None:
        """``product.created`` for each product just written, given as ``product_fields``
        (``presenters.written_product_fields``), in id order."""
        ordered = sorted(products, key=lambda fields: str(fields["product_id"]))
        for fields in ordered[: self.room]:
            record_event(session, "product.created", _data(fields), subject_id=fields["product_id"])
        rest = ordered[self.room :]
        self.room = max(0, self.room - len(ordered))
        if not rest:
            return
        if self.held is None:
            self.held = HeldEvents(self.tenant_id, 0, self._write)
            hold_events(session, self.held)
        now, first = utcnow(), self.held.count
        rows = [
            {
                "tenant_id": self.tenant_id,
                "import_key": self.key,
                "n": first + i,
                "id": new_id("event"),
                "type": "product.created",
                "occurred_at": now,
                "subject_id": fields["product_id"],
                "data": _data(fields),
            }
            for i, fields in enumerate(rest)
        ]
        await session.execute(insert(_HELD), rows)
        self.held.count += len(rows)

    def drop(self, session: AsyncSession) -> None:
        """The import was rolled back: its held events with it."""
        if self.held is not None:
            drop_held(session, self.held)
            self.held = None

    async def _write(self, session: AsyncSession, first_seq: int) -> None:
        mine = (_HELD.c.tenant_id == self.tenant_id) & (_HELD.c.import_key == self.key)
        numbered = select(
            _HELD.c.tenant_id,
            (_HELD.c.n + literal(first_seq)).label("seq"),
            _HELD.c.id,
            _HELD.c.type,
            _HELD.c.occurred_at,
            _HELD.c.subject_id,
            _HELD.c.data,
        ).where(mine)
        columns = ["tenant_id", "seq", "id", "type", "occurred_at", "subject_id", "data"]
        await session.execute(insert(_EVENTS).from_select(columns, numbered))
        await session.execute(delete(_HELD).where(mine))
