"""The demo tenant's sales history: 30 business days at both locations, through the real
sales services — shifts opened with a float and closed with the counted cash, orders with
mixed tenders, discounts and café tips, refunds, voids, exchanges, paid-in and paid-out.

The plan comes from ``demo.sales_plan`` (``random.Random(seed)``). One transaction per location
and day keeps memory bounded. The services stamp payments, refunds, shifts and completions with
the current time; the history is moved onto its business day afterwards (``Backdates``, demo
only). Today the shop's front counter is still open, with a parked order on it.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import Database, utcnow
from tillpoint.core.money import from_thousandths
from tillpoint.core.transactions import transaction
from tillpoint.demo.gift_cards import GiftCardDesk, GiftCardTill, gift_card_moments
from tillpoint.demo.sales_context import Backdates, Sold, load_stores
from tillpoint.demo.sales_plan import (
    CAFE_REFUND_REASONS,
    REFUND_REASONS,
    CashMove,
    DayPlan,
    Return,
    Sale,
    Sellable,
    Store,
    card,
    counted_cash,
    payments_for,
    plan_day,
    plan_sale,
)
from tillpoint.inventory.models import StockLevel
from tillpoint.inventory.schemas import AdjustmentIn, AdjustmentItemIn
from tillpoint.inventory.service import create_adjustment
from tillpoint.sales import orders, payments
from tillpoint.sales.models import Order, Payment, Refund, Shift, ShiftCashMovement
from tillpoint.sales.refunds import exchanges, voids
from tillpoint.sales.refunds import service as refunds
from tillpoint.sales.schemas import (
    ExchangeIn,
    LineItemIn,
    OrderIn,
    OrderOut,
    RefundIn,
    RefundLineIn,
    VoidIn,
)
from tillpoint.sales.shifts import service as shifts
from tillpoint.sales.shifts.schemas import CashMovementIn, ShiftCloseIn, ShiftOpenIn

DAYS = 30
CUSTOMER_SHARE = 0.35


@dataclass
class Day:
    """One location's business day being carried out, in one transaction."""

    session: AsyncSession
    owner: Principal
    store: Store
    day: date
    rng: random.Random
    pool: list[Sold]
    items: dict[str, Sellable]
    backdates: Backdates = field(default_factory=Backdates)
    shifts: dict[str, Shift] = field(default_factory=dict)
    parked: list[tuple[str, datetime]] = field(default_factory=list)
    # Who buys: a third of the sales name one of the demo's customers, drawn from a random
    # source of their own so the day's plan stays the same with or without customers.
    customers: Sequence[str] = ()
    who: random.Random = field(default_factory=lambda: random.Random(11))


async def _restock(day: Day, plan: DayPlan, at: datetime) -> None:
    """Deliveries before opening for whatever the day will sell beyond the shelf (the café does
    not sell into negative stock). Drinks made to order have no non-stock flag yet, so the
    bar's day is booked in as prepared."""
    needs = plan.needs()
    stmt = select(StockLevel.variant_id, StockLevel.on_hand_milli).where(
        StockLevel.location_id == day.store.location_id, StockLevel.variant_id.in_(needs)
    )
    on_hand = {v: from_thousandths(q) for v, q in await day.session.execute(stmt)}
    deliveries: dict[bool, list[AdjustmentItemIn]] = {True: [], False: []}
    for variant_id, need in sorted(needs.items()):
        item = day.items[variant_id]
        left = on_hand.get(variant_id, Decimal(0)) - need
        if item.kind == "drink":
            if left < 0:
                deliveries[True].append(AdjustmentItemIn(sku=item.sku, delta_quantity=-left))
        elif left < 1:
            extra = Decimal(10) if item.kind == "weight" else Decimal(day.rng.randint(6, 18))
            deliveries[False].append(AdjustmentItemIn(sku=item.sku, delta_quantity=extra - left))
    for bar, lines in deliveries.items():
        if lines:
            await create_adjustment(
                day.session,
                day.owner,
                AdjustmentIn(
                    location_id=day.store.location_id,
                    reason="other" if bar else "received",
                    items=lines,
                    notes="Bar prep: drinks made to order" if bar else "Morning delivery",
                    occurred_at=at,
                ),
            )


async def _open_shifts(day: Day, registers: tuple[str, ...], at: datetime) -> None:
    for register_id in registers:
        register = await shifts.get_shift_register(day.session, day.owner, register_id)
        opened = await shifts.open_shift(
            day.session, day.owner, register, ShiftOpenIn(opening_float=day.store.opening_float)
        )
        day.shifts[register_id] = await shifts.get_shift(day.session, register, opened.shift_id)
        day.backdates.set(Shift, opened.shift_id, opened_at=at, created_at=at, updated_at=at)


async def _close_shifts(day: Day, at: datetime) -> None:
    for _register_id, shift in day.shifts.items():
        report = await shifts.shift_report(day.session, day.owner, shift)
        counted = counted_cash(day.rng, report.expected_cash)
        note = "" if counted == report.expected_cash else "Recounted twice"
        await shifts.close_shift(
            day.session, day.owner, shift, ShiftCloseIn(counted_cash=counted, notes=note)
        )
        at += timedelta(minutes=3)
        day.backdates.set(
            Shift,
            shift.id,
            closed_at=at,
            updated_at=at,
            report={**shift.report, "generatedAt": at.isoformat()},
        )


