"""Employees on a paired register: who may sign in there, sign-in by PIN, and the principal an
employee's session cookie stands for (their role's permissions, at the register's location).

Wrong PINs count toward the same lockout as wrong passwords (``identity/throttle.py``), per
employee, and each leaves an audit entry; a PIN is checked against its Argon2 digest and never
stored, logged or echoed."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.audit import record_refusal
from tillpoint.core.auth import Principal
from tillpoint.core.db import Database, get_by_id, utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.ids import new_id
from tillpoint.core.security import new_token, token_digest, verify_password
from tillpoint.identity.models import AuthSession, Role
from tillpoint.identity.throttle import begin_attempt, end_attempt
from tillpoint.stores.models import Employee, Register
from tillpoint.stores.pairing import ALL_TENANTS, PairedDevice, paired_device, touch_credential
from tillpoint.stores.staff import works_at

# An employee session's secret, in the device's session cookie; never a bearer token.
EMPLOYEE_PREFIX = "tpe_"
# The audit log's action for a refused PIN sign-in (the route, as for every write, and why).
PIN_REFUSED = "POST /v1/paired-register/employee-sessions: PIN refused"


@dataclass(frozen=True)
class EmployeeSignIn:
    secret: str
    expires_in: int
    employee: Employee
    permissions: frozenset[str]
    device: PairedDevice


async def employees_of_device(
    db: Database, settings: Settings, secret: str | None
) -> tuple[PairedDevice, list[Employee]]:
    """The paired register and the employees who may sign in there (active, working at its
    location, with a PIN), by name."""
    async with db.session(read_only=True) as read:
        device = await paired_device(read, secret, settings.register_credential_idle_days)
        read.info["tenant_id"] = device.tenant_id
        rows = (
            await read.execute(
                select(Employee)
                .where(Employee.active.is_(True), Employee.pin_hash.is_not(None))
                .order_by(Employee.name, Employee.id)
            )
        ).scalars()
        return device, [e for e in rows if works_at(e, device.location_id)]


async def sign_in_employee(
    db: Database,
    session: AsyncSession,
    settings: Settings,
    *,
    device_secret: str | None,
    employee_id: str,
    pin: str,
    request_id: str,
) -> EmployeeSignIn:
    """An employee session on the device's register, or 401 REGISTER_NOT_PAIRED / PIN_INVALID
    (the same for an unknown employee, one who may not sign in here, and a wrong PIN)."""
    # Looked up on a read session: no lock is held while the (deliberately slow) hash runs.
    async with db.session(read_only=True) as read:
        device = await paired_device(read, device_secret, settings.register_credential_idle_days)
        read.info["tenant_id"] = device.tenant_id
        employee = await get_by_id(read, Employee, "employee", employee_id)
    may_sign_in = (
        employee is not None and employee.active and works_at(employee, device.location_id)
    )
    # Per employee (their id is in the key; ids are unique across tenants), known or not.
    attempt_key = token_digest(f"pin:{employee_id}")
    await begin_attempt(db, settings, attempt_key)
    verified = False
    try:
        pin_hash = employee.pin_hash if employee is not None and may_sign_in else None
        verified = await verify_password(pin_hash, pin)
    finally:
        await end_attempt(db, settings, attempt_key, failed=not verified, succeeded=verified)
    session.info["tenant_id"] = device.tenant_id
    if not verified or employee is None:
        record_refusal(
            session,
            tenant_id=device.tenant_id,
            principal_type="register",
            principal_id=device.register_id,
            request_id=request_id,
            action=PIN_REFUSED,
            status=401,
            resource_id=employee.id if employee is not None else None,
        )
        raise AppError("PIN_INVALID", commit_changes=True)

    role = (await session.execute(select(Role).where(Role.id == employee.role_id))).scalar_one()
    permissions = frozenset(role.permissions) if role.active else frozenset()
    now, ttl = utcnow(), settings.browser_session_ttl_seconds
    secret = new_token(EMPLOYEE_PREFIX)
    session.add(
        AuthSession(
            tenant_id=device.tenant_id,
            id=new_id("session"),
            kind="employee",
            employee_id=employee.id,
            register_id=device.register_id,
            access_token_hash=token_digest(secret),
            access_expires_at=now + timedelta(seconds=ttl),
            created_at=now,
        )
    )
    await touch_credential(session, device)
    return EmployeeSignIn(secret, ttl, employee, permissions, device)


# Every request of an employee resolves its cookie with this: built once, not per request.
_EMPLOYEE_BY_SECRET = (
    select(
        AuthSession.id,
        AuthSession.access_expires_at,
        Register.id,
        Register.location_id,
        Register.active,
        Employee,
        Role.permissions,
        Role.active,
    )
    .join(
        Employee,
        (Employee.tenant_id == AuthSession.tenant_id) & (Employee.id == AuthSession.employee_id),
    )
    .join(Role, (Role.tenant_id == Employee.tenant_id) & (Role.id == Employee.role_id))
    .join(
        Register,
        (Register.tenant_id == AuthSession.tenant_id) & (Register.id == AuthSession.register_id),
    )
    .where(
        AuthSession.access_token_hash == bindparam("digest"),
        AuthSession.kind == "employee",
        AuthSession.revoked_at.is_(None),
    )
    .execution_options(**ALL_TENANTS)
)


async def employee_principal(
    session: AsyncSession, secret: str, *, rate_limit: int
) -> Principal | None:
    """The employee behind a session cookie, or None (unknown, expired, revoked; the employee
    deactivated or moved away from the register's location; the register archived)."""
    if not secret.startswith(EMPLOYEE_PREFIX):
        return None
    row = (
        await session.execute(_EMPLOYEE_BY_SECRET, {"digest": token_digest(secret)})
    ).one_or_none()
    if row is None:
        return None
    session_id, expires_at, register_id, location_id, register_active, employee, perms, live = row
    usable = register_active and employee.active and works_at(employee, location_id)
    if expires_at <= utcnow() or not usable:
        return None
    return Principal(
        kind="employee",
        id=employee.id,
        tenant_id=employee.tenant_id,
        name=employee.name,
        permissions=frozenset(perms) if live else frozenset(),
        # An employee on a register acts at that register's location only.
        location_ids=frozenset({location_id}),
        rate_limit_per_minute=rate_limit,
        session_id=session_id,
        register_id=register_id,
    )
