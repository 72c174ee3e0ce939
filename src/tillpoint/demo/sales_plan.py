"""The demo's sales history as a plan: what happens at each register on each business day.

Pure: one ``random.Random`` drives every choice, so a seed always gives the same history.
``demo.sales`` carries the plan out through the sales services.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tillpoint.sales.schemas import DiscountIn, LineItemIn, PaymentIn
from tillpoint.sales.shifts.schemas import CashMovementKind

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ModifierChoice:
    """A modifier group of a drink: how many options to pick, and from which."""

    name: str
    minimum: int
    maximum: int
    option_ids: tuple[str, ...]


@dataclass(frozen=True)
class Sellable:
    """A variant a store sells; ``kind`` says how it sells (drink, pastry, by weight, …)."""

    variant_id: str
    sku: str
    product_id: str
    price: Decimal
    kind: str  # retail | card | drink | pastry | cold | weight
    modifiers: tuple[ModifierChoice, ...] = ()


@dataclass(frozen=True)
class Store:
    """One location as the plan sees it: hours, registers and their pace, what it sells."""

    location_id: str
    timezone: str
    opens: time
    closes: time
    opening_float: Decimal
    cafe: bool
    # (register id, fewest and most orders on a weekday)
    registers: tuple[tuple[str, int, int], ...]
    employee_ids: tuple[str, ...]
    items: tuple[Sellable, ...]

    def at(self, day: date, clock: time) -> datetime:
        """A local wall-clock time of a business day, in UTC."""
        return datetime.combine(day, clock, tzinfo=ZoneInfo(self.timezone)).astimezone(UTC)


@dataclass
class Sale:
    at: datetime
    register_id: str
    employee_id: str
    lines: list[LineItemIn]
    discounts: list[DiscountIn]
    tip: Decimal
    tender: str  # card | cash | split | other
    # "park": left open and voided at the close; "void": paid, then voided minutes later;
    # "keep_open": left parked (today's live order).
    then: str | None = None


@dataclass
class Return:
    """A customer brings back something bought earlier; which order is picked when it runs."""

    at: datetime
    register_id: str
    exchange: bool


@dataclass
class CashMove:
    at: datetime
    register_id: str
    kind: CashMovementKind
    amount: Decimal
    reason: str


Action = Sale | Return | CashMove


@dataclass
class DayPlan:
    actions: list[Action] = field(default_factory=list)

    def needs(self) -> dict[str, Decimal]:
        """What the day's sales take from stock, by variant id."""
        taken: dict[str, Decimal] = {}
        for action in self.actions:
            if isinstance(action, Sale):
                for line in action.lines:
                    key = str(line.variant_id)
                    taken[key] = taken.get(key, Decimal(0)) + line.quantity
        return taken


REFUND_REASONS = ("Changed their mind", "Gift return", "Wrong size", "Duplicate purchase")
CAFE_REFUND_REASONS = ("Wrong drink made", "Beans ground for the wrong brewer", "Spilled")
PAID_OUT = ("Milk run", "Window cleaner", "Postage for a mail order", "Bakery invoice (cash)")
PAID_IN = ("Change from the bank", "Owner topped up the float")
BRANDS = (("Visa", 50), ("Mastercard", 30), ("Amex", 14), ("Discover", 6))


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _modifiers(rng: random.Random, item: Sellable) -> list[str]:
    chosen = []
    for group in item.modifiers:
        wanted = {"Size": 1.0, "Milk": 0.55, "Extra shots": 0.15, "Syrup": 0.2}.get(group.name, 0)
        if group.minimum or rng.random() < wanted:
            chosen.append(rng.choice(group.option_ids[:3]))
    return chosen


def _line(rng: random.Random, item: Sellable) -> LineItemIn:
    if item.kind == "weight":
        # Weighed at the counter, or a round half pound or pound.
        quantity = rng.choice(
            [Decimal("0.5"), Decimal("1"), Decimal(rng.randint(230, 1250)) / 1000]
        )
    elif item.kind == "card":
        quantity = Decimal(rng.choice([1, 1, 2, 3]))
    else:
        quantity = Decimal(rng.choices([1, 2, 3], weights=[86, 11, 3])[0])
    discounts = []
    if rng.random() < 0.05:
        # Line discounts stay under the tenant's 20 % approval threshold.
        if item.price >= 12 and rng.random() < 0.5:
            discounts = [DiscountIn(type="fixed", value=Decimal(2), reason="Display model")]
        else:
            discounts = [DiscountIn(type="percentage", value=Decimal(15), reason="Staff")]
    return LineItemIn(
        variant_id=item.variant_id,
        quantity=quantity,
        modifiers=_modifiers(rng, item),
        discounts=discounts,
    )


def _basket(rng: random.Random, store: Store) -> list[Sellable]:
    count = rng.choices([1, 2, 3, 4], weights=[44, 32, 16, 8])[0]
    if not store.cafe:
        return [rng.choice(store.items) for _ in range(count)]
    by_kind: dict[str, list[Sellable]] = {}
    for item in store.items:
        by_kind.setdefault(item.kind, []).append(item)
    kinds = [("drink", 60), ("pastry", 22), ("cold", 8), ("weight", 5), ("retail", 5)]
    return [rng.choice(by_kind[_pick(rng, kinds)]) for _ in range(count)]


