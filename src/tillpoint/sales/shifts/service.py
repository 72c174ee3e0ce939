"""Register shifts: open with a float, paid in and out, close with the counted cash.

One open shift per register: the open shift's row carries ``open_register_id`` (the register's
id, NULL once closed) under a unique key, so a second open fails on the constraint whatever
the race.

Which shift a payment or refund belongs to is decided by locks, not clocks. A cash payment or
refund locks the register's open shift row (``current_shift(…, lock=True)``) in its own
transaction and stamps the shift's id on its row; the close locks the same row before it reads
anything. So a payment either commits before the close reads (and is counted in that close),
or waits for the close to commit and then finds no open shift (409 ``SHIFT_NOT_OPEN``) — it
lands in exactly one shift, even when both happen in the same second. Paid-in and paid-out
take the same lock. On SQLite every write transaction holds the database's write lock from its
start, which serialises the same steps.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, utcnow
from tillpoint.core.errors import AppError, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.money import from_minor, minor_units
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.identity.service import get_tenant, principal_names, tenant_currency_exponent
from tillpoint.sales.models import Order, Shift, ShiftCashMovement
from tillpoint.sales.shifts.report import render_text, report_out, shift_figures
from tillpoint.sales.shifts.schemas import (
    CashMovementIn,
    CashMovementOut,
    ShiftCloseIn,
    ShiftOpenIn,
    ShiftOut,
    ShiftReportOut,
)
from tillpoint.stores.models import Location, Register
from tillpoint.stores.service import get_register


async def current_shift(session: AsyncSession, register_id: str, *, lock: bool) -> Shift | None:
    """The register's open shift, or None. With ``lock`` the shift row is locked until commit:
    a payment or refund that takes it and the shift's close are serialised, so each lands in
    exactly one shift, whatever their timestamps."""
    stmt = select(Shift).where(Shift.open_register_id == register_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def register_shift(
    session: AsyncSession, principal: Principal, order: Order, register_id: str | None
) -> tuple[str | None, Shift | None]:
    """The register a payment or refund is taken at (default: the order's) and its open shift,
    locked (see ``current_shift``); (None, None) for an order without a register."""
    if register_id is not None and register_id != order.register_id:
        await get_register(session, principal, order.location_id, register_id)
    register_id = register_id or order.register_id
    if register_id is None:
        return None, None
    return register_id, await current_shift(session, register_id, lock=True)


async def get_shift_register(
    session: AsyncSession, principal: Principal, register_id: str
) -> Register:
    """The register, if it exists in the tenant and the principal may see its location."""
    register = await get_by_id(session, Register, "register", register_id)
    if register is None or not principal.can_access_location(register.location_id):
        raise not_found("Register")
    return register


async def get_shift(session: AsyncSession, register: Register, shift_id: str) -> Shift:
    """One of the register's shifts; another register's or tenant's is not found."""
    shift = await get_by_id(session, Shift, "shift", shift_id, Shift.register_id == register.id)
    if shift is None:
        raise not_found("Shift")
    return shift


async def _lock_open(session: AsyncSession, shift: Shift) -> Shift:
    """Lock the shift's row as ``current_shift(…, lock=True)`` does — the same row, found by
    the same ``open_register_id`` — so this queues with payments, refunds and a close; 409
    SHIFT_NOT_OPEN unless it is (still) the register's open shift. ``populate_existing``: the
    row as it is now, not as the request's earlier read left it."""
    stmt = (
        select(Shift)
        .where(Shift.open_register_id == shift.register_id, Shift.id == shift.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    locked = (await session.execute(stmt)).scalar_one_or_none()
    if locked is None:
        raise AppError("SHIFT_NOT_OPEN", "The shift is closed.")
    return locked


def shift_out(shift: Shift, exponent: int, names: dict[str, str]) -> ShiftOut:
    """The shift as the API shows it; ``names`` are the people's names by id
    (``identity.service.principal_names``)."""

    def money(minor: int | None) -> Any:
        return None if minor is None else from_minor(minor, exponent)

    return ShiftOut(
        shift_id=shift.id,
        register_id=shift.register_id,
        location_id=shift.location_id,
        status="closed" if shift.status == "closed" else "open",
        opening_float=from_minor(shift.opening_float_minor, exponent),
        opened_at=shift.opened_at,
        opened_by=shift.opened_by,
        opened_by_name=names.get(shift.opened_by or ""),
        opening_notes=shift.opening_notes,
        closed_at=shift.closed_at,
        closed_by=shift.closed_by,
        closed_by_name=names.get(shift.closed_by or ""),
        closing_notes=shift.closing_notes,
        counted_cash=money(shift.counted_cash_minor),
        expected_cash=money(shift.expected_cash_minor),
        over_short=money(shift.over_short_minor),
        report=report_out(shift, shift.report, exponent, names)
        if shift.status == "closed" and shift.report
        else None,
        version=shift.version,
        created_at=shift.created_at,
        updated_at=shift.updated_at,
    )


def _record(session: AsyncSession, event_type: str, view: ShiftOut) -> None:
    record_event(
        session,
        event_type,
        view.model_dump(mode="json", by_alias=True),
        subject_id=view.shift_id,
        location_id=view.location_id,
    )


async def _names(session: AsyncSession, shifts: list[Shift]) -> dict[str, str]:
    return await principal_names(session, (i for s in shifts for i in (s.opened_by, s.closed_by)))


async def view_shift(session: AsyncSession, principal: Principal, shift: Shift) -> ShiftOut:
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    return shift_out(shift, exponent, await _names(session, [shift]))


async def open_shift(
    session: AsyncSession, principal: Principal, register: Register, data: ShiftOpenIn
) -> ShiftOut:
    if not register.active:
        raise AppError("INVALID_STATUS", "The register is archived.")
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    now = utcnow()
    shift = Shift(
        tenant_id=principal.tenant_id,
        id=new_id("shift"),
        register_id=register.id,
        location_id=register.location_id,
        open_register_id=register.id,
        status="open",
        opening_float_minor=minor_units(data.opening_float, exponent, "openingFloat"),
        opened_at=now,
        opened_by=principal.id,
        opening_notes=data.notes,
        report={},
        created_at=now,
        updated_at=now,
    )
    session.add(shift)
    try:
        # The unique open_register_id is the one-open-shift rule; a concurrent open waits
        # for the other transaction and then fails here.
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise AppError("SHIFT_ALREADY_OPEN") from None
    view = shift_out(shift, exponent, {principal.id: principal.name})
    _record(session, "shift.opened", view)
    return view


async def list_shifts(
    session: AsyncSession,
    principal: Principal,
    register: Register,
    params: PageParams,
    *,
    status: str | None,
) -> tuple[list[ShiftOut], int]:
    stmt = params.filter_updated(
        select(Shift).where(Shift.register_id == register.id), Shift.updated_at
    )
    if status is not None:
        stmt = stmt.where(Shift.status == status)
    shifts, total = await paginate(
        session, stmt, Shift.id, offset=params.offset, limit=params.page_size
    )
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    names = await _names(session, shifts)
    return [shift_out(s, exponent, names) for s in shifts], total


def cash_movement_out(movement: ShiftCashMovement, exponent: int) -> CashMovementOut:
    return CashMovementOut(
        cash_movement_id=movement.id,
        shift_id=movement.shift_id,
        kind="paid_in" if movement.kind == "paid_in" else "paid_out",
        amount=from_minor(movement.amount_minor, exponent),
        reason=movement.reason,
        created_at=movement.created_at,
        created_by=movement.created_by,
    )


async def add_cash_movement(
    session: AsyncSession,
    principal: Principal,
    shift: Shift,
    data: CashMovementIn,
) -> CashMovementOut:
    """Paid in or paid out, with its reason. Taken under the shift's lock, so it is either in
    the close's figures or refused because the shift closed first."""
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    amount = minor_units(data.amount, exponent, "amount")
    shift = await _lock_open(session, shift)
    movement = ShiftCashMovement(
        tenant_id=principal.tenant_id,
        id=new_id("cash_movement"),
        shift_id=shift.id,
        kind=data.kind,
        amount_minor=amount,
        reason=data.reason,
        created_at=utcnow(),
        created_by=principal.id,
    )
    session.add(movement)
    await session.flush()
    view = cash_movement_out(movement, exponent)
    record_event(
        session,
        "shift.cash_movement",
        {
            **view.model_dump(mode="json", by_alias=True),
            "registerId": shift.register_id,
            "locationId": shift.location_id,
        },
        subject_id=shift.id,
        location_id=shift.location_id,
    )
    return view


async def list_cash_movements(
    session: AsyncSession, principal: Principal, shift: Shift, params: PageParams
) -> tuple[list[CashMovementOut], int]:
    stmt = params.filter_updated(
        select(ShiftCashMovement).where(ShiftCashMovement.shift_id == shift.id),
        ShiftCashMovement.created_at,
    )
    rows, total = await paginate(
        session, stmt, ShiftCashMovement.id, offset=params.offset, limit=params.page_size
    )
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    return [cash_movement_out(m, exponent) for m in rows], total


async def close_shift(
    session: AsyncSession,
    principal: Principal,
    shift: Shift,
    data: ShiftCloseIn,
) -> ShiftOut:
    """Count the drawer and freeze the Z report. The shift row is locked before anything is
    read: payments and refunds that took the lock first are committed and counted; those that
    come after find no open shift."""
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    counted = minor_units(data.counted_cash, exponent, "countedCash")
    shift = await _lock_open(session, shift)
    check_version(shift, data.version)
    tenant = await get_tenant(session, principal.tenant_id)
    now = utcnow()
    figures = await shift_figures(
        session, shift, currency=tenant.currency, generated_at=now, counted_cash=counted
    )
    shift.status = "closed"
    shift.open_register_id = None
    shift.closed_at = now
    shift.closed_by = principal.id
    shift.closing_notes = data.notes
    shift.counted_cash_minor = counted
    shift.expected_cash_minor = figures["expectedCashMinor"]
    shift.over_short_minor = figures["overShortMinor"]
    shift.report = figures
    await session.flush()
    view = shift_out(shift, exponent, await _names(session, [shift]))
    _record(session, "shift.closed", view)
    return view


async def shift_report(session: AsyncSession, principal: Principal, shift: Shift) -> ShiftReportOut:
    """The Z report frozen at the close, or the open shift's live figures (an X report)."""
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    names = await _names(session, [shift])
    if shift.status == "closed" and shift.report:
        return report_out(shift, shift.report, exponent, names)
    tenant = await get_tenant(session, principal.tenant_id)
    figures = await shift_figures(session, shift, currency=tenant.currency, generated_at=utcnow())
    return report_out(shift, figures, exponent, names)


async def shift_report_text(
    session: AsyncSession, principal: Principal, register: Register, shift: Shift
) -> str:
    report = await shift_report(session, principal, shift)
    tenant = await get_tenant(session, principal.tenant_id)
    location = await get_by_id(session, Location, "location", register.location_id)
    assert location is not None  # a register's location is a foreign key
    return render_text(
        report,
        business_name=tenant.name,
        location_name=location.name,
        register_name=register.name,
        timezone=location.timezone,
    )
