"""Another tenant's data is simply not found: walk every route of the app, so a new endpoint is
covered the day it is added (its path parameters must be named ``<resource>_id`` after
``core.ids.PREFIXES``, and the demo tenant must hold one of its resources)."""

import re
import uuid
from typing import Any

from sqlalchemy import select, update

from tillpoint.core.ids import PREFIXES
from tillpoint.core.transactions import transaction
from tillpoint.demo.tenant import seed_demo
from tillpoint.migrations.metadata import metadata

PATH_PARAM = re.compile(r"{(\w+)}")


async def tenant_rows(db: Any, tenant_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every tenant-keyed table that belongs to ``tenant_id``."""
    snapshot = {}
    async with db.session() as session:
        for table in metadata.sorted_tables:
            if "tenant_id" not in table.c:
                continue
            query = select(table).where(table.c.tenant_id == tenant_id)
            rows = (await session.execute(query.execution_options(all_tenants=True))).all()
            snapshot[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return snapshot


def ids_by_prefix(snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rows in snapshot.values():
        for row in rows:
            for value in row:
                prefix, _, rest = value.partition("_")
                if len(rest) == 26 and prefix in PREFIXES.values():
                    found.setdefault(prefix, []).append(value)
    return found


def api_routes(app: Any) -> list[tuple[str, set[str]]]:
    """(path template, methods) of every /v1 operation, from the app's own OpenAPI document."""
    return [
        (path, {m.upper() for m in operations})
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/v1/")
    ]


def needs_query(app: Any, template: str) -> bool:
    """A GET that cannot run without query parameters (the scanner's lookup, probed below)."""
    parameters = app.openapi()["paths"][template]["get"].get("parameters", [])
    return template in NEEDS_QUERY or any(
        p["in"] == "query" and p.get("required") for p in parameters
    )


NEEDS_QUERY = {"/v1/catalog/lookup"}
# A tenant's one-of-a-kind settings that are 404 until it sets them up.
UNSET_SINGLETONS = {"/v1/loyalty/program"}
# What only a browser's cookies open (docs/api.md "Browser sessions"): a bearer principal gets
# its documented refusal, never another tenant's data. The register's device is tested with a
# device of tenant A in tests/stores/test_register_pairing.py.
COOKIE_ONLY = {
    "/v1/browser-sessions/current": (403, "FORBIDDEN"),
    "/v1/paired-register": (401, "REGISTER_NOT_PAIRED"),
}


async def test_every_route_hides_another_tenants_resources(app, client, db, make_tenant) -> None:
    settings = app.state.settings
    await seed_demo(db, settings, email_domain=f"{uuid.uuid4().hex[:8]}.example.com")
    async with db.session() as session:
        from tillpoint.identity.models import Tenant

        tenant_a = (
            await session.execute(select(Tenant.id).order_by(Tenant.created_at.desc()).limit(1))
        ).scalar_one()
    async with transaction(db, tenant_id=tenant_a) as session:
        # Not the name `tillpoint demo` looks for, so the CLI's demo test stays independent.
        await session.execute(
            update(Tenant).where(Tenant.id == tenant_a).values(name="Isolation probe")
        )
    before = await tenant_rows(db, tenant_a)
    a_ids = ids_by_prefix(before)
    intruder = await make_tenant(name="Intruder")

    checked = 0
    for template, methods in api_routes(app):
        params = PATH_PARAM.findall(template)
        if not params:
            continue
        path = template
        for param in params:
            resource = param.removesuffix("_id")
            rule = f"{template}: name path parameters <resource>_id after core.ids.PREFIXES"
            assert param.endswith("_id"), rule
            assert resource in PREFIXES, rule
            candidates = a_ids.get(PREFIXES[resource])
            assert candidates, f"the demo tenant has no {resource} to probe {template} with"
            path = path.replace("{" + param + "}", candidates[0])
        for method in sorted(methods):
            body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
            response = await client.request(method, path, json=body, headers=intruder.headers)
            assert response.status_code == 404, (
                f"{method} {path}: {response.status_code} {response.text}"
            )
            assert response.json()["error"]["code"] == "NOT_FOUND"
            checked += 1
    assert checked > 10

    # Lists and feeds of the intruder never mention tenant A's resources.
    a_id_set = {i for ids in a_ids.values() for i in ids}
    for template, methods in api_routes(app):
        if "GET" in methods and not PATH_PARAM.search(template) and not needs_query(app, template):
            response = await client.get(template, headers=intruder.headers)
            # A tenant's one-of-a-kind settings are 404 until it sets them up (as Square's
            # loyalty program is); the intruder has set up none.
            expected = 404 if template in UNSET_SINGLETONS else 200
            if template in COOKIE_ONLY:
                expected, code = COOKIE_ONLY[template]
                assert response.json()["error"]["code"] == code, f"GET {template}"
            assert response.status_code == expected, f"GET {template}: {response.text}"
            leaked = {i for i in a_id_set if i in response.text}
            assert not leaked, f"GET {template} leaks {sorted(leaked)[:3]}"

    # The scanner's lookup needs a code: tenant A's own codes are not found by the intruder.
    columns = list(metadata.tables["variants"].c.keys())
    for row in before["variants"][:20]:
        for field in ("sku", "barcode"):
            code = row[columns.index(field)]
            if code != "None":
                response = await client.get(
                    "/v1/catalog/lookup", params={field: code}, headers=intruder.headers
                )
                assert response.status_code == 404, f"lookup {field}={code}: {response.text}"

    assert await tenant_rows(db, tenant_a) == before, "the intruder changed tenant A's data"
