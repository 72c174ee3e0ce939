"""Hypothesis, on both databases: any sequence of activation, redemption, refund, reload,
return and store credit issue, spend, refund and adjustment keeps each ledger summing to its
balance, never below zero; a change beyond the balance is refused and changes nothing; a card
is activated by one sale only."""

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.tenants import TenantFixture
from tillpoint.core.auth import Principal
from tillpoint.core.db import Database
from tillpoint.core.errors import AppError
from tillpoint.core.ids import new_id
from tillpoint.core.ratelimit import RateLimiter
from tillpoint.core.transactions import transaction
from tillpoint.customers.schemas import CustomerIn
from tillpoint.customers.service import create_customer
from tillpoint.giftcards import ledger
from tillpoint.giftcards.codes import code_guard
from tillpoint.giftcards.models import GIFT_CARD_LEDGER
from tillpoint.storecredit.models import STORE_CREDIT_LEDGER
from tillpoint.storecredit.service import change_credit

CARD_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["redeem", "refund", "reload", "return"]),
        st.integers(min_value=1, max_value=5_000),
    ),
    max_size=10,
)
CREDIT_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["issued", "spent", "refunded", "adjusted"]),
        st.integers(min_value=-5_000, max_value=5_000).filter(bool),
    ),
    max_size=10,
)
PROPERTY = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
CODES = itertools.count()


def principal_of(tenant: TenantFixture) -> Principal:
    return Principal("user", tenant.owner_id, tenant.id, "Owner", frozenset(), None, 600)


async def balances(db: Database, tenant_id: str, table: Any, account: str) -> tuple[Any, int]:
    async with db.session(tenant_id=tenant_id, read_only=True) as session:
        return (
            await table.account_balance(session, tenant_id, account),
            await table.ledger_sum(session, tenant_id, account),
        )


@PROPERTY
@given(opening=st.integers(min_value=0, max_value=10_000), steps=CARD_STEPS)
async def test_gift_card_ledger_sums_to_its_balance(
    app: Any, db: Database, tenant: TenantFixture, opening: int, steps: list[tuple[str, int]]
) -> None:
    principal = principal_of(tenant)
    guard = code_guard(app.state.settings, RateLimiter())
    async with transaction(db, tenant_id=tenant.id) as session:
        [card] = await ledger.new_cards(
            session, principal, guard, [f"PROP-{next(CODES):08}"], "physical"
        )
        sold = ledger.SoldCard(card.id, opening, "activation")
        await ledger.load_sold(session, principal, new_id("order"), [sold])
    expected = opening
    for kind, amount in steps:
        delta = -amount if kind in ("redeem", "return") else amount
        reason = {"redeem": "redemption"}.get(kind, kind)

        async def step(delta: int = delta, reason: str = reason) -> None:
            async with transaction(db, tenant_id=tenant.id) as session:
                loaded = await ledger.card_by_id(session, card.id)
                await ledger.move(session, principal, loaded, delta, reason)  # type: ignore[arg-type]

        if expected + delta < 0:
            with pytest.raises(AppError) as refused:
                await step()
            assert refused.value.code == "GIFT_CARD_INSUFFICIENT_BALANCE"
        else:
            await step()
            expected += delta
        assert await balances(db, tenant.id, GIFT_CARD_LEDGER, card.id) == (expected, expected)


@PROPERTY
@given(steps=CREDIT_STEPS)
async def test_store_credit_ledger_sums_to_its_balance(
    db: Database, tenant: TenantFixture, steps: list[tuple[str, int]]
) -> None:
    principal = principal_of(tenant)
    customer = await new_customer(db, tenant.id, principal)
    expected = 0
    for reason, amount in steps:
        delta = (
            -abs(amount) if reason == "spent" else abs(amount) if reason != "adjusted" else amount
        )

        async def step(delta: int = delta, reason: str = reason) -> None:
            async with transaction(db, tenant_id=tenant.id) as session:
                await change_credit(session, principal, customer, delta, reason)  # type: ignore[arg-type]

        if expected + delta < 0:
            with pytest.raises(AppError) as refused:
                await step()
            assert refused.value.code == "STORE_CREDIT_INSUFFICIENT_BALANCE"
        else:
            await step()
            expected += delta
        balance, total = await balances(db, tenant.id, STORE_CREDIT_LEDGER, customer)
        assert (balance or 0, total) == (expected, expected)


@pytest.mark.parametrize("amount", [2, 10_000])
async def test_a_spend_beyond_the_balance_changes_nothing(
    db: Database, tenant: TenantFixture, amount: int
) -> None:
    principal = principal_of(tenant)
    customer = await new_customer(db, tenant.id, principal)
    async with transaction(db, tenant_id=tenant.id) as session:
        await change_credit(session, principal, customer, amount - 1, "issued")
    with pytest.raises(AppError):
        async with transaction(db, tenant_id=tenant.id) as session:
            await change_credit(session, principal, customer, -amount, "spent")
    balance, total = await balances(db, tenant.id, STORE_CREDIT_LEDGER, customer)
    assert (balance or 0, total) == (amount - 1, amount - 1)


async def new_customer(db: Database, tenant_id: str, principal: Any) -> str:
    """A customer of the tenant (store credit accounts belong to customers)."""
    async with transaction(db, tenant_id=tenant_id) as session:
        created = await create_customer(
            session, principal, CustomerIn(first_name="Credit", last_name=new_id("customer"))
        )
    return created.customer_id


async def test_a_card_activated_meanwhile_is_not_activated_again(
    app: Any, db: Database, tenant: TenantFixture
) -> None:
    """The last check of a sold card, at completion: a line that took the card inactive
    cannot load it once another sale has activated it (the till then sells another card)."""
    principal = principal_of(tenant)
    guard = code_guard(app.state.settings, RateLimiter())
    async with transaction(db, tenant_id=tenant.id) as session:
        [card] = await ledger.new_cards(session, principal, guard, ["TWICE-0000-0001"], "physical")
        await ledger.load_sold(
            session, principal, new_id("order"), [ledger.SoldCard(card.id, 2_500, "activation")]
        )

    async def sell_again() -> None:
        async with transaction(db, tenant_id=tenant.id) as session:
            sold = ledger.SoldCard(card.id, 4_000, "activation")
            await ledger.load_sold(session, principal, new_id("order"), [sold])

    with pytest.raises(AppError) as refused:
        await sell_again()
    assert refused.value.code == "GIFT_CARD_ALREADY_SOLD"
    async with transaction(db, tenant_id=tenant.id) as session:
        reload = ledger.SoldCard(card.id, 500, "reload")
        await ledger.load_sold(session, principal, new_id("order"), [reload])
    assert await balances(db, tenant.id, GIFT_CARD_LEDGER, card.id) == (3_000, 3_000)
