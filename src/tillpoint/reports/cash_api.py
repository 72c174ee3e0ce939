"""The cash report's route: JSON, or CSV with the same columns (``rows`` and a total line)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from tillpoint.core.deps import DbSession
from tillpoint.core.openapi import COMMON_ERRORS
from tillpoint.reports import cash
from tillpoint.reports.cash_schemas import CashFiguresOut, CashGroupBy, CashReportOut
from tillpoint.reports.deps import (
    CSV_CONTENT,
    FormatQuery,
    FromQuery,
    LocationQuery,
    ReportReader,
    ToQuery,
    model_columns,
    report_reply,
)

router = APIRouter(prefix="/v1", tags=["reports"], responses=COMMON_ERRORS)


@router.get(
    "/reports/cash",
    response_model=CashReportOut,
    responses={200: {"content": CSV_CONTENT}},
)
async def cash_report(
    request: Request,
    session: DbSession,
    principal: ReportReader,
    location_id: LocationQuery = None,
    first: FromQuery = None,
    last: ToQuery = None,
    group_by: Annotated[CashGroupBy, Query(alias="groupBy")] = "shift",
    format: FormatQuery = None,
) -> Any:
    """The cash drawers: per shift, per location and business day, or per location
    (``groupBy``), with each location's totals and the overall total (docs/api.md)."""
    report = await cash.cash_report(
        session, principal, location_id=location_id, first=first, last=last
    )
    view = cash.cash_report_out(report, group_by)
    columns = model_columns(cash.ROW_MODELS[group_by], CashFiguresOut)
    return report_reply(request, format, view, f"cash-{view.from_}-{view.to}.csv", columns)
