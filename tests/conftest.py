"""Test fixtures: the real app over HTTP (ASGI transport) on SQLite and, when
``TILLPOINT_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL database per run.

Each test gets tenants of its own, so tests are isolated without truncating tables.
"""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.support.postgres import POSTGRES_URL, fresh_postgres_database
from tests.support.tenant_scope import TenantScopeCheck
from tests.support.tenants import (
    PASSWORD,
    TenantFactory,
    TenantFixture,
    login,
    make_settings,
)
from tillpoint.app import create_app
from tillpoint.core.db import Database
from tillpoint.core.transactions import transaction
from tillpoint.migrations import upgrade

REQUIRE_POSTGRES = os.environ.get("TILLPOINT_REQUIRE_POSTGRES") == "1"


def pytest_configure() -> None:
    if REQUIRE_POSTGRES and not POSTGRES_URL:
        raise pytest.UsageError(
            "TILLPOINT_REQUIRE_POSTGRES=1 but TILLPOINT_TEST_POSTGRES_URL is unset"
        )


@pytest.fixture(scope="session", autouse=True)
def tenant_scope_check() -> Iterator[TenantScopeCheck]:
    """Every statement any engine runs in this process is checked for its tenant scope
    (tests/support/tenant_scope.py)."""
    check = TenantScopeCheck()
    check.install()
    yield check
    check.uninstall()


@pytest.fixture(autouse=True)
def _tenant_scoped_statements_only(tenant_scope_check: TenantScopeCheck) -> Iterator[None]:
    """Fails the test during which a Core statement touched a tenant's table unscoped."""
    yield
    found = tenant_scope_check.take()
    if found:
        pytest.fail("\n\n".join(str(f) for f in found), pytrace=False)


def _backends() -> list[Any]:
    params: list[Any] = [pytest.param("sqlite", id="sqlite")]
    params.append(
        pytest.param(
            "postgresql",
            id="postgresql",
            marks=pytest.mark.skipif(
                not POSTGRES_URL, reason="TILLPOINT_TEST_POSTGRES_URL not set"
            ),
        )
    )
    return params


@pytest.fixture(scope="session")
def postgres_database_url() -> Any:
    """A fresh database on the test server for this run, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session", params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "tillpoint.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database_url")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
async def app_and_db(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Any, Database]]:
    settings = make_settings(database_url, tmp_path_factory.mktemp("data"))
    db = Database(settings.sqlalchemy_url, pool_size=20)
    app = create_app(settings, db=db)
    async with app.router.lifespan_context(app):
        yield app, db


@pytest.fixture
def app(app_and_db: tuple[Any, Database]) -> Any:
    return app_and_db[0]


@pytest.fixture
def db(app_and_db: tuple[Any, Database]) -> Database:
    return app_and_db[1]


@pytest.fixture
def dialect(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture(scope="session")
def loopback_printer_app(app_and_db: tuple[Any, Database]) -> Any:
    """A second app on the same database, run as a developer would with
    ``TILLPOINT_PRINTER_ALLOW_LOOPBACK=true``: printers may be on 127.0.0.1, where the tests'
    printer stand-ins listen. The main test app keeps the production default (refused)."""
    app, db = app_and_db
    settings = app.state.settings.model_copy(update={"printer_allow_loopback": True})
    return create_app(settings, db=db)  # no lifespan of its own: the main app's owns the db


@pytest.fixture
async def loopback_printer_client(loopback_printer_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=loopback_printer_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def make_tenant(client: httpx.AsyncClient, db: Database) -> TenantFactory:
    from tillpoint.provisioning import create_tenant

    async def factory(
        name: str = "Test Shop", currency: str = "USD", timezone: str = "America/New_York"
    ) -> TenantFixture:
        email = f"owner-{uuid.uuid4().hex[:12]}@shop.example.com"
        async with transaction(db) as session:
            made = await create_tenant(
                session,
                name=name,
                owner_email=email,
                owner_password=PASSWORD,
                currency=currency,
                timezone=timezone,
            )
        response = await login(client, email)
        assert response.status_code == 201, response.text
        body = response.json()
        return TenantFixture(
            made.tenant.id, made.owner.id, email, body["authToken"], body["refreshToken"]
        )

    return factory


@pytest.fixture
async def tenant(make_tenant: TenantFactory) -> TenantFixture:
    return await make_tenant()
