"""Which promotions an order gets and what each gives each line: pure arithmetic over integer
minor units, each amount rounded once.

The input is the order's lines as they stand after their own (manual) line discounts
(``CartLine.amount_minor``) and the offers that passed their rules (``rules.refusal``). Every
promotion comes out as a fixed amount per line, which the sales pricing then applies as a line
discount after the manual ones — so order-wide promotions are spread here, and gift-card lines
(``CartLine.gift_card``) are never discounted.

1. **Stacking.** Offers are taken by priority (highest first; ties by promotion id). An
   exclusive offer applies only when it is the first to apply, and then alone; a combinable
   one applies unless an exclusive one already did. An offer that gives nothing (no line in its
   scope, cart below its minimum) is passed over and blocks nothing.
2. **Amounts**, each on what remains of each line after the offers before it:
   - ``percentage``: per line in scope, round(remaining × percent / 100);
   - ``fixed_amount``: once per order, spread over the lines in scope in proportion to what
     remains of each by largest remainder (so the parts sum exactly to the amount); more than
     what remains is capped (``Given.capped``: a coupon is then refused);
   - ``fixed_price``: each unit in scope sells at the price: remaining − round(quantity × price),
     never below zero;
   - ``buy_x_get_y``: of the whole units in scope, every (buy + get) make a group and the
     cheapest ``get`` units of all groups together get ``percent`` off (100 = free): per line,
     round(free units × the unit's remaining price × percent / 100).
   No amount is above what remains of its line, so a line never goes below zero and the order
   never pays less than nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tillpoint.core.money import (
    QUANTITY_SCALE,
    RoundingMode,
    allocate_largest_remainder,
    round_to_minor,
)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CartLine:
    product_id: str
    variant_id: str
    category_ids: frozenset[str]  # the product's category and its ancestors
    quantity_milli: int
    amount_minor: int  # what remains of the line after its own discounts
    gift_card: bool = False  # gift cards are never discounted


@dataclass(frozen=True)
class Offer:
    promotion_id: str
    name: str
    kind: str  # percentage | fixed_amount | fixed_price | buy_x_get_y
    scope: str  # order | category | product | variant
    target_ids: frozenset[str] = frozenset()
    percent: Decimal | None = None
    amount_minor: int | None = None
    buy_quantity: int = 0
    get_quantity: int = 0
    min_cart_minor: int | None = None
    exclusive: bool = False
    priority: int = 0
    code: str | None = None  # entered as this coupon code
    coupon_id: str | None = None

    @property
    def is_coupon(self) -> bool:
        return self.coupon_id is not None


@dataclass
class Given:
    offer: Offer
    amounts: list[int] = field(default_factory=list)  # per line, in cart order
    capped: bool = False  # a fixed amount larger than what remained in its scope

    @property
    def total(self) -> int:
        return sum(self.amounts)


@dataclass(frozen=True)
class Outcome:
    given: tuple[Given, ...]  # the offers applied, in the order they applied
    not_combinable: tuple[Offer, ...]  # offers that fit but were kept out by stacking
    below_minimum: tuple[Offer, ...]  # offers whose minimum cart amount was not reached
    out_of_scope: tuple[Offer, ...]  # offers with no line in their scope
    empty: tuple[Offer, ...]  # offers in scope that had nothing to take (too few units)


def in_scope(offer: Offer, line: CartLine) -> bool:
    if line.gift_card or line.amount_minor <= 0:
        return False
    if offer.scope == "order":
        return True
    if offer.scope == "category":
        return bool(offer.target_ids & line.category_ids)
    if offer.scope == "product":
        return line.product_id in offer.target_ids
    return line.variant_id in offer.target_ids


def cart_amount(lines: Sequence[CartLine]) -> int:
    """What the minimum cart amount is compared with: the lines after their own discounts,
    gift cards left out."""
    return sum(line.amount_minor for line in lines if not line.gift_card)


def _percent_of(amount: Decimal | int, percent: Decimal, mode: RoundingMode) -> int:
    return round_to_minor(Decimal(amount) * percent / HUNDRED, mode)


def _amounts(
    offer: Offer, lines: Sequence[CartLine], remaining: list[int], mode: RoundingMode
) -> tuple[list[int], bool]:
    """What ``offer`` takes off each line, given what remains of each; and whether it was
    capped."""
    scope = [i for i, line in enumerate(lines) if in_scope(offer, line) and remaining[i] > 0]
    amounts = [0] * len(lines)
    capped = False
    if offer.kind == "percentage":
        percent = offer.percent or Decimal(0)
        for i in scope:
            amounts[i] = min(_percent_of(remaining[i], percent, mode), remaining[i])
    elif offer.kind == "fixed_amount":
        available = sum(remaining[i] for i in scope)
        wanted = offer.amount_minor or 0
        capped = wanted > available
        parts = allocate_largest_remainder(min(wanted, available), [remaining[i] for i in scope])
        for i, part in zip(scope, parts, strict=True):
            amounts[i] = part
    elif offer.kind == "fixed_price":
        price = offer.amount_minor or 0
        for i in scope:
            at_price = round_to_minor(
                Decimal(lines[i].quantity_milli * price) / QUANTITY_SCALE, mode
            )
            amounts[i] = max(0, remaining[i] - at_price)
    else:
        amounts = _buy_x_get_y(offer, lines, remaining, scope, mode)
    return amounts, capped


def _buy_x_get_y(
    offer: Offer,
    lines: Sequence[CartLine],
    remaining: list[int],
    scope: list[int],
    mode: RoundingMode,
) -> list[int]:
    group = offer.buy_quantity + offer.get_quantity
    amounts = [0] * len(lines)
    if group <= 0 or offer.get_quantity <= 0:
        return amounts
    # Each line's whole units at its remaining unit price, cheapest first (ties: cart order).
    units = {i: lines[i].quantity_milli // QUANTITY_SCALE for i in scope}
    price = {i: Decimal(remaining[i] * QUANTITY_SCALE) / lines[i].quantity_milli for i in scope}
    free_left = sum(units.values()) // group * offer.get_quantity
    percent = offer.percent if offer.percent is not None else HUNDRED
    for i in sorted(scope, key=lambda i: (price[i], i)):
        free = min(units[i], free_left)
        free_left -= free
        if free:
            amounts[i] = min(_percent_of(free * price[i], percent, mode), remaining[i])
    return amounts


def apply_offers(
    lines: Sequence[CartLine], offers: Sequence[Offer], mode: RoundingMode = RoundingMode.HALF_UP
) -> Outcome:
    """The offers that apply to ``lines`` and what each takes off each line (module
    docstring)."""
    remaining = [line.amount_minor for line in lines]
    total = cart_amount(lines)
    given: list[Given] = []
    not_combinable: list[Offer] = []
    below: list[Offer] = []
    outside: list[Offer] = []
    empty: list[Offer] = []
    exclusive_applied = False
    for offer in sorted(offers, key=lambda o: (-o.priority, o.promotion_id, o.code or "")):
        if offer.min_cart_minor is not None and total < offer.min_cart_minor:
            below.append(offer)
            continue
        amounts, capped = _amounts(offer, lines, remaining, mode)
        if not any(in_scope(offer, line) for line in lines):
            outside.append(offer)
            continue
        if exclusive_applied or (offer.exclusive and given):
            not_combinable.append(offer)
            continue
        if not any(amounts) and not capped:
            empty.append(offer)
            continue
        for i, amount in enumerate(amounts):
            remaining[i] -= amount
        given.append(Given(offer, amounts, capped))
        exclusive_applied = offer.exclusive
    return Outcome(tuple(given), tuple(not_combinable), tuple(below), tuple(outside), tuple(empty))
