"""Gapless receipt numbers: one counter row per (location, year), see ADR 0005.

Taking a number locks the location's counter row until COMMIT, and every completion at the
location waits for it, so it is the completion's last statement: on PostgreSQL the number is
taken and written onto the order, with the rest of its completion, in one statement, after
which only the events and COMMIT remain.
"""

from typing import Any

from sqlalchemy import bindparam, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tillpoint.core.db import dialect_insert, table_of
from tillpoint.core.driver import DriverStatement
from tillpoint.sales.models import Order, ReceiptSequence

SEQUENCES = table_of(ReceiptSequence)
ORDERS = table_of(Order)


def receipt_number(year: int, number: int) -> str:
    return f"R-{year}-{number:06d}"


async def next_receipt_number(
    session: AsyncSession, tenant_id: str, location_id: str, year: int
) -> str:
    """The location's next number for the year. The increment holds the sequence row until
    commit, and a rollback gives the number back, so the numbers have no gaps."""
    params = {"tenant": tenant_id, "location": location_id, "for_year": year}
    [(number,)] = await _sequence_upsert(session).rows(session, params)
    return receipt_number(year, number)


async def number_order(
    session: AsyncSession, order: Order, year: int, completion: dict[str, Any]
) -> None:
    """Take the next number of the order's location and year and store it on the order with
    ``completion`` (the values of ``COMPLETION`` the caller has set as committed: written
    here, not flushed) and the next version."""
    values = {**completion, "version": order.version + 1}
    if session.get_bind().dialect.name == "postgresql":
        params = {
            "tenant": order.tenant_id,
            "location": order.location_id,
            "for_year": year,
            "order_id": order.id,
            **values,
        }
        [(number,)] = await _NUMBER_ORDER.rows(session, params)
    else:
        number = await next_receipt_number(session, order.tenant_id, order.location_id, year)
        await session.execute(
            update(ORDERS)
            .where(ORDERS.c.tenant_id == order.tenant_id, ORDERS.c.id == order.id)
            .values(receipt_number=number, **values)
        )
    # Written by the statement above: the session must not write them again.
    set_committed_value(order, "receipt_number", number)
    set_committed_value(order, "version", values["version"])


# What completing an order writes with its receipt number.
COMPLETION = (
    "status",
    "completed_at",
    "updated_at",
    "shift_id",
    "paid_minor",
    "cash_rounding_minor",
    "version",
)


# The sequence upsert as a CTE whose number the order's UPDATE formats as
# ``receipt_number`` does (at least six digits).
_NUMBER_ORDER = DriverStatement(
    text(
        """
    WITH taken AS (
        INSERT INTO receipt_sequences (tenant_id, location_id, year, last_number)
        VALUES (:tenant, :location, :for_year, 1)
        ON CONFLICT (tenant_id, location_id, year)
        DO UPDATE SET last_number = receipt_sequences.last_number + 1
        RETURNING last_number
    )
    UPDATE orders
    SET receipt_number = 'R-' || CAST(:for_year AS TEXT) || '-'
        || CASE WHEN taken.last_number < 1000000
                THEN lpad(CAST(taken.last_number AS TEXT), 6, '0')
                ELSE CAST(taken.last_number AS TEXT) END,
        status = :status, completed_at = :completed_at, updated_at = :updated_at,
        shift_id = :shift_id, paid_minor = :paid_minor,
        cash_rounding_minor = :cash_rounding_minor, version = :version
    FROM taken
    WHERE orders.tenant_id = :tenant AND orders.id = :order_id
    RETURNING orders.receipt_number
    """
    ).bindparams(
        bindparam("tenant", type_=SEQUENCES.c.tenant_id.type),
        bindparam("location", type_=SEQUENCES.c.location_id.type),
        bindparam("for_year", type_=SEQUENCES.c.year.type),
        bindparam("order_id", type_=ORDERS.c.id.type),
        *(bindparam(name, type_=ORDERS.c[name].type) for name in COMPLETION),
    )
)


def _sequence_upsert(session: AsyncSession) -> DriverStatement:
    """One statement: the first number of a year inserts the row, later ones increment it.
    Built once per dialect (it runs with every completed sale)."""
    dialect = session.get_bind().dialect.name
    stmt = _sequence_upserts.get(dialect)
    if stmt is None:
        c = SEQUENCES.c
        stmt = _sequence_upserts[dialect] = DriverStatement(
            dialect_insert(session)(SEQUENCES)
            .values(
                tenant_id=bindparam("tenant", type_=c.tenant_id.type),
                location_id=bindparam("location", type_=c.location_id.type),
                year=bindparam("for_year", type_=c.year.type),
                last_number=1,
            )
            .on_conflict_do_update(
                index_elements=[c.tenant_id, c.location_id, c.year],
                set_={"last_number": c.last_number + 1},
            )
            .returning(c.last_number)
        )
    return stmt


_sequence_upserts: dict[str, DriverStatement] = {}
