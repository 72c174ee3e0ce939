"""Dependencies the sales routers share (a routing module: it sees HTTP)."""

from typing import Annotated

from fastapi import Depends

from tillpoint.core.deps import CurrentPrincipal, DbSession
from tillpoint.sales import orders
from tillpoint.sales.models import Order


async def visible_order(order_id: str, session: DbSession, principal: CurrentPrincipal) -> Order:
    # A dependency, so an unknown order is 404 before the body is even read.
    return await orders.get_order(session, principal, order_id)


VisibleOrder = Annotated[Order, Depends(visible_order)]


async def locked_order(order_id: str, session: DbSession, principal: CurrentPrincipal) -> Order:
    # For a route whose service changes the order: it takes the order's row lock here (the
    # first lock of every change) instead of reading the row twice.
    return await orders.get_order(session, principal, order_id, lock=True)


LockedOrder = Annotated[Order, Depends(locked_order)]
