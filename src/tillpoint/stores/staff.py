"""Employees: the people who ring up sales, with a role, their locations and a register PIN."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import apply_updates, check_version, get_by_id, unchanged
from tillpoint.core.errors import AppError, not_found
from tillpoint.core.events import record_change
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.core.security import hash_password
from tillpoint.identity.roles import assignable_role, get_role
from tillpoint.stores.models import Employee
from tillpoint.stores.schemas import EmployeeIn, EmployeeOut, EmployeeUpdate
from tillpoint.stores.service import check_assignable_locations


def works_at(employee: Employee, location_id: str) -> bool:
    # An empty list means the employee works at every location.
    return not employee.location_ids or location_id in employee.location_ids


def _visible(principal: Principal, employee: Employee) -> bool:
    # A location-limited user sees the employees who work at one of their locations.
    if principal.location_ids is None or not employee.location_ids:
        return True
    return bool(set(employee.location_ids) & principal.location_ids)


async def get_employee(session: AsyncSession, principal: Principal, employee_id: str) -> Employee:
    employee = await get_by_id(session, Employee, "employee", employee_id)
    if employee is None or not _visible(principal, employee):
        raise not_found("Employee")
    return employee


async def list_employees(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    location_id: str | None,
    active: bool | None,
) -> tuple[list[Employee], int]:
    stmt = params.filter_updated(select(Employee), Employee.updated_at)
    if active is not None:
        stmt = stmt.where(Employee.active.is_(active))
    rows, _ = await paginate(session, stmt, Employee.id, offset=0, limit=100_000)
    # Location lists are JSON, so the location filter runs here; staff lists are small.
    visible = [
        e
        for e in rows
        if _visible(principal, e) and (location_id is None or works_at(e, location_id))
    ]
    return visible[params.offset : params.offset + params.page_size], len(visible)


async def create_employee(
    session: AsyncSession, principal: Principal, data: EmployeeIn
) -> Employee:
    # Hash before the first statement: SQLite holds its write lock from there to COMMIT.
    pin_hash = await hash_password(data.pin) if data.pin else None
    role = await assignable_role(session, principal, data.role_id, "roleId")
    await check_assignable_locations(session, principal, data.location_ids, "locationIds")
    employee = Employee(
        tenant_id=principal.tenant_id,
        id=new_id("employee"),
        name=data.name,
        email=data.email,
        role_id=role.id,
        location_ids=sorted(set(data.location_ids)),
        pin_hash=pin_hash,
        active=data.active,
    )
    session.add(employee)
    await session.flush()
    record_change(session, "employee.created", EmployeeOut, employee)
    return employee


async def _editable_employee(
    session: AsyncSession, principal: Principal, employee_id: str
) -> Employee:
    """An employee the principal may change: holding no permission the principal lacks, and
    working only at the principal's locations."""
    employee = await get_employee(session, principal, employee_id)
    role = await get_role(session, employee.role_id)
    if not set(role.permissions) <= principal.permissions or not principal.covers_locations(
        employee.location_ids
    ):
        raise AppError("FORBIDDEN", "You cannot change an employee with more access than you.")
    return employee


async def update_employee(
    session: AsyncSession, principal: Principal, employee_id: str, data: EmployeeUpdate
) -> Employee:
    pin_hash = await hash_password(data.pin) if data.pin is not None else None
    employee = await _editable_employee(session, principal, employee_id)
    check_version(employee, data.version)
    if data.role_id is not None:
        employee.role_id = (await assignable_role(session, principal, data.role_id, "roleId")).id
    if data.location_ids is not None:
        await check_assignable_locations(session, principal, data.location_ids, "locationIds")
        employee.location_ids = sorted(set(data.location_ids))
    if pin_hash is not None:
        employee.pin_hash = pin_hash
    apply_updates(employee, data, "name", "email", "active")
    if unchanged(session, employee):
        return employee
    await session.flush()
    record_change(session, "employee.updated", EmployeeOut, employee)
    return employee


async def deactivate_employee(
    session: AsyncSession, principal: Principal, employee_id: str
) -> Employee:
    employee = await _editable_employee(session, principal, employee_id)
    if employee.active:
        employee.active = False
        await session.flush()
        record_change(session, "employee.deactivated", EmployeeOut, employee)
    return employee
