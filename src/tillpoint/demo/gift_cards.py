"""The demo's gift cards in use: on some business days at the shop a customer buys a physical
gift card, and on others someone spends part of one bought earlier (the rest of the basket on
a card) — real orders through the sales services, so the cards' ledgers, the gift_card tender
and the shift reports show them.

It draws from a random source of its own, so the day's plan (and with it the rest of the
history) is the same with or without gift cards.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.schemas import ProductIn
from tillpoint.catalog.service import create_product
from tillpoint.core.auth import Principal
from tillpoint.demo.catalog_data import IMAGES
from tillpoint.demo.sales_context import Backdates
from tillpoint.demo.sales_plan import Store, card, plan_sale
from tillpoint.giftcards.codes import CodeGuard, generate_code
from tillpoint.sales import orders, payments
from tillpoint.sales.models import Order, Payment
from tillpoint.sales.schemas import LineItemIn, OrderIn, OrderOut, PaymentIn

GIFT_CARD_SKU = "HV-GFT-0001"
CARD_VALUES = (Decimal(25), Decimal(50), Decimal(50), Decimal(75), Decimal(100))
SELL_CHANCE = 0.35  # a day on which someone buys a card
SPEND_CHANCE = 0.6  # a day on which someone spends one


@dataclass
class GiftCardDesk:
    """The shop's gift card product and the cards sold so far (code and what is left on it)."""

    sku: str
    guard: CodeGuard
    rng: random.Random = field(default_factory=lambda: random.Random(23))
    cards: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class GiftCardTill:
    """Where and when the day's gift card moments happen: between the day's last planned
    sale and the close, so receipt numbers keep the order of the day."""

    session: AsyncSession
    owner: Principal
    store: Store
    opens: datetime
    closes: datetime
    backdates: Backdates


async def gift_card_product(session: AsyncSession, owner: Principal) -> str:
    """The shop's gift card (any value: the line names it); its sku."""
    await create_product(
        session,
        owner,
        ProductIn(
            name="Harbor & Vine gift card",
            description="A physical gift card, loaded with the amount the customer chooses.",
            sku=GIFT_CARD_SKU,
            price=Decimal(50),
            tax_class="exempt",
            gift_card=True,
            images=[IMAGES.format("gift-card")],
        ),
    )
    return GIFT_CARD_SKU


async def gift_card_moments(desk: GiftCardDesk, till: GiftCardTill) -> None:
    """Maybe a card sold, maybe one spent in part, at random times of the business day."""
    rng = desk.rng
    span = int((till.closes - till.opens).total_seconds())
    if rng.random() < SELL_CHANCE:
        at = till.opens + timedelta(seconds=rng.randrange(span))
        await _sell_card(desk, till, at)
    spendable = [i for i, (_, left) in enumerate(desk.cards) if left > 0]
    if spendable and rng.random() < SPEND_CHANCE:
        at = till.opens + timedelta(seconds=rng.randrange(span))
        await _spend_card(desk, till, rng.choice(spendable), at)


async def _sell_card(desk: GiftCardDesk, till: GiftCardTill, at: datetime) -> None:
    code, value = generate_code(), desk.rng.choice(CARD_VALUES)
    line = LineItemIn(sku=desk.sku, quantity=Decimal(1), unit_price=value, gift_card_code=code)
    order_id = (await _ring_up(desk, till, at, [line])).order_id
    paid = await payments.add_payment(till.session, till.owner, order_id, card(desk.rng, value))
    _backdate(till, order_id, [paid.model.payment.payment_id], at)
    desk.cards.append((code, value))


async def _ring_up(
    desk: GiftCardDesk,
    till: GiftCardTill,
    at: datetime,
    lines: list[LineItemIn],
    employee_id: str | None = None,
) -> OrderOut:
    """An open order of these lines at the shop's front counter."""
    created, _ = await orders.create_order(
        till.session,
        till.owner,
        OrderIn(
            location_id=till.store.location_id,
            register_id=till.store.registers[0][0],
            employee_id=employee_id,
            occurred_at=at,
            line_items=lines,
        ),
        guard=desk.guard,
    )
    return created.model


async def _spend_card(desk: GiftCardDesk, till: GiftCardTill, index: int, at: datetime) -> None:
    code, left = desk.cards[index]
    sale = plan_sale(desk.rng, till.store, at, till.store.registers[0][0])
    order = await _ring_up(desk, till, at, sale.lines, sale.employee_id)
    due = Decimal(str(order.totals.balance_due))
    spend = min(left, due)
    tenders = [PaymentIn(tender_type="gift_card", amount=spend, gift_card_code=code)]
    if due > spend:
        tenders.append(card(desk.rng, due - spend))
    ids = []
    for tender in tenders:
        paid = await payments.add_payment(
            till.session, till.owner, order.order_id, tender, desk.guard
        )
        ids.append(paid.model.payment.payment_id)
    _backdate(till, order.order_id, ids, at)
    desk.cards[index] = (code, left - spend)


def _backdate(till: GiftCardTill, order_id: str, payment_ids: list[str], at: datetime) -> None:
    paid_at = at + timedelta(seconds=90)
    till.backdates.set(
        Order, order_id, created_at=at, occurred_at=at, completed_at=paid_at, updated_at=paid_at
    )
    for payment_id in payment_ids:
        till.backdates.set(Payment, payment_id, created_at=paid_at)
