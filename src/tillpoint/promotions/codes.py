"""Coupon codes of a promotion: one given code, or a batch of unique generated ones.

Codes are case-insensitive and unique per tenant: each is stored with its key (upper case),
which a unique constraint guards, so two batches racing for one code cannot both keep it.
"""

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError, field_error
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.promotions.models import CouponCode, Promotion
from tillpoint.promotions.schemas import CouponCodeOut, CouponCodesIn, CouponCodesOut
from tillpoint.promotions.service import get_promotion

# No 0/O, 1/I/L: read aloud or typed from paper without doubt.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def code_key(code: str) -> str:
    return code.strip().upper()


def coupon_out(coupon: CouponCode) -> CouponCodeOut:
    return CouponCodeOut(
        coupon_id=coupon.id,
        promotion_id=coupon.promotion_id,
        code=coupon.code,
        max_uses=coupon.max_uses,
        uses=coupon.uses,
        created_at=coupon.created_at,
    )


def _generated(prefix: str, length: int) -> str:
    return code_key(prefix) + "".join(secrets.choice(ALPHABET) for _ in range(length))


async def _taken(session: AsyncSession, keys: set[str]) -> set[str]:
    stmt = select(CouponCode.code_key).where(CouponCode.code_key.in_(sorted(keys)))
    return set((await session.execute(stmt)).scalars())


async def _new_keys(session: AsyncSession, data: CouponCodesIn) -> list[str]:
    if data.code is not None:
        key = code_key(data.code)
        if await _taken(session, {key}):
            raise AppError(
                "ALREADY_EXISTS", details=[{"field": "code", "message": "this code is taken"}]
            )
        return [key]
    assert data.count is not None
    keys: set[str] = set()
    for _ in range(10):  # a clash needs a retry only when the code space is nearly full
        while len(keys) < data.count:
            keys.add(_generated(data.prefix, data.length))
        keys -= await _taken(session, keys)
        if len(keys) == data.count:
            return sorted(keys)
    raise field_error("length", "too few unused codes of this length; make them longer")


async def create_codes(
    session: AsyncSession, principal: Principal, promotion_id: str, data: CouponCodesIn
) -> CouponCodesOut:
    promotion = await get_promotion(session, promotion_id)
    if (data.code is None) == (data.count is None):
        raise field_error("code", "give exactly one of code and count")
    if promotion.trigger != "coupon":
        raise AppError("INVALID_STATUS", "Only a coupon promotion has codes.")
    if promotion.archived_at is not None:
        raise AppError("INVALID_STATUS", "An archived promotion cannot get codes.")
    keys = await _new_keys(session, data)
    # A generated code is for one customer: used once unless told otherwise.
    max_uses = data.max_uses if data.max_uses is not None or data.code else 1
    now = utcnow()
    coupons = [
        CouponCode(
            tenant_id=principal.tenant_id,
            id=new_id("coupon"),
            promotion_id=promotion.id,
            code=key,
            code_key=key,
            max_uses=max_uses,
            uses=0,
            created_at=now,
            updated_at=now,
        )
        for key in keys
    ]
    try:
        async with session.begin_nested():
            session.add_all(coupons)
            await session.flush()
    except IntegrityError:
        raise AppError(
            "ALREADY_EXISTS", details=[{"field": "code", "message": "a code was just taken"}]
        ) from None
    out = CouponCodesOut(promotion_id=promotion.id, codes=[coupon_out(c) for c in coupons])
    record_event(
        session,
        "promotion.codes_created",
        out.model_dump(mode="json", by_alias=True),
        subject_id=promotion.id,
    )
    return out


async def list_codes(
    session: AsyncSession, promotion_id: str, params: PageParams
) -> tuple[list[CouponCodeOut], int]:
    promotion: Promotion = await get_promotion(session, promotion_id)
    stmt = params.filter_updated(
        select(CouponCode).where(CouponCode.promotion_id == promotion.id), CouponCode.updated_at
    )
    rows, total = await paginate(
        session, stmt, CouponCode.id, offset=params.offset, limit=params.page_size
    )
    return [coupon_out(row) for row in rows], total