def plan_sale(
    rng: random.Random, store: Store, at: datetime, register_id: str, *, then: str | None = None
) -> Sale:
    items = _basket(rng, store)
    lines = [_line(rng, item) for item in items]
    estimate = sum((i.price * line.quantity for i, line in zip(items, lines, strict=True)), CENT)
    discounts = []
    if rng.random() < 0.06:
        if estimate >= 30 and rng.random() < 0.5:
            discounts = [DiscountIn(type="fixed", value=Decimal(5), reason="$5 off $30")]
        else:
            discounts = [DiscountIn(type="percentage", value=Decimal(10), reason="Neighbor")]
    tender = _pick(
        rng, [("card", 66), ("cash", 22 if store.cafe else 18), ("split", 7), ("other", 5)]
    )
    tip = Decimal(0)
    if store.cafe and tender == "card" and rng.random() < 0.55:
        tip = rng.choice([Decimal(1), Decimal("1.50"), Decimal(2), Decimal(3)])
    employee_id = rng.choice(store.employee_ids)
    return Sale(at, register_id, employee_id, lines, discounts, tip, tender, then)


def plan_day(
    rng: random.Random,
    store: Store,
    day: date,
    *,
    registers: tuple[str, ...],
    until: datetime | None = None,
) -> DayPlan:
    """One business day at a store, in time order; with ``until`` (today) only what has
    happened by then."""
    opens, closes = store.at(day, store.opens), store.at(day, store.closes)
    minutes = int((closes - opens).total_seconds() // 60) - 30

    def moment() -> datetime:
        return opens + timedelta(minutes=rng.randint(10, minutes), seconds=rng.randint(0, 59))

    busy = 1.25 if day.weekday() >= 5 else 1.0
    plan = DayPlan()
    for register_id, fewest, most in store.registers:
        if register_id not in registers:
            continue
        for _ in range(round(rng.randint(fewest, most) * busy)):
            plan.actions.append(plan_sale(rng, store, moment(), register_id))
    main = registers[0]
    if rng.random() < (0.5 if not store.cafe else 0.25):
        plan.actions.append(Return(moment(), main, exchange=not store.cafe and rng.random() < 0.4))
    for then, chance in (("park", 0.3), ("void", 0.2)):
        if rng.random() < chance:
            plan.actions.append(plan_sale(rng, store, moment(), rng.choice(registers), then=then))
    if rng.random() < 0.25:
        amount = Decimal(rng.randint(500, 4000)) / 100
        plan.actions.append(CashMove(moment(), main, "paid_out", amount, rng.choice(PAID_OUT)))
    if rng.random() < 0.12:
        amount = Decimal(rng.choice([20, 50, 100]))
        plan.actions.append(CashMove(moment(), main, "paid_in", amount, rng.choice(PAID_IN)))
    if until is not None:
        plan.actions = [a for a in plan.actions if a.at < until]
    plan.actions.sort(key=lambda a: a.at)
    return plan


def cash_tendered(rng: random.Random, amount: Decimal) -> Decimal:
    """What a customer hands over for ``amount``: exact now and then, else the next round note."""
    if rng.random() < 0.25:
        return amount
    steps = [Decimal(n) for n in (1, 5, 10, 20, 50, 100)]
    options = [(amount / s).to_integral_value(rounding="ROUND_CEILING") * s for s in steps]
    return rng.choice(sorted({o for o in options if o >= amount})[:3])


def card(rng: random.Random, amount: Decimal) -> PaymentIn:
    """A card captured on the terminal: brand, last 4, a processor reference (no card number)."""
    brand = _pick(rng, list(BRANDS))
    return PaymentIn(
        tender_type="credit_card",
        amount=amount,
        card_brand=brand,
        card_last4=f"{rng.randint(0, 9999):04d}",
        processor_ref=f"txn_{rng.getrandbits(48):012x}",
        authorization_code=f"{rng.randint(0, 999999):06d}",
    )


def payments_for(rng: random.Random, tender: str, due: Decimal) -> list[PaymentIn]:
    """The payments that settle ``due`` with this tender mix."""
    if tender == "cash":
        return [PaymentIn(tender_type="cash", amount=due, amount_tendered=cash_tendered(rng, due))]
    if tender == "split" and due > 15:
        cash = Decimal(rng.choice([5, 10])) if due < 30 else Decimal(rng.choice([10, 20]))
        return [
            PaymentIn(tender_type="cash", amount=cash, amount_tendered=cash),
            card(rng, due - cash),
        ]
    if tender == "other":
        reference = rng.choice(["House account", f"Check #{rng.randint(1001, 1999)}", "Venmo"])
        return [PaymentIn(tender_type="other", amount=due, reference=reference)]
    return [card(rng, due)]


def counted_cash(rng: random.Random, expected: Decimal) -> Decimal:
    """The drawer as counted: right most days, a little over or short now and then."""
    if rng.random() < 0.8:
        return expected
    return max(Decimal(0), expected + Decimal(rng.choice([-500, -100, -25, -5, 5, 10, 100])) / 100)
