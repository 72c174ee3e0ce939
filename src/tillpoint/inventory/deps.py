"""What the inventory routers share (a routing module: it sees HTTP): who may read and change
stock, and the count a route acts on. The row dependency depends on its routes' permission,
so the check runs before the row is read whatever the order of the route's parameters; it is
a dependency so that an unknown count is 404 before the body is read."""

from typing import Annotated

from fastapi import Depends

from tillpoint.core.auth import Principal
from tillpoint.core.deps import DbSession, requires
from tillpoint.inventory import counts
from tillpoint.inventory.models import StockCount

InventoryReader = Annotated[Principal, Depends(requires("inventory:read"))]
InventoryWriter = Annotated[Principal, Depends(requires("inventory:write"))]


async def count_to_change(
    count_id: str, session: DbSession, principal: InventoryWriter
) -> StockCount:
    return await counts.get_count(session, principal, count_id)


CountToChange = Annotated[StockCount, Depends(count_to_change)]
