"""The browser app in a real browser: Debian's Chromium driven by Playwright against a real
``tillpoint serve`` (SQLite, a tenant of its own). Skipped when Chromium or the built app is
missing, unless ``TILLPOINT_REQUIRE_BROWSER=1`` (CI sets it: then that is a failure).

Screenshots go to ``test-artifacts/screens/`` (``docs/app.md`` shows them).
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.support.server import Server, cli_env, cli_tenant, run_cli, running_server
from tillpoint.webapp.serve import DIST

REQUIRE_BROWSER = os.environ.get("TILLPOINT_REQUIRE_BROWSER") == "1"
# How long an expectation waits for the screen to show it: a round trip to the server and a
# render, which on a 2-core CI machine running the rest of the suite beside can pass 5 s.
expect.set_options(timeout=15_000)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
OWNER_EMAIL, OWNER_PASSWORD = "owner@browser.example.com", "browser-test-pw"
TABLET = ViewportSize(width=1024, height=768)
DESKTOP = ViewportSize(width=1920, height=1080)


def chromium() -> str | None:
    return os.environ.get("TILLPOINT_CHROMIUM") or shutil.which("chromium")


def _missing() -> str | None:
    if chromium() is None:
        return "Chromium is not installed (.ci/install-browser installs Debian's)"
    if not (DIST / "index.html").is_file():
        return "the browser app is not built (make web: needs Node.js >= 20 and npm)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A module's tests run on one xdist worker (``--dist loadgroup``), so its shop server and
    browser start once, not once per worker."""
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


@pytest.fixture(scope="session", autouse=True)
def browser_ready() -> None:
    missing = _missing()
    if missing is None:
        return
    if REQUIRE_BROWSER:
        pytest.fail(f"TILLPOINT_REQUIRE_BROWSER=1 but {missing}", pytrace=False)
    pytest.skip(missing)


@dataclass
class Shop:
    """A running server with one tenant and one location, whose owner signs in with the
    credentials above; ``api`` is the owner's bearer-authenticated client for setting up."""

    server: Server
    tenant_id: str
    api: httpx.Client
    location_id: str
    location_name: str

    def url(self, path: str = "/app/") -> str:
        return f"{self.server.base_url}{path}"

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.api.post(path, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def register_with_employee(self, register: str, employee: str, pin: str) -> tuple[str, str]:
        """A register at the location and a cashier there with this PIN: their names."""
        self.post(f"/v1/locations/{self.location_id}/registers", {"name": register})
        roles = self.api.get("/v1/roles", params={"pageSize": 100}).json()["items"]
        cashier = next(r["roleId"] for r in roles if r["name"] == "cashier")
        self.post(
            "/v1/employees",
            {"name": employee, "roleId": cashier, "locationIds": [self.location_id], "pin": pin},
        )
        return register, employee


@contextmanager
def open_shop(data: Path, database_url: str | None = None, **settings: str) -> Iterator[Shop]:
    """A migrated database (SQLite in ``data`` unless ``database_url``), a tenant and its
    location, and a server of its own on it, with extra ``TILLPOINT_…`` settings."""
    url = database_url or f"sqlite+aiosqlite:///{data / 'tillpoint.db'}"
    env = cli_env(url, data, **settings)
    migrated = run_cli(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    tenant = cli_tenant(env, OWNER_EMAIL, OWNER_PASSWORD)
    with (
        running_server(env, data / "server.log") as server,
        httpx.Client(base_url=server.base_url, timeout=30) as api,
    ):
        login = api.post("/v1/sessions", json={"username": OWNER_EMAIL, "password": OWNER_PASSWORD})
        assert login.status_code == 201, login.text
        api.headers["Authorization"] = f"Bearer {login.json()['authToken']}"
        location = api.post("/v1/locations", json={"name": "Corner Shop"})
        assert location.status_code == 201, location.text
        yield Shop(server, tenant["tenantId"], api, location.json()["locationId"], "Corner Shop")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    with open_shop(tmp_path_factory.mktemp("browser")) as opened:
        yield opened


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies, no storage) at tablet size; script errors and
    CSP violations (console errors) fail the test."""
    context = browser.new_context(viewport=TABLET)
    opened = context.new_page()
    problems: list[str] = []
    # Chromium logs every 4xx as "Failed to load resource": the tests check those by what the
    # screen does (a 401 asking whether anyone is signed in is how a signed-out app starts).
    opened.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    opened.on("pageerror", lambda e: problems.append(str(e)))
    yield opened
    context.close()
    assert problems == [], problems


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wedge_scan(page: Page, code: str) -> None:
    """A keyboard-wedge scanner's burst: the code's keys, then Enter, microseconds apart, at
    whatever has the focus. Sent from inside the page in one go, as the device delivers it:
    Playwright's one round trip per key can leave gaps longer than the app's 50 ms between
    keys on a busy machine, which the app rightly takes for a person typing."""
    page.evaluate(
        """(code) => {
            const target = document.activeElement ?? document.body;
            for (const key of [...code, "Enter"]) {
                const init = { key, bubbles: true, cancelable: true };
                target.dispatchEvent(new KeyboardEvent("keydown", init));
            }
        }""",
        code,
    )