def _completed(day: Day, out: OrderOut, occurred_at: datetime, at: datetime) -> None:
    """Backdate a completed order (paid at ``at``) and its payments; customers may return its
    goods on a later day."""
    day.backdates.set(Order, out.order_id, occurred_at=occurred_at, completed_at=at, updated_at=at)
    for payment in out.payments:
        day.backdates.set(Payment, payment.payment_id, created_at=at)
    lines = [
        (line.line_item_id, line.variant_id, Decimal(str(line.quantity)), line.quantity % 1 == 0)
        for line in out.line_items
    ]
    day.pool.append(Sold(out.order_id, day.day, lines))


async def _sell(day: Day, sale: Sale) -> None:
    session, owner, store = day.session, day.owner, day.store
    created, _ = await orders.create_order(
        session,
        owner,
        OrderIn(
            location_id=store.location_id,
            register_id=sale.register_id,
            employee_id=sale.employee_id,
            occurred_at=sale.at,
            line_items=sale.lines,
            discounts=sale.discounts,
            tip=sale.tip,
            customer_id=day.who.choice(day.customers)
            if day.customers and day.who.random() < CUSTOMER_SHARE
            else None,
        ),
    )
    out = created.model
    day.backdates.set(Order, out.order_id, created_at=sale.at, updated_at=sale.at)
    if sale.then in ("park", "keep_open"):
        if sale.then == "park":
            day.parked.append((out.order_id, sale.at))
        return
    for tender in payments_for(day.rng, sale.tender, Decimal(str(out.totals.balance_due))):
        out = (await payments.add_payment(session, owner, out.order_id, tender)).model.order
    paid_at = sale.at + timedelta(seconds=day.rng.randint(30, 150))
    if sale.then != "void":
        _completed(day, out, sale.at, paid_at)
        return
    for payment in out.payments:
        day.backdates.set(Payment, payment.payment_id, created_at=paid_at)
    voided_at = paid_at + timedelta(minutes=day.rng.randint(3, 12))
    reason = day.rng.choice(["Rung up twice", "Customer changed their mind at the till"])
    await voids.void_order(session, owner, out.order_id, VoidIn(reason=reason))
    day.backdates.set(
        Order, out.order_id, completed_at=paid_at, voided_at=voided_at, updated_at=voided_at
    )
    day.backdates.movements.append((out.order_id, "void", voided_at))


def _returnable(day: Day) -> list[Sold]:
    return [
        sold
        for sold in day.pool
        if sold.day < day.day
        and (day.day - sold.day).days <= 14
        and any(left > 0 for _, _, left, _ in sold.lines)
    ]


def _siblings(day: Day, variant_id: str) -> list[str]:
    product_id = day.items[variant_id].product_id
    return [v for v, i in day.items.items() if i.product_id == product_id and v != variant_id]


def _take(sold: Sold, line_id: str, quantity: Decimal) -> None:
    sold.lines = [
        (i, v, left - quantity if i == line_id else left, unit) for i, v, left, unit in sold.lines
    ]


async def _exchange(day: Day, action: Return) -> bool:
    """A size or colour swapped for another of the same product; False if nothing fits."""
    rng = day.rng
    choices = [
        (sold, line_id, variant_id)
        for sold in _returnable(day)
        for line_id, variant_id, left, unit in sold.lines
        if unit and left >= 1 and _siblings(day, variant_id)
    ]
    if not choices:
        return False
    sold, line_id, variant_id = rng.choice(choices)
    made = await exchanges.exchange(
        day.session,
        day.owner,
        sold.order_id,
        ExchangeIn(
            returned=[RefundLineIn(line_item_id=line_id, quantity=Decimal(1))],
            new_line_items=[LineItemIn(variant_id=rng.choice(_siblings(day, variant_id)))],
            reason="Exchanged for another size or colour",
            register_id=action.register_id,
        ),
    )
    _take(sold, line_id, Decimal(1))
    out = made.order
    due = Decimal(str(out.totals.balance_due))
    if due > 0:
        out = (
            await payments.add_payment(day.session, day.owner, out.order_id, card(rng, due))
        ).model.order
    day.backdates.set(Refund, made.refund.refund_id, created_at=action.at)
    day.backdates.movements.append((made.refund.refund_id, "refund", action.at))
    day.backdates.movements.append((out.order_id, "sale", action.at))
    day.backdates.set(Order, sold.order_id, updated_at=action.at)
    day.backdates.set(Order, out.order_id, created_at=action.at)
    _completed(day, out, action.at, action.at + timedelta(minutes=1))
    return True


