"""What the customers router shares (a routing module: it sees HTTP): who may read, change and
erase customers, the customer a write acts on (after the permission check, before the body),
and the other domains' records of customers that create_app hands over (records.py)."""

from typing import Annotated

from fastapi import Depends, Request

from tillpoint.core.auth import Principal
from tillpoint.core.deps import DbSession, requires
from tillpoint.customers import service
from tillpoint.customers.models import Customer
from tillpoint.customers.records import RecordsList

CustomerReader = Annotated[Principal, Depends(requires("customers:read"))]
CustomerWriter = Annotated[Principal, Depends(requires("customers:write"))]
CustomerEraser = Annotated[Principal, Depends(requires("customers:erase"))]


async def customer_to_change(customer_id: str, session: DbSession, _: CustomerWriter) -> Customer:
    return await service.customer_to_change(session, customer_id)


async def customer_to_erase(customer_id: str, session: DbSession, _: CustomerEraser) -> Customer:
    return await service.customer_to_change(session, customer_id)


async def customer_records(request: Request) -> RecordsList:
    """The other domains' records of customers (orders, …), from app.state (ADR 0008)."""
    records: RecordsList = request.app.state.customer_records
    return records


CustomerToChange = Annotated[Customer, Depends(customer_to_change)]
CustomerToErase = Annotated[Customer, Depends(customer_to_erase)]
Records = Annotated[RecordsList, Depends(customer_records)]
