"""Query parameters the report routes share (a routing module): which location, which days."""

from typing import Annotated

from fastapi import Query

# The strict YYYY-MM-DD date promotions read already: a number is no date (pydantic alone
# would read ``to=0`` as 1970-01-01).
from tillpoint.promotions.schemas import LocalDate

LocationQuery = Annotated[
    str | None, Query(alias="locationId", max_length=40, description="One location (default all)")
]
FromQuery = Annotated[LocalDate | None, Query(alias="from", description="First business day")]
ToQuery = Annotated[
    LocalDate | None, Query(alias="to", description="Last business day (default today)")
]
