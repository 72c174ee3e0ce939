"""The inventory reports' routes: valuation as of a moment, stock movement over business days,
dead stock and low stock — JSON, or CSV with the same columns (``rows`` and a total line)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from tillpoint.core.deps import DbSession
from tillpoint.core.openapi import COMMON_ERRORS
from tillpoint.core.schemas import AwareDatetime
from tillpoint.reports import stock_alerts, stock_movement, valuation
from tillpoint.reports.deps import (
    CSV_CONTENT,
    FormatQuery,
    FromQuery,
    LocationQuery,
    ReportReader,
    ToQuery,
    csv_response,
    model_columns,
    wants_csv,
)
from tillpoint.reports.inventory_schemas import (
    DeadStockReportOut,
    DeadStockRowOut,
    LowStockReportOut,
    LowStockRowOut,
    MovementFiguresOut,
    MovementRowOut,
    StockMovementReportOut,
    ValuationFiguresOut,
    ValuationGroupBy,
    ValuationReportOut,
)

router = APIRouter(prefix="/v1", tags=["reports"], responses=COMMON_ERRORS)


@router.get(
    "/reports/inventory-valuation",
    response_model=ValuationReportOut,
    responses={200: {"content": CSV_CONTENT}},
)
async def inventory_valuation(
    request: Request,
    session: DbSession,
    principal: ReportReader,
    location_id: LocationQuery = None,
    as_of: Annotated[
        AwareDatetime | None, Query(alias="asOf", description="The moment (default now)")
    ] = None,
    group_by: Annotated[ValuationGroupBy, Query(alias="groupBy")] = "category",
    format: FormatQuery = None,
) -> Any:
    """Stock on hand and its value at cost as of ``asOf``, per location, per location and
    category, or per location and variant (docs/api.md)."""
    report = await valuation.inventory_valuation(
        session, principal, location_id=location_id, as_of=as_of
    )
    view = valuation.valuation_out(report, group_by)
    if not wants_csv(request, format):
        return view
    data = view.model_dump(mode="json", by_alias=True)
    columns = model_columns(valuation.ROW_MODELS[group_by], ValuationFiguresOut)
    stamp = data["asOf"][:10]
    return csv_response(f"inventory-valuation-{stamp}.csv", columns, data["rows"], data["totals"])


@router.get(
    "/reports/stock-movement",
    response_model=StockMovementReportOut,
    responses={200: {"content": CSV_CONTENT}},
)
async def stock_movement_report(
    request: Request,
    session: DbSession,
    principal: ReportReader,
    location_id: LocationQuery = None,
    first: FromQuery = None,
    last: ToQuery = None,
    format: FormatQuery = None,
) -> Any:
    """Per variant per location over the business days: opening, received, sold, returned,
    adjusted, counted, transferred in and out, closing (docs/api.md)."""
    report = await stock_movement.stock_movement(
        session, principal, location_id=location_id, first=first, last=last
    )
    view = stock_movement.stock_movement_out(report)
    if not wants_csv(request, format):
        return view
    data = view.model_dump(mode="json", by_alias=True)
    columns = model_columns(MovementRowOut, MovementFiguresOut)
    name = f"stock-movement-{view.from_}-{view.to}.csv"
    return csv_response(name, columns, data["rows"], data["totals"])


@router.get(
    "/reports/dead-stock",
    response_model=DeadStockReportOut,
    responses={200: {"content": CSV_CONTENT}},
)
async def dead_stock_report(
    request: Request,
    session: DbSession,
    principal: ReportReader,
    location_id: LocationQuery = None,
    days: Annotated[int, Query(ge=1, le=3660, description="No sale in this many days")] = 90,
    format: FormatQuery = None,
) -> Any:
    """Stock on hand that has not sold in ``days`` days, valued at today's cost."""
    view = await stock_alerts.dead_stock(session, principal, location_id=location_id, days=days)
    if not wants_csv(request, format):
        return view
    data = view.model_dump(mode="json", by_alias=True)
    columns = model_columns(DeadStockRowOut)
    totals = {"onHand": data["totals"]["onHand"], "value": data["totals"]["value"]}
    return csv_response(f"dead-stock-{days}-days.csv", columns, data["rows"], totals)


@router.get(
    "/reports/low-stock",
    response_model=LowStockReportOut,
    responses={200: {"content": CSV_CONTENT}},
)
async def low_stock_report(
    request: Request,
    session: DbSession,
    principal: ReportReader,
    location_id: LocationQuery = None,
    format: FormatQuery = None,
) -> Any:
    """Levels whose available quantity is at or below their reorder point."""
    view = await stock_alerts.low_stock(session, principal, location_id=location_id)
    if not wants_csv(request, format):
        return view
    data = view.model_dump(mode="json", by_alias=True)
    columns = model_columns(LowStockRowOut)
    return csv_response("low-stock.csv", columns, data["rows"])
