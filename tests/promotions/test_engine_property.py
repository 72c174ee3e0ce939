"""The promotion arithmetic (promotions/engine.py), for any cart and any offers: no line is
discounted below zero, a fixed amount is spread exactly (its parts sum to it unless capped at
what remained), gift cards are never discounted, and an exclusive offer applies alone."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tillpoint.core.money import RoundingMode
from tillpoint.promotions.engine import CartLine, Offer, apply_offers

PRODUCTS = ["p1", "p2", "p3"]

lines_st = st.lists(
    st.builds(
        CartLine,
        product_id=st.sampled_from(PRODUCTS),
        variant_id=st.sampled_from(["v1", "v2"]),
        category_ids=st.frozensets(st.sampled_from(["c1", "c2"]), max_size=2),
        quantity_milli=st.integers(1, 5).map(lambda n: n * 1000) | st.integers(1, 9999),
        amount_minor=st.integers(0, 100_000),
        gift_card=st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@st.composite
def offers_st(draw: st.DrawFn) -> Offer:
    kind = draw(st.sampled_from(["percentage", "fixed_amount", "fixed_price", "buy_x_get_y"]))
    scope = draw(st.sampled_from(["order", "category", "product", "variant"]))
    targets = {
        "order": frozenset(),
        "category": frozenset({"c1"}),
        "product": frozenset({draw(st.sampled_from(PRODUCTS))}),
        "variant": frozenset({"v1"}),
    }[scope]
    return Offer(
        promotion_id=f"prm_{draw(st.integers(0, 99)):02d}",
        name="offer",
        kind=kind,
        scope=scope,
        target_ids=targets,
        percent=Decimal(draw(st.integers(0, 10_000))) / 100,
        amount_minor=draw(st.integers(0, 200_000)),
        buy_quantity=draw(st.integers(0, 3)),
        get_quantity=draw(st.integers(0, 3)),
        min_cart_minor=draw(st.none() | st.integers(0, 200_000)),
        exclusive=draw(st.booleans()),
        priority=draw(st.integers(-2, 2)),
    )


@settings(max_examples=300, deadline=None)
@given(lines_st, st.lists(offers_st(), max_size=5), st.sampled_from(list(RoundingMode)))
def test_promotions_never_exceed_the_lines(
    lines: list[CartLine], offers: list[Offer], mode: RoundingMode
) -> None:
    outcome = apply_offers(lines, offers, mode)
    taken = [sum(g.amounts[i] for g in outcome.given) for i in range(len(lines))]
    for line, amount in zip(lines, taken, strict=True):
        assert 0 <= amount <= line.amount_minor
        if line.gift_card:
            assert amount == 0
    for g in outcome.given:
        assert all(a >= 0 for a in g.amounts)
        assert g.total > 0 or g.capped
        if g.offer.kind == "fixed_amount":
            wanted = g.offer.amount_minor or 0
            assert g.total == wanted or (g.capped and g.total < wanted)
    if any(g.offer.exclusive for g in outcome.given):
        assert len(outcome.given) == 1
    every = outcome.given, outcome.not_combinable, outcome.below_minimum
    placed = [g.offer for g in every[0]] + [*every[1], *every[2]]
    assert len(placed) + len(outcome.out_of_scope) + len(outcome.empty) == len(offers)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 50_000), min_size=1, max_size=6),
    st.integers(1, 300_000),
)
def test_a_fixed_amount_is_allocated_exactly(amounts: list[int], off: int) -> None:
    lines = [CartLine("p", "v", frozenset(), 1000, a) for a in amounts]
    offer = Offer("prm_1", "off", "fixed_amount", "order", amount_minor=off)
    [given_offer] = apply_offers(lines, [offer]).given
    assert given_offer.total == min(off, sum(amounts))
    assert given_offer.capped == (off > sum(amounts))
    # Largest remainder: each part is within one minor unit of its exact share.
    share = Decimal(min(off, sum(amounts))) / sum(amounts)
    for part, amount in zip(given_offer.amounts, amounts, strict=True):
        assert abs(part - share * amount) < 1


def test_buy_two_get_one_frees_the_cheapest_units_overall() -> None:
    lines = [
        CartLine("a", "va", frozenset(), 3000, 3000),  # 3 × 10.00
        CartLine("b", "vb", frozenset(), 2000, 800),  # 2 × 4.00
        CartLine("c", "vc", frozenset(), 1000, 100),  # 1 × 1.00
        CartLine("d", "vd", frozenset(), 1000, 100, gift_card=True),  # never in scope
    ]
    offer = Offer("prm_1", "3 for 2", "buy_x_get_y", "order", buy_quantity=2, get_quantity=1)
    [g] = apply_offers(lines, [offer]).given
    # 6 units in scope make 2 groups: the 2 cheapest units (1.00 and 4.00) are free.
    assert g.amounts == [0, 400, 100, 0]
