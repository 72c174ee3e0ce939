"""The scanner's endpoint: a barcode (or sku) to the item, priced and stocked at a location.

A router of its own so that app.py can include it first: FastAPI tries routes one by one in
the order they were included, and this is the register's most frequent request (each route
tried before it cost ~20 Python calls; the sales and bulk routes ahead of it were 30).
"""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tillpoint.catalog import ready, scan
from tillpoint.catalog.deps import CatalogReader, LocationId, Stock
from tillpoint.catalog.schemas import LookupOut
from tillpoint.core.deps import DbSession, prepared_json
from tillpoint.core.openapi import COMMON_ERRORS

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)


@router.get("/catalog/lookup", response_model=LookupOut, tags=["catalog"])
async def lookup(
    session: DbSession,
    principal: CatalogReader,
    stock: Stock,
    barcode: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    sku: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    location_id: LocationId = None,
) -> Response:
    """The item a scanned barcode (or a typed sku) names, priced and stocked at a location."""
    fields = await scan.lookup(
        session, principal, stock=stock, barcode=barcode, sku=sku, location_id=location_id
    )
    return prepared_json(ready.item_json(fields))
