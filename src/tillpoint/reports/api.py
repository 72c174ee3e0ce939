"""The sales report endpoints (JSON, or CSV with the same columns)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.reports import daily_sales, products, staff
from tillpoint.reports.csv_rows import columns_of
from tillpoint.reports.deps import (
    CSV_CONTENT,
    CaughtUpSession,
    FormatQuery,
    FromQuery,
    LocationQuery,
    ReportReader,
    ToQuery,
    csv_response,
    model_columns,
    wants_csv,
)
from tillpoint.reports.performance_schemas import (
    ProductFigures,
    ProductGrouping,
    ProductSort,
    ProductsOut,
    StaffGrouping,
    StaffOut,
)
from tillpoint.reports.schemas import DailySalesOut, SalesGrouping

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=COMMON_ERRORS)


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


@router.get(
    "/products",
    response_model=ProductsOut,
    responses={200: {"content": CSV_CONTENT}, **error_responses("NOT_FOUND")},
)
async def product_performance_report(
    request: Request,
    session: CaughtUpSession,
    principal: ReportReader,
    location_id: LocationQuery = None,
    first: FromQuery = None,
    last: ToQuery = None,
    group_by: Annotated[ProductGrouping, Query(alias="groupBy")] = "product",
    sort: ProductSort = "netSales",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int | None, Query(ge=1, le=10_000, description="Top N")] = None,
    format: FormatQuery = None,
) -> Response | ProductsOut:
    """Per variant, product or category: units sold and returned, net sales, discounts, cost,
    margin, sell-through against today's stock and an ABC class; sorted, top-N."""
    report = await products.product_performance(
        session,
        principal,
        location_id=location_id,
        first=first,
        last=last,
        group_by=group_by,
        sort=sort,
        descending=order == "desc",
        limit=limit,
    )
    if not wants_csv(request, format):
        return report
    rows = [row.model_dump(mode="json", by_alias=True) for row in report.rows]
    name = f"products-{report.from_}-{report.to}-{group_by}.csv"
    return csv_response(name, model_columns(ProductFigures), rows)


@router.get(
    "/employees",
    response_model=StaffOut,
    responses={200: {"content": CSV_CONTENT}, **error_responses("NOT_FOUND")},
)
async def staff_report(
    request: Request,
    session: CaughtUpSession,
    principal: ReportReader,
    location_id: LocationQuery = None,
    first: FromQuery = None,
    last: ToQuery = None,
    group_by: Annotated[StaffGrouping, Query(alias="groupBy")] = "employee",
    format: FormatQuery = None,
) -> Response | StaffOut:
    """Per employee, or per employee and shift: sales, orders, average ticket, discounts,
    refunds, voids and tips."""
    report = await staff.staff_report(
        session, principal, location_id=location_id, first=first, last=last, group_by=group_by
    )
    if not wants_csv(request, format):
        return report
    rows = [row.model_dump(mode="json", by_alias=True) for row in report.rows]
    totals = report.totals.model_dump(mode="json", by_alias=True)
    name = f"employees-{report.from_}-{report.to}-{group_by}.csv"
    return csv_response(name, columns_of([*rows, totals]), rows, totals)
