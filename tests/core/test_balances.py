"""The stored-value mechanism (core/balances.py) on both databases: any sequence of changes
leaves the ledger summing to the balance and never a negative balance; a change that would go
below zero changes nothing; and on PostgreSQL, parallel spends on real connections never take
more than the balance."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, insert

from tillpoint.core.balances import BalanceLedger
from tillpoint.core.db import Database, utcnow

metadata = MetaData()
ACCOUNTS = Table(
    "balances_test_accounts",
    metadata,
    Column("tenant_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("balance", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
ENTRIES = Table(
    "balances_test_entries",
    metadata,
    Column("tenant_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), nullable=False),
    Column("delta", BigInteger, nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
LEDGER = BalanceLedger(ACCOUNTS, ENTRIES, "account_id", "audit")
TENANT = "ten_balances"
ACCOUNT_NUMBERS = itertools.count()


@pytest.fixture
async def accounts(db: Database) -> AsyncIterator[Database]:
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield db
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)


async def open_account(db: Database, account_id: str, balance: int = 0) -> None:
    async with db.session(tenant_id=TENANT) as session:
        await session.execute(
            insert(ACCOUNTS).values(tenant_id=TENANT, id=account_id, balance=0, updated_at=utcnow())
        )
        if balance:
            assert await LEDGER.change(session, TENANT, account_id, balance, {"reason": "open"})
        await session.commit()


async def change(db: Database, account_id: str, delta: int) -> int | None:
    async with db.session(tenant_id=TENANT) as session:
        applied = await LEDGER.change(session, TENANT, account_id, delta, {"reason": "test"})
        await session.commit()
        return None if applied is None else applied.balance_after


async def state(db: Database, account_id: str) -> tuple[int | None, int]:
    async with db.session(tenant_id=TENANT, read_only=True) as session:
        return (
            await LEDGER.account_balance(session, TENANT, account_id),
            await LEDGER.ledger_sum(session, TENANT, account_id),
        )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(deltas=st.lists(st.integers(min_value=-5_000, max_value=5_000), max_size=12))
async def test_any_sequence_keeps_ledger_and_balance_equal_and_never_negative(
    accounts: Database, deltas: list[int]
) -> None:
    account = f"acct_{next(ACCOUNT_NUMBERS)}"
    await open_account(accounts, account)
    expected = 0
    for delta in deltas:
        after = await change(accounts, account, delta)
        if expected + delta < 0:
            assert after is None  # refused, nothing changed
        else:
            expected += delta
            assert after == expected
    assert await state(accounts, account) == (expected, expected)


async def test_a_missing_or_other_tenants_account_changes_nothing(accounts: Database) -> None:
    await open_account(accounts, "acct_mine", 1_000)
    assert await change(accounts, "acct_none", 10) is None
    async with accounts.session(tenant_id="ten_other") as session:
        assert await LEDGER.change(session, "ten_other", "acct_mine", -10, {"reason": "x"}) is None
        await session.commit()
    assert await state(accounts, "acct_mine") == (1_000, 1_000)


async def test_parallel_spends_never_take_more_than_the_balance(
    accounts: Database, dialect: str
) -> None:
    if dialect != "postgresql":
        pytest.skip("real parallel connections: PostgreSQL")
    await open_account(accounts, "acct_shared", 3_000)
    results: list[Any] = await asyncio.gather(
        *(change(accounts, "acct_shared", -2_000) for _ in range(2)),
        *(change(accounts, "acct_shared", -700) for _ in range(4)),
    )
    spent = sum(
        amount
        for amount, after in zip([2_000] * 2 + [700] * 4, results, strict=True)
        if after is not None
    )
    assert spent <= 3_000
    assert await state(accounts, "acct_shared") == (3_000 - spent, 3_000 - spent)
