"""The shop `bench.app_speed` measures the register in: a real ``tillpoint serve`` on a
throw-away PostgreSQL database, one location with a register and a cashier, a catalog of
products with barcodes, and the baseline page beside the app.

The baseline is a static HTML file written into the built app's directory for the run (and
removed after it), so the same server serves it under the same headers and caching as the
app's ``index.html``: a list of the same products with their prices, no script. What separates
the two is the app's own cost: its script, its API calls and its rendering.
"""

from __future__ import annotations

import contextlib
import html
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness import BenchError
from bench.harness.cleanup import temporary_directory
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.servers import free_port, start_server, wait_ready
from bench.harness.tillpoint import run_cli, serve_command, server_env
from tillpoint.webapp.serve import DIST

CASHIER_PIN = "2580"
OPENING_FLOAT = 150


@dataclass
class BenchShop:
    base_url: str
    postgres_version: str
    owner_email: str
    owner_password: str
    location_id: str
    register_id: str
    employee_id: str
    barcodes: list[str]
    baseline_path: str

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def gtin13(n: int) -> str:
    """A valid GTIN-13 in the in-store range (prefix 2), distinct for each ``n``."""
    body = f"2{n:011d}"
    odd_even = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - odd_even % 10) % 10)


def start_shop(
    stack: contextlib.ExitStack, products: int, server_env_extra: list[str]
) -> BenchShop:
    if not (DIST / "index.html").is_file():
        raise BenchError("the browser app is not built: run `make web` (Node.js >= 20 and npm)")
    run_id = secrets.token_hex(4)
    database = create_database(stack, admin_url_from_env(), run_id)
    scratch = temporary_directory(stack)
    env = server_env(database.url, scratch, server_env_extra)
    port = free_port()
    server = start_server(stack, "tillpoint", serve_command(port, 1), port, env, scratch)
    wait_ready(server, "/readyz")
    email, password = f"owner-{run_id}@bench.example.com", secrets.token_urlsafe(18)
    run_cli(
        ["create-tenant", "--name", "Bench Shop", "--owner-email", email]
        + ["--owner-password", password],
        env,
    )
    with httpx.Client(base_url=server.base_url, timeout=60) as api:
        login = _ok(api.post("/v1/sessions", json={"username": email, "password": password}))
        api.headers["Authorization"] = f"Bearer {login['authToken']}"
        location = _ok(api.post("/v1/locations", json={"name": "Bench Street"}))["locationId"]
        register = _ok(api.post(f"/v1/locations/{location}/registers", json={"name": "Till 1"}))
        roles = _ok(api.get("/v1/roles", params={"pageSize": 100}))["items"]
        cashier_role = next(r["roleId"] for r in roles if r["name"] == "cashier")
        employee = _ok(
            api.post(
                "/v1/employees",
                json={"name": "Bench Cashier", "roleId": cashier_role}
                | {"locationIds": [location], "pin": CASHIER_PIN},
            )
        )
        barcodes = [gtin13(n) for n in range(1, products + 1)]
        rows = [
            {"sku": f"BENCH-{n:05d}", "name": f"Bench item {n}", "price": n % 40 + 1.5}
            | {"barcode": code}
            for n, code in enumerate(barcodes, start=1)
        ]
        for start in range(0, len(rows), 500):
            done = _ok(
                api.post("/v1/catalog/products/batch", json={"items": rows[start : start + 500]})
            )
            if done["failed"]:
                raise BenchError(f"seeding products failed: {done}")
    baseline = _write_baseline(stack, run_id, rows)
    return BenchShop(
        server.base_url,
        database.server_version,
        email,
        password,
        location,
        register["registerId"],
        employee["employeeId"],
        barcodes,
        baseline,
    )


def _write_baseline(stack: contextlib.ExitStack, run_id: str, rows: list[dict[str, Any]]) -> str:
    """The static list page, in the app's directory until the run ends; its path on the server."""
    items = "\n".join(
        f"<li><span>{html.escape(r['name'])}</span> <span>${r['price']:.2f}</span></li>"
        for r in rows
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Baseline</title></head><body><h1>Items</h1><ul>\n{items}\n</ul></body></html>"
    )
    name = f"bench-baseline-{run_id}.html"
    path = Path(DIST) / name
    path.write_text(page, encoding="utf-8")
    stack.callback(path.unlink, missing_ok=True)
    return f"/app/{name}"


def _ok(response: httpx.Response) -> Any:
    if response.status_code not in (200, 201):
        raise BenchError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:300]}"
        )
    return response.json()
