"""Locations, registers, employees, tax classes and tax rates."""

from typing import Annotated

from fastapi import APIRouter, Query

from tillpoint.core.deps import DbSession
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.stores import pairing_api, printers_api, service, staff, taxes
from tillpoint.stores.deps import (
    LocationToChange,
    SettingsReader,
    SettingsWriter,
    StaffReader,
    StaffWriter,
)
from tillpoint.stores.models import Employee, Location, Register, TaxClass, TaxRate
from tillpoint.stores.schemas import (
    EmployeeIn,
    EmployeeOut,
    EmployeeUpdate,
    LocationIn,
    LocationOut,
    LocationUpdate,
    RegisterIn,
    RegisterOut,
    RegisterUpdate,
    TaxClassIn,
    TaxClassOut,
    TaxClassUpdate,
    TaxRateIn,
    TaxRateOut,
    TaxRateUpdate,
)

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)

CONFLICTS = error_responses("VERSION_CONFLICT", "ALREADY_EXISTS", "CONFLICT")


@router.get("/locations", response_model=Page[LocationOut], tags=["locations"])
async def list_locations(
    session: DbSession, paging: Pagination, principal: SettingsReader, active: bool | None = None
) -> dict[str, object]:
    items, total = await service.list_locations(session, principal, paging, active=active)
    return paging.page_of(items, total)


@router.post("/locations", response_model=LocationOut, status_code=201, tags=["locations"])
async def create_location(
    body: LocationIn, session: DbSession, principal: SettingsWriter
) -> Location:
    return await service.create_location(session, principal, body)


@router.get("/locations/{location_id}", response_model=LocationOut, tags=["locations"])
async def get_location(location_id: str, session: DbSession, principal: SettingsReader) -> Location:
    return await service.get_location(session, principal, location_id)


@router.patch(
    "/locations/{location_id}", response_model=LocationOut, tags=["locations"], responses=CONFLICTS
)
async def update_location(
    location_id: str, body: LocationUpdate, session: DbSession, principal: SettingsWriter
) -> Location:
    return await service.update_location(session, principal, location_id, body)


@router.get(
    "/locations/{location_id}/registers", response_model=Page[RegisterOut], tags=["registers"]
)
async def list_registers(
    location_id: str,
    session: DbSession,
    paging: Pagination,
    principal: SettingsReader,
    active: bool | None = None,
) -> dict[str, object]:
    items, total = await service.list_registers(
        session, principal, location_id, paging, active=active
    )
    return paging.page_of(items, total)


@router.post(
    "/locations/{location_id}/registers",
    response_model=RegisterOut,
    status_code=201,
    tags=["registers"],
)
async def create_register(
    location: LocationToChange, body: RegisterIn, session: DbSession, principal: SettingsWriter
) -> Register:
    return await service.create_register(session, principal, location.id, body)


@router.get(
    "/locations/{location_id}/registers/{register_id}",
    response_model=RegisterOut,
    tags=["registers"],
)
async def get_register(
    location_id: str, register_id: str, session: DbSession, principal: SettingsReader
) -> Register:
    return await service.get_register(session, principal, location_id, register_id)


@router.patch(
    "/locations/{location_id}/registers/{register_id}",
    response_model=RegisterOut,
    tags=["registers"],
    responses=CONFLICTS,
)
async def update_register(
    location_id: str,
    register_id: str,
    body: RegisterUpdate,
    session: DbSession,
    principal: SettingsWriter,
) -> Register:
    return await service.update_register(session, principal, location_id, register_id, body)


@router.delete(
    "/locations/{location_id}/registers/{register_id}",
    response_model=RegisterOut,
    tags=["registers"],
)
async def archive_register(
    location_id: str, register_id: str, session: DbSession, principal: SettingsWriter
) -> Register:
    """Archive a register (kept for history; hidden from active lists)."""
    return await service.archive_register(session, principal, location_id, register_id)


@router.get("/employees", response_model=Page[EmployeeOut], tags=["employees"])
async def list_employees(
    session: DbSession,
    paging: Pagination,
    principal: StaffReader,
    location_id: Annotated[str | None, Query(alias="locationId", max_length=40)] = None,
    active: bool | None = None,
) -> dict[str, object]:
    items, total = await staff.list_employees(
        session, principal, paging, location_id=location_id, active=active
    )
    return paging.page_of(items, total)


@router.post("/employees", response_model=EmployeeOut, status_code=201, tags=["employees"])
async def create_employee(body: EmployeeIn, session: DbSession, principal: StaffWriter) -> Employee:
    """Add an employee; the register PIN, if given, is stored only as a hash."""
    return await staff.create_employee(session, principal, body)


