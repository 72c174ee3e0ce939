"""CSV imports at scale: every row and column checked and every error reported in one run
(issue 14, item 6), new products created a batch at a time under the same rules and events."""

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from tests.catalog.test_bulk import import_csv, product_events, products
from tests.support.catalog import create_product, unique_gtin, unique_sku
from tests.support.tenants import TenantFactory, TenantFixture
from tillpoint.catalog.csv_io import COLUMNS
from tillpoint.catalog.import_batch import BATCH_SIZE
from tillpoint.catalog.import_events import ImportEvents
from tillpoint.catalog.models import CatalogImportEvent, Product
from tillpoint.catalog.presenters import product_fields_of
from tillpoint.core.card_numbers import holds_card_number
from tillpoint.core.db import Database, table_of
from tillpoint.core.events import record_event
from tillpoint.core.transactions import transaction

HELD = table_of(CatalogImportEvent)

FULL_HEADER = "sku,parent_sku,name,price,tax_class,category,option_values,barcode"


def full_csv(*rows: str, header: str = FULL_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def errors_at(result: dict[str, Any]) -> set[tuple[int, str]]:
    return {(e["line"], e["field"]) for e in result["errors"]}


async def test_a_variant_row_may_not_set_the_products_columns(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    before = await products(client, tenant)
    text = full_csv(
        "VR-1,,Shirt,10,,,,",
        "VR-1-S,VR-1,,,nonexistent,,Size=S,",  # line 3: tax_class on a variant row
        "VR-1-M,VR-1,,,,Tools,Size=M,",  # line 4: category on a variant row
        "VR-1-L,VR-1,,,,,Size=L,",  # line 5: fine
    )
    result = await import_csv(client, db, tenant, text)
    assert result["status"] == "failed"
    assert errors_at(result) == {(3, "tax_class"), (4, "category")}
    assert all(e["sku"] for e in result["errors"])
    assert await products(client, tenant) == before


async def test_unknown_and_repeated_headers_are_errors_and_the_rows_are_still_checked(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    text = full_csv(
        "HD-1,,Fine,1,,,,,x,2",
        "HD-2,,Bad price,3,,,,,y,abc",  # line 3: the last price column is read
        header=f"{FULL_HEADER},colour,price",
    )
    result = await import_csv(client, db, tenant, text)
    assert result["status"] == "failed"
    header = [e for e in result["errors"] if e["line"] == 1]
    assert [e["field"] for e in header] == ["header"]
    assert "unknown column 'colour'" in header[0]["message"]
    assert "'price' is given 2 times" in header[0]["message"]
    assert (3, "price") in errors_at(result)


async def test_every_error_of_every_row_is_reported_in_one_run(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    """Errors the database finds (tax class, codes in use) are all reported, several per
    product and several products per batch, beside the ones parsing finds."""
    taken = await create_product(client, tenant, barcode=unique_gtin())
    before = await products(client, tenant)
    repeated = unique_gtin()
    text = full_csv(
        f"ER-1,,Fine,1,,,,{unique_gtin()}",  # line 2
        "ER-2,,Unknown tax,1,nonexistent,,,",  # line 3
        f"ER-3,,Two problems,1,nonexistent,,,{taken['barcode']}",  # line 4
        f"{taken['sku']}-X,,Fine too,2,,,,",  # line 5
        f"ER-5,,Barcode once,1,,,,{repeated}",  # line 6
        f"ER-6,,Barcode twice,1,,,,{repeated}",  # line 7
        "ER-7,,Bad price,-1,,,,",  # line 8
        "ER-7-A,ER-7,,,standard,,Size=A,",  # line 9: variant row with a product column
        "ER-8,,Variant code taken,1,,,,",  # line 10
        f"ER-8-A,ER-8,,,,,Size=A,{taken['barcode']}",  # line 11
    )
    result = await import_csv(client, db, tenant, text)
    assert result["status"] == "failed"
    assert errors_at(result) >= {
        (3, "tax_class"),
        (4, "tax_class"),
        (4, "barcode"),
        (7, "barcode"),
        (8, "price"),
        (9, "tax_class"),
        (11, "barcode"),
    }
    assert not {line for line, _ in errors_at(result)} & {2, 5, 6}
    assert result["errorCount"] == len(result["errors"])
    assert await products(client, tenant) == before


async def test_a_large_import_creates_every_product_with_its_event(
    client: httpx.AsyncClient, db: Database, make_tenant: TenantFactory
) -> None:
    """More products than one batch, some with variants: all created, each with one
    ``product.created`` event that shows the product with its variants, as one POST would."""
    tenant = await make_tenant()
    count = BATCH_SIZE + 20
    prefix = unique_sku()
    rows = []
    for i in range(count):
        rows.append(f"{prefix}-{i},,Item {i},{i % 50 + 1}.25,,Bulk > Things,,")
        if i % 100 == 0:
            rows.append(f"{prefix}-{i}-S,{prefix}-{i},,,,,Size=S,{unique_gtin()}")
    result = await import_csv(client, db, tenant, full_csv(*rows))
    assert (result["status"], result["created"], result["errors"]) == ("succeeded", count, [])
    assert result["processedRows"] == result["totalRows"] == len(rows)
    events = await product_events(client, tenant)
    created = [e for e in events if e["type"] == "product.created"]
    assert len(created) == count
    first = next(e["data"] for e in created if e["data"]["sku"] == f"{prefix}-0")
    assert (first["category"], first["price"]) == ("Things", 1.25)
    assert [v["sku"] for v in first["variants"]] == [f"{prefix}-0-S"]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs))


def barcode() -> str:
    """A new GTIN that the card guard would not take for a card number (a prefix of 2 may)."""
    return next(code for code in iter(unique_gtin, "") if not holds_card_number(code))


async def test_an_imported_products_event_is_the_product_as_the_api_shows_it(
    client: httpx.AsyncClient, db: Database, make_tenant: TenantFactory
) -> None:
    """The ``product.created`` of an import is rendered from the rows it wrote, not read back:
    its payload is the JSON of ``GET /v1/catalog/products/{id}`` (without stock), every field
    and number type."""
    tenant = await make_tenant()
    sku = unique_sku()
    cells = [
        {
            "sku": sku, "name": "Linen shirt", "description": "Washed linen; loose fit",
            "barcode": barcode(), "category": "Apparel > Shirts", "price": "24.00",
            "cost": "9.35", "active": "yes", "in_store_only": "true", "sold_by": "unit",
            "images": "https://img.example.com/a.jpg|https://img.example.com/b.jpg",
            "attributes": "Material=Linen|Fit=Loose",
        },
        {"sku": f"{sku}-M", "parent_sku": sku, "name": "M", "option_values": "Size=M|Color=Sand",
         "barcode": barcode(), "price": "26.50", "cost": "10"},
        {"sku": f"{sku}-S", "parent_sku": sku, "name": "S", "option_values": "Size=S|Color=Sand",
         "barcode_internal": "false"},
        {"sku": f"{sku}-P", "name": "Plain", "price": "3", "category": "Apparel"},
    ]  # fmt: skip
    rows = [",".join(row.get(column, "") for column in COLUMNS) for row in cells]
    result = await import_csv(client, db, tenant, full_csv(*rows, header=",".join(COLUMNS)))
    assert (result["status"], result["created"]) == ("succeeded", 2), result["errors"]
    created = [e for e in await product_events(client, tenant) if e["type"] == "product.created"]
    assert len(created) == 2
    for event in created:
        product_id = event["data"]["productId"]
        shown = await client.get(f"/v1/catalog/products/{product_id}", headers=tenant.headers)
        assert shown.status_code == 200, shown.text
        product = {k: v for k, v in shown.json().items() if k != "inventory"}
        assert json.dumps(event["data"], sort_keys=True) == json.dumps(product, sort_keys=True)
    shirt = next(e["data"] for e in created if e["data"]["sku"] == sku)
    assert [v["sku"] for v in shirt["variants"]] == [f"{sku}-M", f"{sku}-S"]
    assert (shirt["category"], shirt["price"], shirt["cost"]) == ("Shirts", 24, 9.35)


async def test_an_import_into_a_small_table_leaves_statistics_that_count_its_rows(
    client: httpx.AsyncClient, db: Database, make_tenant: TenantFactory, dialect: str
) -> None:
    """On PostgreSQL an import analyses ``products`` and ``variants`` when their statistics
    know few rows, so the variants' foreign-key checks find each product by its key and the
    codes in use are looked up by their own index (docs/scaling.md)."""
    if dialect != "postgresql":
        pytest.skip("SQLite checks a foreign key through the parent's key")
    tenant = await make_tenant()
    prefix = unique_sku()
    rows = [f"{prefix}-{i},,Item {i},2,,,," for i in range(300)]
    result = await import_csv(client, db, tenant, full_csv(*rows))
    assert (result["status"], result["created"]) == ("succeeded", 300)
    async with transaction(db) as session:
        for table in ("products", "variants"):  # each product has its default variant
            known = await session.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                {"t": table},
            )
            assert known.scalar_one() >= 300, table


async def test_events_past_the_first_thousands_are_held_in_a_table_until_commit(
    client: httpx.AsyncClient, db: Database, make_tenant: TenantFactory
) -> None:
    """An import keeps its first events in memory and holds the rest in
    ``catalog_import_events``; at commit they are numbered after the ones in memory, under the
    same counter lock, and the held rows are gone. A rolled-back import leaves none."""
    tenant = await make_tenant()
    made = [await create_product(client, tenant) for _ in range(3)]
    before = await product_events(client, tenant)
    async with transaction(db, tenant_id=tenant.id) as session:
        rows = await session.execute(select(Product).order_by(Product.id))
        found = list(rows.scalars())
        events = ImportEvents(tenant.id, keep_in_memory=1)
        await events.created(session, await product_fields_of(session, None, found, stock=None))
        assert len(session.info["pending_events"]) == 1
        assert (
            await session.execute(select(func.count()).where(HELD.c.tenant_id == tenant.id))
        ).scalar() == 2
    after = await product_events(client, tenant)
    new = after[len(before) :]
    assert [e["data"]["productId"] for e in new] == sorted(p["productId"] for p in made)
    assert [e["seq"] for e in new] == list(range(new[0]["seq"], new[0]["seq"] + 3))
    async with transaction(db, tenant_id=tenant.id) as session:
        assert (
            await session.execute(select(func.count()).where(HELD.c.tenant_id == tenant.id))
        ).scalar() == 0
        savepoint = await session.begin_nested()
        events = ImportEvents(tenant.id, keep_in_memory=0)
        await events.created(session, await product_fields_of(session, None, found, stock=None))
        await savepoint.rollback()
        events.drop(session)
        record_event(session, "product.test", {}, subject_id=found[0].id)
    assert len(await product_events(client, tenant)) == len(after) + 1


async def test_held_events_are_written_when_none_is_in_memory(
    client: httpx.AsyncClient, db: Database, make_tenant: TenantFactory
) -> None:
    """A transaction whose events are all held (none in memory) still numbers and writes
    them at commit, and leaves no held row behind."""
    tenant = await make_tenant()
    made = [await create_product(client, tenant) for _ in range(2)]
    before = await product_events(client, tenant)
    async with transaction(db, tenant_id=tenant.id) as session:
        found = list((await session.execute(select(Product).order_by(Product.id))).scalars())
        fields = await product_fields_of(session, None, found, stock=None)
        await ImportEvents(tenant.id, keep_in_memory=0).created(session, fields)
        assert not session.info.get("pending_events")
    new = (await product_events(client, tenant))[len(before) :]
    assert [e["data"]["productId"] for e in new] == sorted(p["productId"] for p in made)
    assert [e["seq"] for e in new] == [before[-1]["seq"] + 1, before[-1]["seq"] + 2]
    async with transaction(db, tenant_id=tenant.id) as session:
        held = select(func.count()).where(HELD.c.tenant_id == tenant.id)
        assert (await session.execute(held)).scalar() == 0


async def test_the_first_thousand_errors_are_kept_and_all_are_counted(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    prefix = unique_sku()
    rows = [f"{prefix}-{i},,Bad {i},-1,,,," for i in range(1_200)]
    result = await import_csv(client, db, tenant, full_csv(*rows))
    assert result["status"] == "failed"
    assert (len(result["errors"]), result["errorCount"]) == (1_000, 1_200)
    assert [e["line"] for e in result["errors"]] == list(range(2, 1_002))
