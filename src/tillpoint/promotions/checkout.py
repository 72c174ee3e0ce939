"""Promotions at the till: which ones an order gets (``promotions_for``), and counting their
uses when the order completes (``count_uses``) or giving them back (``give_back_uses``).

Sales calls these with plain data (promotions sit below sales: ADR 0008). A use is counted by
one self-checking ``UPDATE … SET uses = uses + 1 WHERE uses < max_uses`` in the completing
transaction: parallel checkouts of a coupon limited to 5 uses wait for each other's row lock
(PostgreSQL) or the write lock (SQLite) and re-check the condition, so exactly 5 complete.
The per-customer limit is counted from the customer's counted redemptions after that UPDATE,
while its row lock is held, so it sees every use committed before it.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Table, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.categories import CategoryTree
from tillpoint.catalog.models import Product
from tillpoint.core.db import table_of, utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.ids import new_id
from tillpoint.core.money import RoundingMode
from tillpoint.promotions.codes import code_key
from tillpoint.promotions.engine import CartLine, Given, Offer, Outcome, apply_offers
from tillpoint.promotions.models import CouponCode, Promotion, PromotionRedemption
from tillpoint.promotions.rules import OrderFacts, refusal
from tillpoint.stores.models import Location

PROMOTIONS, COUPONS = table_of(Promotion), table_of(CouponCode)
REDEMPTIONS = table_of(PromotionRedemption)


@dataclass(frozen=True)
class OrderToPrice:
    """An order as the promotions see it; ``lines`` as they stand after their own discounts
    (their ``category_ids`` are filled here)."""

    tenant_id: str
    location_id: str
    source: str
    occurred_at: datetime
    customer_id: str | None
    coupon_codes: tuple[str, ...]
    lines: tuple[CartLine, ...]


@dataclass(frozen=True)
class Use:
    """A promotion (and code) a completing order used, and what it took off."""

    promotion_id: str
    coupon_id: str | None
    amount_minor: int


def offer_of(promotion: Promotion, coupon: CouponCode | None = None) -> Offer:
    return Offer(
        promotion_id=promotion.id,
        name=promotion.name,
        kind=promotion.kind,
        scope=promotion.scope,
        target_ids=frozenset(promotion.target_ids),
        percent=None if promotion.percent is None else Decimal(promotion.percent),
        amount_minor=promotion.amount_minor,
        buy_quantity=promotion.buy_quantity or 0,
        get_quantity=promotion.get_quantity or 0,
        min_cart_minor=promotion.min_cart_minor,
        exclusive=promotion.stacking == "exclusive",
        priority=promotion.priority,
        code=coupon.code if coupon else None,
        coupon_id=coupon.id if coupon else None,
    )


def _refuse(code: str, field: str) -> AppError:
    return AppError(code, details=[{"field": field, "message": code.lower().replace("_", " ")}])


async def _coupons(
    session: AsyncSession, codes: Sequence[str], strict: bool
) -> list[tuple[int, CouponCode, Promotion]]:
    """Each code entered with its coupon and promotion (``i``: its place in ``couponCodes``);
    an unknown code is 404 COUPON_NOT_FOUND when ``strict``, else left out."""
    keys = {code_key(code): i for i, code in reversed(list(enumerate(codes)))}
    if not keys:
        return []
    stmt = (
        select(CouponCode, Promotion)
        .join(Promotion, Promotion.id == CouponCode.promotion_id)
        .where(CouponCode.code_key.in_(sorted(keys)))
    )
    found = {c.code_key: (c, p) for c, p in (await session.execute(stmt)).all()}
    result = []
    seen: set[str] = set()
    for key, i in sorted(keys.items(), key=lambda item: item[1]):
        if key not in found:
            if strict:
                raise _refuse("COUPON_NOT_FOUND", f"couponCodes[{i}]")
            continue
        coupon, promotion = found[key]
        if promotion.id in seen:
            if strict:
                raise _refuse("DISCOUNT_NOT_COMBINABLE", f"couponCodes[{i}]")
            continue
        seen.add(promotion.id)
        result.append((i, coupon, promotion))
    return result


async def _customer_uses(
    session: AsyncSession, customer_id: str | None, promotions: Sequence[Promotion]
) -> dict[str, int]:
    limited = sorted(p.id for p in promotions if p.max_uses_per_customer is not None)
    if customer_id is None or not limited:
        return {}
    stmt = (
        select(PromotionRedemption.promotion_id, func.count())
        .where(
            PromotionRedemption.customer_id == customer_id,
            PromotionRedemption.status == "counted",
            PromotionRedemption.promotion_id.in_(limited),
        )
        .group_by(PromotionRedemption.promotion_id)
    )
    return {pid: int(n) for pid, n in (await session.execute(stmt)).all()}


async def _with_categories(
    session: AsyncSession, lines: Sequence[CartLine]
) -> tuple[CartLine, ...]:
    product_ids = sorted({line.product_id for line in lines})
    stmt = select(Product.id, Product.category_id).where(Product.id.in_(product_ids))
    category_of = dict((await session.execute(stmt)).all())
    tree = await CategoryTree.load(session)
    return tuple(
        replace(line, category_ids=frozenset(tree.ancestors(category_of.get(line.product_id))))
        for line in lines
    )


async def promotions_for(
    session: AsyncSession,
    order: OrderToPrice,
    *,
    customer_has_orders: Callable[[], Awaitable[bool]],
    strict: bool,
    rounding: RoundingMode,
) -> tuple[Given, ...]:
    """The promotions ``order`` gets, each with what it takes off each line.

    Automatic promotions apply where their rules allow and are otherwise passed over. A coupon
    code that cannot apply is refused with the rule's error when ``strict`` (the request
    entered it: create, calculate, or a change of ``couponCodes``); otherwise (a line edit) it
    stays on the order and gives nothing until the order fits it again."""
    automatic = list(
        (
            await session.execute(
                select(Promotion).where(
                    Promotion.trigger == "automatic",
                    Promotion.archived_at.is_(None),
                    Promotion.active.is_(True),
                )
            )
        ).scalars()
    )
    coupons = await _coupons(session, order.coupon_codes, strict)
    if not automatic and not coupons:
        return ()
    zone = (
        await session.execute(select(Location.timezone).where(Location.id == order.location_id))
    ).scalar_one()
    first_order_rule = any(p.first_order_only for p in automatic) or any(
        p.first_order_only for _, _, p in coupons
    )
    facts = OrderFacts(
        location_id=order.location_id,
        source=order.source,
        local_time=order.occurred_at.astimezone(ZoneInfo(zone)),
        customer_id=order.customer_id,
        customer_has_orders=bool(order.customer_id and first_order_rule)
        and await customer_has_orders(),
    )
    uses = await _customer_uses(
        session, order.customer_id, [*automatic, *(p for _, _, p in coupons)]
    )
    offers = [
        offer_of(p) for p in automatic if refusal(p, facts, customer_uses=uses.get(p.id, 0)) is None
    ]
    fields: dict[str, str] = {}
    for i, coupon, promotion in coupons:
        refused = refusal(
            promotion,
            facts,
            customer_uses=uses.get(promotion.id, 0),
            coupon_uses=coupon.uses,
            coupon_max_uses=coupon.max_uses,
        )
        if refused is None:
            offers.append(offer_of(promotion, coupon))
            fields[coupon.id] = f"couponCodes[{i}]"
        elif strict:
            raise _refuse(refused, f"couponCodes[{i}]")
    if not offers:
        return ()
    lines = order.lines
    if any(o.scope == "category" for o in offers):
        lines = await _with_categories(session, lines)
    outcome = apply_offers(lines, offers, rounding)
    if strict:
        _check_coupons(outcome, fields)
    return outcome.given


def _check_coupons(outcome: Outcome, fields: dict[str, str]) -> None:
    """Refuse an entered coupon that the cart does not fit (``strict`` pricing)."""
    refused: list[tuple[str, tuple[Offer, ...]]] = [
        ("DISCOUNT_MIN_CART_AMOUNT_INSUFFICIENT", outcome.below_minimum),
        ("DISCOUNT_NOT_APPLICABLE", outcome.out_of_scope + outcome.empty),
        ("DISCOUNT_NOT_COMBINABLE", outcome.not_combinable),
        (
            "ORDER_AMOUNT_INSUFFICIENT_AFTER_DISCOUNT_APPLIED",
            tuple(g.offer for g in outcome.given if g.capped),
        ),
    ]
    for code, offers in refused:
        for offer in offers:
            if offer.coupon_id is not None:
                raise _refuse(code, fields[offer.coupon_id])


async def _take_use(
    session: AsyncSession, table: Table, tenant_id: str, row_id: str
) -> Row[Any] | None:
    """One more use of a promotion or code, unless it has none left (then None): one
    self-checking UPDATE, whose row stays locked to COMMIT."""
    taken = await session.execute(
        update(table)
        .where(
            table.c.tenant_id == tenant_id,
            table.c.id == row_id,
            or_(table.c.max_uses.is_(None), table.c.uses < table.c.max_uses),
        )
        .values(uses=table.c.uses + 1)
        .returning(
            *[c for c in table.c if c.name in ("id", "max_uses_per_customer", "first_order_only")]
        )
    )
    return taken.first()


async def _give_use(session: AsyncSession, table: Table, tenant_id: str, row_id: str) -> None:
    await session.execute(
        update(table)
        .where(table.c.tenant_id == tenant_id, table.c.id == row_id, table.c.uses > 0)
        .values(uses=table.c.uses - 1)
    )


async def _customer_uses_now(
    session: AsyncSession, tenant_id: str, promotion_id: str, customer_id: str
) -> int:
    used = await session.execute(
        select(func.count())
        .select_from(REDEMPTIONS)
        .where(
            REDEMPTIONS.c.tenant_id == tenant_id,
            REDEMPTIONS.c.promotion_id == promotion_id,
            REDEMPTIONS.c.customer_id == customer_id,
            REDEMPTIONS.c.status == "counted",
        )
    )
    return int(used.scalar_one())


async def count_uses(
    session: AsyncSession,
    tenant_id: str,
    order_id: str,
    customer_id: str | None,
    uses: Sequence[Use],
    customer_has_orders: Callable[[], Awaitable[bool]],
) -> None:
    """Count a completing order's uses: promotions in id order, each with its code, by
    self-checking UPDATEs; 400 DISCOUNT_MAX_USAGES_REACHED_LIMIT if a limit was reached (the
    caller's transaction then rolls back, giving back what was counted). The customer's own
    limit, and a first-order promotion's rule (400 DISCOUNT_ONLY_ALLOW_FIRST_ORDER when the
    customer completed another order since this one was priced), are checked after the
    promotion's row is locked, so they see every order that used it committed before."""
    now = utcnow()
    for use in sorted(uses, key=lambda u: (u.promotion_id, u.coupon_id or "")):
        promotion = await _take_use(session, PROMOTIONS, tenant_id, use.promotion_id)
        if promotion is None:
            raise _refuse("DISCOUNT_MAX_USAGES_REACHED_LIMIT", "couponCodes")
        coupon_left = use.coupon_id is None or await _take_use(
            session, COUPONS, tenant_id, use.coupon_id
        )
        if not coupon_left:
            raise _refuse("DISCOUNT_MAX_USAGES_REACHED_LIMIT", "couponCodes")
        limit = promotion.max_uses_per_customer
        if limit is not None and customer_id is not None:
            used = await _customer_uses_now(session, tenant_id, use.promotion_id, customer_id)
            if used >= limit:
                raise _refuse("DISCOUNT_MAX_USAGES_REACHED_LIMIT", "customerId")
        if promotion.first_order_only and customer_id is not None and await customer_has_orders():
            raise _refuse("DISCOUNT_ONLY_ALLOW_FIRST_ORDER", "customerId")
        await session.execute(
            REDEMPTIONS.insert().values(
                tenant_id=tenant_id,
                id=new_id("promotion_redemption"),
                promotion_id=use.promotion_id,
                coupon_id=use.coupon_id,
                order_id=order_id,
                customer_id=customer_id,
                amount_minor=use.amount_minor,
                status="counted",
                created_at=now,
                released_at=None,
            )
        )


async def give_back_uses(session: AsyncSession, tenant_id: str, order_id: str) -> None:
    """A voided or fully refunded order's uses no longer count (each once)."""
    released = (
        await session.execute(
            update(REDEMPTIONS)
            .where(
                REDEMPTIONS.c.tenant_id == tenant_id,
                REDEMPTIONS.c.order_id == order_id,
                REDEMPTIONS.c.status == "counted",
            )
            .values(status="released", released_at=utcnow())
            .returning(REDEMPTIONS.c.promotion_id, REDEMPTIONS.c.coupon_id)
        )
    ).all()
    for promotion_id, coupon_id in sorted(released, key=lambda r: (r[0], r[1] or "")):
        await _give_use(session, PROMOTIONS, tenant_id, promotion_id)
        if coupon_id is not None:
            await _give_use(session, COUPONS, tenant_id, coupon_id)