@router.get("/employees/{employee_id}", response_model=EmployeeOut, tags=["employees"])
async def get_employee(employee_id: str, session: DbSession, principal: StaffReader) -> Employee:
    return await staff.get_employee(session, principal, employee_id)


@router.patch(
    "/employees/{employee_id}", response_model=EmployeeOut, tags=["employees"], responses=CONFLICTS
)
async def update_employee(
    employee_id: str, body: EmployeeUpdate, session: DbSession, principal: StaffWriter
) -> Employee:
    return await staff.update_employee(session, principal, employee_id, body)


@router.delete("/employees/{employee_id}", response_model=EmployeeOut, tags=["employees"])
async def deactivate_employee(
    employee_id: str, session: DbSession, principal: StaffWriter
) -> Employee:
    return await staff.deactivate_employee(session, principal, employee_id)


@router.get("/tax-classes", response_model=Page[TaxClassOut], tags=["taxes"])
async def list_tax_classes(
    session: DbSession, paging: Pagination, _: SettingsReader, active: bool | None = None
) -> dict[str, object]:
    items, total = await taxes.list_tax_classes(session, paging, active=active)
    return paging.page_of(items, total)


@router.post(
    "/tax-classes", response_model=TaxClassOut, status_code=201, tags=["taxes"], responses=CONFLICTS
)
async def create_tax_class(
    body: TaxClassIn, session: DbSession, principal: SettingsWriter
) -> TaxClass:
    return await taxes.create_tax_class(session, principal, body)


@router.get("/tax-classes/{tax_class_id}", response_model=TaxClassOut, tags=["taxes"])
async def get_tax_class(tax_class_id: str, session: DbSession, _: SettingsReader) -> TaxClass:
    return await taxes.get_tax_class(session, tax_class_id)


@router.patch(
    "/tax-classes/{tax_class_id}", response_model=TaxClassOut, tags=["taxes"], responses=CONFLICTS
)
async def update_tax_class(
    tax_class_id: str, body: TaxClassUpdate, session: DbSession, principal: SettingsWriter
) -> TaxClass:
    return await taxes.update_tax_class(session, principal, tax_class_id, body)


@router.delete("/tax-classes/{tax_class_id}", response_model=TaxClassOut, tags=["taxes"])
async def archive_tax_class(
    tax_class_id: str, session: DbSession, principal: SettingsWriter
) -> TaxClass:
    return await taxes.archive_tax_class(session, principal, tax_class_id)


@router.get("/locations/{location_id}/tax-rates", response_model=Page[TaxRateOut], tags=["taxes"])
async def list_tax_rates(
    location_id: str,
    session: DbSession,
    paging: Pagination,
    principal: SettingsReader,
    tax_class: Annotated[str | None, Query(alias="taxClass", max_length=50)] = None,
    active: bool | None = None,
) -> dict[str, object]:
    items, total = await taxes.list_tax_rates(
        session, principal, location_id, paging, tax_class=tax_class, active=active
    )
    return paging.page_of(items, total)


@router.post(
    "/locations/{location_id}/tax-rates", response_model=TaxRateOut, status_code=201, tags=["taxes"]
)
async def create_tax_rate(
    location: LocationToChange, body: TaxRateIn, session: DbSession, principal: SettingsWriter
) -> TaxRate:
    """Add a rate for a tax class at this location; several rates per class add up."""
    return await taxes.create_tax_rate(session, principal, location.id, body)


@router.get(
    "/locations/{location_id}/tax-rates/{tax_rate_id}", response_model=TaxRateOut, tags=["taxes"]
)
async def get_tax_rate(
    location_id: str, tax_rate_id: str, session: DbSession, principal: SettingsReader
) -> TaxRate:
    return await taxes.get_tax_rate(session, principal, location_id, tax_rate_id)


@router.patch(
    "/locations/{location_id}/tax-rates/{tax_rate_id}",
    response_model=TaxRateOut,
    tags=["taxes"],
    responses=CONFLICTS,
)
async def update_tax_rate(
    location_id: str,
    tax_rate_id: str,
    body: TaxRateUpdate,
    session: DbSession,
    principal: SettingsWriter,
) -> TaxRate:
    return await taxes.update_tax_rate(session, principal, location_id, tax_rate_id, body)


@router.delete(
    "/locations/{location_id}/tax-rates/{tax_rate_id}", response_model=TaxRateOut, tags=["taxes"]
)
async def archive_tax_rate(
    location_id: str, tax_rate_id: str, session: DbSession, principal: SettingsWriter
) -> TaxRate:
    return await taxes.archive_tax_rate(session, principal, location_id, tax_rate_id)


router.include_router(printers_api.router)
router.include_router(pairing_api.router)
