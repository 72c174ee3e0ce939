"""The customer list: q by name, email and phone prefixes, exact email and phone, tags,
updatedFrom/updatedTo, pages in a stable order; and the search reads indexes on both
databases (the plan, not a timing: bench/customers_search.py measures)."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text

from tests.customers.conftest import unique_email
from tests.support.api import Api
from tests.support.tenants import add_location
from tillpoint.core.db import Database, table_of
from tillpoint.customers.listing import search_clause
from tillpoint.customers.models import Customer


async def ids(api: Api, **params: object) -> list[str]:
    return [c["customerId"] for c in (await api.get("/v1/customers", **params))["items"]]


async def test_search_by_name_email_phone_and_tag(api: Api) -> None:
    await add_location(
        api.client, type("Owner", (), {"headers": api.headers})(), address={"country": "US"}
    )
    ann = (
        await api.post(
            "/v1/customers",
            {
                "firstName": "Ánn",
                "lastName": "Lëe",
                "email": "Ann.Lee@Example.com",
                "phone": "(212) 555-0142",
                "tags": ["vip"],
            },
        )
    )["customerId"]
    bob = (
        await api.post(
            "/v1/customers",
            {"firstName": "Bob", "lastName": "Annan", "email": unique_email("bob"), "tags": ["x"]},
        )
    )["customerId"]
    quoted = (await api.post("/v1/customers", {"lastName": "O'Brien\\"}))["customerId"]
    assert await ids(api, q="o'brien\\") == [quoted]  # the bounds are SQL literals: escaped
    assert await ids(api, q="'; drop table customers; --") == []
    assert await ids(api, q="án") == [ann]
    assert await ids(api, q="ÁNN LË") == [ann]
    assert await ids(api, q="lëe") == [ann]
    assert await ids(api, q="ann") == [ann, bob]  # Ann.Lee@… and Annan
    assert await ids(api, q="ann.lee@ex") == [ann]
    assert await ids(api, q="bob annan") == [bob]
    assert await ids(api, q="+1 212 555") == [ann]
    assert await ids(api, q="1212555") == [ann]
    assert await ids(api, q="212-555-01") == [ann]
    assert await ids(api, q="555") == []  # the middle of a number is no prefix
    assert await ids(api, q="nobody") == []
    assert await ids(api, email="ANN.LEE@example.COM") == [ann]
    assert await ids(api, phone="+1 212 555 0142") == [ann]
    assert await ids(api, phone="212.555.0142") == [ann]
    assert await ids(api, tag="vip") == [ann]
    assert await ids(api, tag="vip", q="bob") == []


async def test_pages_and_updated_window(api: Api) -> None:
    made = [
        (await api.post("/v1/customers", {"lastName": f"Page{i}", "email": unique_email()}))[
            "customerId"
        ]
        for i in range(5)
    ]
    assert made == sorted(made)
    first = await api.get("/v1/customers", q="page", pageSize=2)
    assert (first["total"], first["page"], first["pageSize"]) == (5, 1, 2)
    pages = [await ids(api, q="page", pageSize=2, page=p) for p in (1, 2, 3, 4)]
    assert pages == [made[:2], made[2:4], made[4:], []]
    await asyncio.sleep(0.01)
    mark = datetime.now(UTC)
    await api.patch(f"/v1/customers/{made[3]}", {"notes": "touched"})
    since = mark.isoformat().replace("+00:00", "Z")
    assert await ids(api, q="page", updatedFrom=since) == [made[3]]
    before = (mark + timedelta(seconds=-0.001)).isoformat().replace("+00:00", "Z")
    assert made[3] not in await ids(api, q="page", updatedTo=before)


async def test_the_search_reads_indexes(db: Database, dialect: str) -> None:
    """Each prefix of q is a range on an indexed column: the plan names the indexes, over
    3,000 customers of one tenant with statistics (rolled back after)."""
    tenant_id = f"ten_{uuid.uuid4().hex[:26].upper()}"
    rows = [
        {
            "tenant_id": tenant_id,
            "id": f"cust_{i:026d}",
            "first_name": f"first{i}",
            "last_name": f"last{i}",
            "name_key": f"first{i} last{i}",
            "last_name_key": f"last{i}",
            "email_key": f"p{i}@example.com",
            "phone": f"+1{i:010d}",
            "phone_national": f"{i:010d}",
            "addresses": [],
            "notes": "",
            "marketing_opt_in": False,
            "created_at": datetime.now(UTC),
            "updated_at": datetime.now(UTC),
            "version": 1,
        }
        for i in range(3000)
    ]
    clause = search_clause("212", tenant_id)
    assert clause is not None
    stmt = (
        select(Customer.id)
        .where(Customer.tenant_id == tenant_id, clause)
        .compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    )
    async with db.session(tenant_id=tenant_id) as session:
        await session.execute(insert(table_of(Customer)), rows)
        if dialect == "postgresql":
            await session.execute(text("ANALYZE customers"))
            found = await session.execute(text(f"EXPLAIN {stmt}"))
        else:
            found = await session.execute(text(f"EXPLAIN QUERY PLAN {stmt}"))
        plan = "\n".join(str(r[-1]) for r in found)
        await session.rollback()
    if dialect == "sqlite":  # unique constraints show as sqlite_autoindex_…: name columns
        columns = ["name_key", "last_name_key", "email_key", "phone", "phone_national"]
        for column in columns:
            assert f"(tenant_id=? AND {column}>? AND {column}<?)" in plan, plan
    else:
        indexes = ["ix_customers_name", "ix_customers_last_name", "uq_customers_email"]
        for index in [*indexes, "uq_customers_phone", "ix_customers_phone_national"]:
            assert index in plan, plan
    assert "SCAN customers" not in plan, plan
    assert "Seq Scan" not in plan, plan