async def _return(day: Day, action: Return) -> None:
    """A refund of an earlier order at this store: all of it, or one line or one piece."""
    rng = day.rng
    if action.exchange and await _exchange(day, action):
        return
    candidates = _returnable(day)
    if not candidates:
        return
    sold = rng.choice(candidates)
    left = [(line_id, qty, unit) for line_id, _, qty, unit in sold.lines if qty > 0]
    if rng.random() >= 0.45:
        line_id, qty, unit = rng.choice(left)
        left = [(line_id, Decimal(1) if unit else qty, unit)]
    reason = rng.choice(CAFE_REFUND_REASONS if day.store.cafe else REFUND_REASONS)
    # Food and drink never go back on the shelf; a damaged item neither.
    damaged = not day.store.cafe and rng.random() < 0.2
    refund = await refunds.refund_order(
        day.session,
        day.owner,
        sold.order_id,
        RefundIn(
            line_items=[
                RefundLineIn(line_item_id=i, quantity=q, restock=not (day.store.cafe or damaged))
                for i, q, _ in left
            ],
            reason="Damaged" if damaged else reason,
            register_id=action.register_id,
        ),
    )
    for line_id, quantity, _ in left:
        _take(sold, line_id, quantity)
    day.backdates.set(Refund, refund.refund_id, created_at=action.at)
    day.backdates.movements.append((refund.refund_id, "refund", action.at))
    day.backdates.set(Order, sold.order_id, updated_at=action.at)


async def _cash_move(day: Day, action: CashMove) -> None:
    moved = await shifts.add_cash_movement(
        day.session,
        day.owner,
        day.shifts[action.register_id],
        CashMovementIn(kind=action.kind, amount=action.amount, reason=action.reason),
    )
    day.backdates.set(ShiftCashMovement, moved.cash_movement_id, created_at=action.at)


async def _run_day(
    db: Database,
    owner: Principal,
    store: Store,
    business_day: date,
    history: tuple[random.Random, list[Sold], dict[str, Sellable]],
    *,
    live_until: datetime | None = None,
    customers: Sequence[str] = (),
    gift_cards: GiftCardDesk | None = None,
) -> None:
    """A business day at one store in one transaction; with ``live_until`` (today) only the
    first register works, its shift stays open and a parked order waits on it. With
    ``gift_cards``, past days at the shop sell and spend gift cards too."""
    rng, pool, items = history
    registers = tuple(r for r, _, _ in store.registers)
    if live_until is not None:
        registers = registers[:1]
    plan = plan_day(rng, store, business_day, registers=registers, until=live_until)
    opened = store.at(business_day, store.opens) - timedelta(minutes=15)
    if live_until is not None:
        opened = min(opened, live_until - timedelta(minutes=10))
        plan.actions.append(plan_sale(rng, store, live_until, registers[0], then="keep_open"))
    async with transaction(db, tenant_id=owner.tenant_id) as session:
        day = Day(session, owner, store, business_day, rng, pool, items)
        day.customers, day.who = customers, random.Random(f"{store.location_id}{business_day}")
        await _restock(day, plan, opened - timedelta(minutes=30))
        await _open_shifts(day, registers, opened)
        for action in plan.actions:
            if isinstance(action, Sale):
                await _sell(day, action)
            elif isinstance(action, Return):
                await _return(day, action)
            else:
                await _cash_move(day, action)
        closing = store.at(business_day, store.closes)
        if gift_cards is not None and live_until is None and not store.cafe:
            last = max((a.at for a in plan.actions), default=opened)
            till = GiftCardTill(session, owner, store, last, closing, day.backdates)
            await gift_card_moments(gift_cards, till)
        for order_id, _ in day.parked:
            await voids.void_order(
                session, owner, order_id, VoidIn(reason="Parked and never paid; cleared at close")
            )
            day.backdates.set(Order, order_id, voided_at=closing, updated_at=closing)
        if live_until is None:
            await _close_shifts(day, closing + timedelta(minutes=5))
        await day.backdates.apply(session, owner.tenant_id)


async def seed_sales(
    db: Database,
    owner: Principal,
    *,
    shop_id: str,
    cafe_id: str,
    days: int = DAYS,
    seed: int = 7,
    customers: Sequence[str] = (),
    gift_cards: GiftCardDesk | None = None,
) -> None:
    """``days`` business days of history at both locations, then today's open shift at the
    shop's front counter."""
    rng = random.Random(seed)
    async with db.session(tenant_id=owner.tenant_id, read_only=True) as session:
        stores = await load_stores(session, shop_id, cafe_id)
    pools: dict[str, list[Sold]] = {shop_id: [], cafe_id: []}
    items = {i.variant_id: i for s in stores.values() for i in s.items}
    now = utcnow()
    today = {k: now.astimezone(ZoneInfo(s.timezone)).date() for k, s in stores.items()}
    for back in range(days, 0, -1):
        for location_id, store in stores.items():
            history = (rng, pools[location_id], items)
            day = today[location_id] - timedelta(days=back)
            await _run_day(
                db, owner, store, day, history, customers=customers, gift_cards=gift_cards
            )
    history = (rng, pools[shop_id], items)
    await _run_day(
        db,
        owner,
        stores[shop_id],
        today[shop_id],
        history,
        live_until=now - timedelta(minutes=2),
        customers=customers,
    )
