"""What the report routers share (a routing module: it sees HTTP): who may read reports or
export the books, and the choice between JSON and CSV (``format=csv`` or ``Accept: text/csv``;
the CSV streams)."""

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.deps import RequestCtx, requires

# The strict YYYY-MM-DD date promotions read already: a number is no date (pydantic alone
# would read ``to=0`` as 1970-01-01).
from tillpoint.promotions.schemas import LocalDate
from tillpoint.reports.csv_rows import CSV_MEDIA_TYPE, csv_lines
from tillpoint.reports.rollup import catch_up

ReportReader = Annotated[Principal, Depends(requires("reports:read"))]
AccountingExporter = Annotated[Principal, Depends(requires("accounting:export"))]


async def caught_up_session(ctx: RequestCtx, principal: ReportReader) -> AsyncSession:
    """The request's session, begun after the sales rollup caught up (ADR 0016): the report
    then holds every sale committed before the request. The session the request had (it may
    have read the principal already) is closed first, since a SQLite read transaction keeps
    the snapshot of its first read and would not see what the catch-up just wrote."""
    await catch_up(ctx.db, principal.tenant_id)
    await ctx.end_session()
    return ctx.get_session()


CaughtUpSession = Annotated[AsyncSession, Depends(caught_up_session)]

LocationQuery = Annotated[
    str | None, Query(alias="locationId", max_length=40, description="One location (default all)")
]
FromQuery = Annotated[LocalDate | None, Query(alias="from", description="First business day")]
ToQuery = Annotated[
    LocalDate | None, Query(alias="to", description="Last business day (default today)")
]

ReportFormat = Literal["json", "csv"]
FormatQuery = Annotated[
    ReportFormat | None,
    Query(description="`csv` for CSV with the same columns; also chosen by `Accept: text/csv`"),
]
# For a route's ``responses``: its 200 may be CSV as well as JSON.
CSV_CONTENT: dict[str, Any] = {"text/csv": {"schema": {"type": "string"}}}


def wants_csv(request: Request, format: ReportFormat | None) -> bool:
    """CSV when asked by ``format``, or by ``Accept`` when no format is given."""
    if format is not None:
        return format == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def csv_response(
    filename: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    totals: Mapping[str, Any] | None = None,
) -> StreamingResponse:
    """The report as a streamed CSV download."""

    async def body() -> AsyncIterator[str]:
        for chunk in csv_lines(columns, rows, totals):
            yield chunk

    return StreamingResponse(
        body(),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def model_columns(model: type[BaseModel], figures: type[BaseModel] | None = None) -> list[str]:
    """The row's JSON field names: its own (its keys) first, then those it shares with
    ``figures`` (the totals' model), so the total line's label falls on a key column."""
    shared = list(figures.model_fields) if figures is not None else []
    own = [name for name in model.model_fields if name not in shared]
    return [model.model_fields[name].alias or name for name in (*own, *shared)]
