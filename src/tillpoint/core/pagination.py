"""Page/pageSize pagination with updatedFrom/updatedTo, a total, and a stable order."""

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.schemas import ApiModel, AwareDatetime

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class Page(ApiModel, Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int


@dataclass(frozen=True)
class PageParams:
    page: int
    page_size: int
    updated_from: AwareDatetime | None
    updated_to: AwareDatetime | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def filter_updated(self, stmt: Select[Any], column: Any) -> Select[Any]:
        if self.updated_from is not None:
            stmt = stmt.where(column >= self.updated_from)
        if self.updated_to is not None:
            stmt = stmt.where(column < self.updated_to)
        return stmt

    def page_of(self, items: list[Any], total: int) -> dict[str, Any]:
        return {"items": items, "page": self.page, "page_size": self.page_size, "total": total}


async def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE)] = 50,
    updated_from: Annotated[AwareDatetime | None, Query(alias="updatedFrom")] = None,
    updated_to: Annotated[AwareDatetime | None, Query(alias="updatedTo")] = None,
) -> PageParams:
    return PageParams(page, page_size, updated_from, updated_to)


Pagination = Annotated[PageParams, Depends(page_params)]


def _count(stmt: Select[Any]) -> Select[Any]:
    """``SELECT count(*)`` over what ``stmt`` selects (filters included, no order, no page)."""
    return select(func.count()).select_from(stmt.order_by(None).subquery())


async def paginate(
    session: AsyncSession, stmt: Select[Any], *order_by: Any, offset: int, limit: int
) -> tuple[list[Any], int]:
    """One page of ``stmt`` in ``order_by`` order (end it with the id for ties), and the total.

    One round trip: the total rides along as a scalar subquery. Only a
    page past the end, which has no row to carry it, costs a second query.
    """
    # The total is a scalar subquery ``(SELECT count(*) FROM (…filtered…))``, which the
    # database counts once over the matching keys — not a window ``count(*) OVER ()``, which
    # makes it build and keep every matching row (at 40,000 products it spilled to disk).
    total = _count(stmt).scalar_subquery().label("total")
    page = stmt.add_columns(total).order_by(*order_by).offset(offset).limit(limit)
    rows = (await session.execute(page)).all()
    if rows:
        return [row[0] for row in rows], int(rows[0][-1])
    return [], int((await session.execute(_count(stmt))).scalar_one())
