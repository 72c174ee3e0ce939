"""Bulk catalog work: the batch upsert (per item), CSV imports (all or nothing, as a background
job and from the CLI) and CSV export."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.catalog import create_product, make_gtin, unique_gtin, unique_sku
from tests.support.server import cli_env, run_cli
from tests.support.tenants import TenantFactory, TenantFixture
from tillpoint.core.db import Database
from tillpoint.core.jobs import JobRunner

BATCH = "/v1/catalog/products/batch"
IMPORTS = "/v1/catalog/imports"
HEADER = (
    "sku,parent_sku,name,barcode,barcode_internal,category,price,cost,option_values,images,"
    "attributes"
)


async def products(client: httpx.AsyncClient, tenant: TenantFixture) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/catalog/products", headers=tenant.headers, params={"pageSize": 200}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def product_events(client: httpx.AsyncClient, tenant: TenantFixture) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/events", headers=tenant.headers, params={"types": "product.*", "limit": 1000}
    )
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["items"]
    return events


async def run_jobs(db: Database) -> None:
    runner = JobRunner(db, worker_id="test-runner")
    while await runner.run_once():
        pass


async def test_batch_upserts_by_sku_and_reports_each_item(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    existing = await create_product(client, tenant, name="Old name", price=5)
    good_sku, bad_sku = unique_sku(), unique_sku()
    items = [
        {
            "sku": good_sku,
            "name": "Hoodie",
            "price": 40,
            "category": "Apparel > Hoodies",
            "variants": [
                {"sku": f"{good_sku}-S", "optionValues": [{"name": "Size", "value": "S"}]},
                {"sku": f"{good_sku}-M", "optionValues": [{"name": "Size", "value": "M"}]},
            ],
        },
        {"sku": existing["sku"], "name": "New name", "price": 6.5},
        {"sku": bad_sku, "name": "Bad", "price": 1, "barcode": "012345678906"},
        {"sku": good_sku, "name": "Twice", "price": 1},
        {"sku": existing["sku"], "name": "New name", "price": 6.5},
    ]
    response = await client.post(BATCH, headers=tenant.headers, json={"items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [i["status"] for i in body["items"]] == [
        "created",
        "updated",
        "failed",
        "failed",
        "failed",
    ]
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 3)
    assert body["items"][2]["errors"][0]["code"] == "INVALID_BARCODE"
    assert body["items"][3]["errors"][0]["code"] == "SKU_ALREADY_EXISTS"

    listed = {p["sku"]: p for p in await products(client, tenant)}
    assert bad_sku not in listed
    assert listed[existing["sku"]]["name"] == "New name"
    assert listed[existing["sku"]]["price"] == 6.5
    hoodie = listed[good_sku]
    assert [v["name"] for v in hoodie["variants"]] == ["S", "M"]
    assert hoodie["category"] == "Hoodies"
    # Events only for what happened: nothing for the failed item.
    events = await product_events(client, tenant)
    assert not [e for e in events if e["data"].get("sku") == bad_sku]
    assert [e["type"] for e in events if e["data"]["sku"] == good_sku][0] == "product.created"

    again = await client.post(BATCH, headers=tenant.headers, json={"items": items[:2]})
    assert [i["status"] for i in again.json()["items"]] == ["unchanged", "unchanged"]


async def test_batch_limits(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    item = {"sku": "X", "name": "X", "price": 1}
    too_many = await client.post(BATCH, headers=tenant.headers, json={"items": [item] * 1001})
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == "VALIDATION_ERROR"
    empty = await client.post(BATCH, headers=tenant.headers, json={"items": []})
    assert empty.status_code == 400


def catalog_csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


async def import_csv(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture, text: str, **params: Any
) -> dict[str, Any]:
    started = await client.post(
        IMPORTS,
        headers={**tenant.headers, "Content-Type": "text/csv"},
        content=text.encode(),
        params=params,
    )
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    await run_jobs(db)
    done = await client.get(f"{IMPORTS}/{started.json()['importId']}", headers=tenant.headers)
    assert done.status_code == 200, done.text
    result: dict[str, Any] = done.json()
    return result


async def test_bad_csv_rows_are_reported_by_line_and_nothing_is_written(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    taken = await create_product(client, tenant)
    before = await products(client, tenant)
    text = catalog_csv(
        f"OK-1,,Fine,{unique_gtin()},,Food,2.50,,,,",  # line 2: fine on its own
        ",,No sku,,,,1,,,,",  # line 3: missing sku
        "PRICE-1,,Bad price,,,,abc,,,,",  # line 4
        "CENTS-1,,Too precise,,,,1.005,,,,",  # line 5: more decimals than USD has
        "BAR-1,,Bad barcode,012345678906,,,1,,,,",  # line 6
        "OK-1,,Again,,,,1,,,,",  # line 7: duplicate of line 2
        f"{taken['sku']}-V,{taken['sku']},,,,,,,Size=M,,",  # line 8: parent not in file
    )
    result = await import_csv(client, db, tenant, text)
    assert result["status"] == "failed"
    found = {(e["line"], e["field"]) for e in result["errors"]}
    assert {(3, "sku"), (4, "price"), (5, "price"), (6, "barcode"), (7, "sku")} <= found
    assert (8, "parent_sku") in found
    assert all(e["message"] for e in result["errors"])
    assert await products(client, tenant) == before
    assert (result["created"], result["updated"]) == (1, 0)  # what would have been


async def test_csv_import_creates_updates_and_round_trips(
    client: httpx.AsyncClient, db: Database, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant()
    tee = make_gtin(4242)
    text = catalog_csv(
        f'TEE-1,,"Classic Tee, organic",{tee},,Apparel > Tees,24.00,9.50,,'
        "https://img.example/tee.jpg|https://img.example/tee2.jpg,Weight=0.2 kg|Material=Cotton",
        "TEE-1-BL-M,TEE-1,,012345678906,true,,,,Color=Blue|Size=M,,",
        "TEE-1-BL-L,TEE-1,Blue Large,,,,26,,Color=Blue|Size=L,,",
        "MUG-1,,Mug,,,Kitchen,7.5,2,,,",
    )
    dry = await import_csv(client, db, tenant, text, dryRun="true")
    assert (dry["status"], dry["created"], dry["errors"]) == ("succeeded", 2, [])
    assert await products(client, tenant) == []

    done = await import_csv(client, db, tenant, text)
    assert (done["status"], done["created"], done["totalRows"]) == ("succeeded", 2, 4)
    assert done["processedRows"] == 4
    listed = {p["sku"]: p for p in await products(client, tenant)}
    assert listed["TEE-1"]["name"] == "Classic Tee, organic"
    assert listed["TEE-1"]["attributes"] == [
        {"name": "Weight", "value": "0.2 kg"},
        {"name": "Material", "value": "Cotton"},
    ]
    assert [(v["sku"], v["name"], v["price"]) for v in listed["TEE-1"]["variants"]] == [
        ("TEE-1-BL-M", "Blue / M", None),
        ("TEE-1-BL-L", "Blue Large", 26),
    ]

    updated = await import_csv(client, db, tenant, text.replace("7.5,2", "8,2"))
    assert (updated["created"], updated["updated"]) == (0, 1)

    exported = await client.get("/v1/catalog/export", headers=tenant.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["sku"] for r in rows] == ["TEE-1", "TEE-1-BL-M", "TEE-1-BL-L", "MUG-1"]
    assert rows[0]["category"] == "Apparel > Tees"

    # The export imports into another tenant and exports again unchanged.
    other = await make_tenant()
    copied = await import_csv(client, db, other, exported.text)
    assert (copied["status"], copied["created"]) == ("succeeded", 2)
    again = await client.get("/v1/catalog/export", headers=other.headers)
    assert again.text == exported.text


async def test_import_by_multipart_upload_and_bad_uploads(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture
) -> None:
    text = catalog_csv("UP-1,,Uploaded,,,,3,,,,")
    started = await client.post(
        IMPORTS, headers=tenant.headers, files={"file": ("goods.csv", text, "text/csv")}
    )
    assert started.status_code == 202, started.text
    assert started.json()["filename"] == "goods.csv"
    await run_jobs(db)
    done = await client.get(f"{IMPORTS}/{started.json()['importId']}", headers=tenant.headers)
    assert done.json()["status"] == "succeeded"

    for headers, content in [
        ({"Content-Type": "application/json"}, b"{}"),
        ({"Content-Type": "text/csv"}, b""),
        ({"Content-Type": "text/csv"}, b"\xff\xfe bad"),
    ]:
        response = await client.post(
            IMPORTS, headers={**tenant.headers, **headers}, content=content
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    header_only = await import_csv(client, db, tenant, "sku,name\nX,Y\n")
    assert header_only["status"] == "failed"
    assert header_only["errors"][0]["line"] == 1


async def test_another_tenants_import_is_not_found(
    client: httpx.AsyncClient, db: Database, tenant: TenantFixture, make_tenant: TenantFactory
) -> None:
    result = await import_csv(client, db, tenant, catalog_csv("MINE-1,,Mine,,,,1,,,,"))
    intruder = await make_tenant()
    response = await client.get(f"{IMPORTS}/{result['importId']}", headers=intruder.headers)
    assert response.status_code == 404


@pytest.fixture
def sqlite_only(dialect: str) -> None:
    if dialect != "sqlite":
        pytest.skip("the CLI test runs once, on the SQLite database")


@pytest.mark.usefixtures("sqlite_only")
async def test_cli_import_and_export(
    database_url: str, tmp_path: Path, tenant: TenantFixture
) -> None:
    env = cli_env(database_url, tmp_path)
    good = tmp_path / "good.csv"
    good.write_text(catalog_csv("CLI-1,,From the CLI,,,Tools,3.25,,,,"))
    bad = tmp_path / "bad.csv"
    bad.write_text(catalog_csv("CLI-2,,Fine,,,,1,,,,", "CLI-3,,Broken,,,,-4,,,,"))

    refused = run_cli(env, "catalog", "import", str(bad), "--tenant-id", tenant.id)
    assert refused.returncode == 1
    assert "3" in refused.stdout
    assert "price" in refused.stdout
    assert "Nothing was imported" in refused.stdout

    checked = run_cli(env, "catalog", "import", str(good), "--tenant-id", tenant.id, "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "Would create 1" in checked.stdout

    imported = run_cli(env, "catalog", "import", str(good), "--tenant-id", tenant.id)
    assert imported.returncode == 0, imported.stderr
    assert "Created 1" in imported.stdout

    out = tmp_path / "out.csv"
    exported = run_cli(env, "catalog", "export", str(out), "--tenant-id", tenant.id)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(out.open()))
    assert [(r["sku"], r["price"], r["category"]) for r in rows] == [("CLI-1", "3.25", "Tools")]


async def test_export_never_hands_a_spreadsheet_a_formula(
    client: httpx.AsyncClient, db: Database, make_tenant: TenantFactory
) -> None:
    """CSV injection: a cell that starts like a formula is exported as text ('=…), and the
    import takes the quote off again, so the file still round-trips exactly."""
    tenant = await make_tenant()
    names = ['=HYPERLINK("http://evil.example","x")', "+1 cup", "-20% tee", "@SUM(A1)", "'=ok"]
    for name in names:
        await create_product(client, tenant, name=name, description=f"{name} desc")
    exported = await client.get("/v1/catalog/export", headers=tenant.headers)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(r["name"] for r in rows) == sorted(f"'{n}" for n in names)
    risky = re.compile(r"^[=+\-@\t\r]")
    assert not [cell for row in rows for cell in row.values() if risky.match(cell)]

    other = await make_tenant()
    copied = await import_csv(client, db, other, exported.text)
    assert (copied["status"], copied["created"], copied["errors"]) == ("succeeded", 5, [])
    imported = {p["name"]: p["description"] for p in await products(client, other)}
    assert imported == {n: f"{n} desc" for n in names}
    again = await client.get("/v1/catalog/export", headers=other.headers)
    assert again.text == exported.text
