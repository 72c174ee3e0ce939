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


async def paginate(
    session: AsyncSession, stmt: Select[Any], *order_by: Any, offset: int, limit: int
) -> tuple[list[Any], int]:
    """One page of ``stmt`` in ``order_by`` order (end it with the id for ties), and the total.

    One query: the total rides along as a window count. Only a page past the end, which has no
    row to carry it, costs a second query.
    """
    counted = stmt.add_columns(func.count().over().label("total"))
    rows = (await session.execute(counted.order_by(*order_by).offset(offset).limit(limit))).all()
    if rows:
        return [row[0] for row in rows], int(rows[0][-1])
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    return [], int(total)
