"""Customer endpoints: profiles, search, merge, and the privacy export and erasure. A customer's
orders are listed by sales (``GET /v1/customers/{id}/orders``)."""

from typing import Annotated

from fastapi import APIRouter, Query

from tillpoint.core.deps import DbSession
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.customers import merge, privacy, service
from tillpoint.customers.deps import (
    CustomerEraser,
    CustomerReader,
    CustomerToChange,
    CustomerToErase,
    CustomerWriter,
    Records,
)
from tillpoint.customers.listing import CustomerFilters, list_customers
from tillpoint.customers.schemas import (
    CustomerExport,
    CustomerIn,
    CustomerOut,
    CustomerUpdate,
    MergeIn,
)

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS, tags=["customers"])

DUPLICATE = error_responses("CUSTOMER_ALREADY_EXISTS")
CHANGE_ERRORS = error_responses("CUSTOMER_ALREADY_EXISTS", "VERSION_CONFLICT", "INVALID_STATUS")


@router.get("/customers", response_model=Page[CustomerOut])
async def list_customers_route(
    session: DbSession,
    paging: Pagination,
    principal: CustomerReader,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Prefix of the name, last name, email or phone"),
    ] = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
    phone: Annotated[str | None, Query(max_length=40, description="Normalised to E.164")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    include_archived: Annotated[bool, Query(alias="includeArchived")] = False,
) -> dict[str, object]:
    filters = CustomerFilters(q, email, phone, tag, include_archived)
    items, total = await list_customers(session, principal, paging, filters)
    return paging.page_of(items, total)


@router.post("/customers", response_model=CustomerOut, status_code=201, responses=DUPLICATE)
async def create_customer(
    body: CustomerIn, session: DbSession, principal: CustomerWriter
) -> CustomerOut:
    """Add a customer. An email (any case) or phone another customer has is 409
    `CUSTOMER_ALREADY_EXISTS`, naming that customer's `customerId` in the details."""
    return await service.create_customer(session, principal, body)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
async def get_customer(customer_id: str, session: DbSession, _: CustomerReader) -> CustomerOut:
    """A customer. The id of a customer merged into another answers 200 with the survivor,
    whose `mergedInto` then names it."""
    return await service.get_customer(session, customer_id)


@router.patch("/customers/{customer_id}", response_model=CustomerOut, responses=CHANGE_ERRORS)
async def update_customer(
    customer: CustomerToChange, body: CustomerUpdate, session: DbSession, principal: CustomerWriter
) -> CustomerOut:
    return await service.update_customer(session, principal, customer, body)


@router.delete("/customers/{customer_id}", response_model=CustomerOut, responses=CHANGE_ERRORS)
async def archive_customer(
    customer: CustomerToChange, session: DbSession, principal: CustomerWriter
) -> CustomerOut:
    """Archive a customer (kept with its orders, hidden from lists; `PATCH {archived: false}`
    restores)."""
    return await service.archive_customer(session, principal, customer)


@router.post("/customers/{customer_id}/merge", response_model=CustomerOut, responses=CHANGE_ERRORS)
async def merge_customer(
    customer: CustomerToChange,
    body: MergeIn,
    session: DbSession,
    principal: CustomerWriter,
    records: Records,
) -> CustomerOut:
    """Merge `mergeCustomerId` into this customer: its orders and history move here and its
    id answers with this customer from now on."""
    return await merge.merge_customers(session, principal, customer.id, body, records)


@router.get("/customers/{customer_id}/export", response_model=CustomerExport)
async def export_customer(
    customer_id: str, session: DbSession, principal: CustomerReader, records: Records
) -> CustomerExport:
    """Everything held about the person, as JSON (a subject access request)."""
    return await privacy.export_customer(session, principal, customer_id, records)


@router.post(
    "/customers/{customer_id}/erase",
    response_model=CustomerOut,
    responses=error_responses("INVALID_STATUS"),
)
async def erase_customer(
    customer: CustomerToErase, session: DbSession, principal: CustomerEraser
) -> CustomerOut:
    """Erase the person's personal data (permission `customers:erase`); orders and ledgers are
    kept for the books. Cannot be undone."""
    return await privacy.erase_customer(session, principal, customer)
