"""Register shifts: open with a float, paid in and out, close with the counted cash."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.sales.models import Shift


async def current_shift(session: AsyncSession, register_id: str, *, lock: bool) -> Shift | None:
    """The register's open shift, or None. With ``lock`` the shift row is locked until commit:
    a payment or refund that takes it and the shift's close are serialised, so each lands in
    exactly one shift, whatever their timestamps."""
    stmt = select(Shift).where(Shift.open_register_id == register_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
