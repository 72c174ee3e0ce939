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
    csv_response,
    wants_csv,
)

router = APIRouter(prefix="/v1", tags=["reports"], responses=COMMON_ERRORS)


def row_columns(model: type[CashFiguresOut]) -> list[str]:
    """The row's own columns (its keys) first, then the drawer figures every row shares."""
    figures = list(CashFiguresOut.model_fields)
    own = [name for name in model.model_fields if name not in figures]
    return [model.model_fields[name].alias or name for name in (*own, *figures)]


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
    if not wants_csv(request, format):
        return view
    data = view.model_dump(mode="json", by_alias=True)
    return csv_response(
        f"cash-{view.from_}-{view.to}.csv",
        row_columns(cash.ROW_MODELS[group_by]),
        data["rows"],
        data["totals"],
    )
