"""What the catalog routers share (a routing module: it sees HTTP): who may read and change
the catalog, the product a route acts on, and the stock reader product responses show. The row
dependency depends on its routes' permission, so the check runs before the row is read whatever
the order of the route's parameters; it is a dependency so that an unknown product is 404 before
the body is read."""

from typing import Annotated

from fastapi import Depends, Query, Request

from tillpoint.catalog import service
from tillpoint.catalog.models import Product
from tillpoint.catalog.stock import StockFigures
from tillpoint.core.auth import Principal
from tillpoint.core.deps import DbSession, requires

CatalogReader = Annotated[Principal, Depends(requires("catalog:read"))]
CatalogWriter = Annotated[Principal, Depends(requires("catalog:write"))]
LocationId = Annotated[str | None, Query(alias="locationId", max_length=40)]


async def product_to_change(product_id: str, session: DbSession, _: CatalogWriter) -> Product:
    return await service.get_product(session, product_id)


ProductToChange = Annotated[Product, Depends(product_to_change)]


async def stock_figures(request: Request) -> StockFigures:
    """Inventory's stock reader, which create_app puts on app.state (the catalog may not import
    inventory: ADR 0008)."""
    figures: StockFigures = request.app.state.stock_figures
    return figures


Stock = Annotated[StockFigures, Depends(stock_figures)]
