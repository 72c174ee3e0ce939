"""The sales report endpoints (JSON, or CSV with the same columns)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.reports import daily_sales
from tillpoint.reports.csv_rows import columns_of
from tillpoint.reports.deps import (
    CSV_CONTENT,
    CaughtUpSession,
    FormatQuery,
    ReportReader,
    csv_response,
    wants_csv,
)
from tillpoint.reports.schemas import DailySalesOut, SalesGrouping

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=COMMON_ERRORS)

LocationQuery = Annotated[
    str | None,
    Query(alias="locationId", max_length=40, description="One location (default: every one)"),
]
FromQuery = Annotated[
    date | None, Query(alias="from", description="First business day (default: `to`)")
]
ToQuery = Annotated[
    date | None, Query(alias="to", description="Last business day (default: today)")
]


@router.get(
    "/daily-sales",
    response_model=DailySalesOut,
    responses={200: {"content": CSV_CONTENT}, **error_responses("NOT_FOUND")},
)
async def daily_sales_report(
    request: Request,
    session: CaughtUpSession,
    principal: ReportReader,
    location_id: LocationQuery = None,
    first: FromQuery = None,
    last: ToQuery = None,
    group_by: Annotated[SalesGrouping, Query(alias="groupBy")] = "day",
    format: FormatQuery = None,
) -> Response | DailySalesOut:
    """Sales, returns, voids, tax, tips, service charges, gift cards, tenders, cost and margin
    over business days (each location's local date), grouped by day, hour of day, register,
    employee, category or channel. Includes every sale committed before the request."""
    report = await daily_sales.daily_sales(
        session, principal, location_id=location_id, first=first, last=last, group_by=group_by
    )
    if not wants_csv(request, format):
        return report
    rows = [row.model_dump(mode="json", by_alias=True) for row in report.rows]
    totals = report.totals.model_dump(mode="json", by_alias=True)
    name = f"daily-sales-{report.from_}-{report.to}-{group_by}.csv"
    return csv_response(name, columns_of([*rows, totals]), rows, totals)
