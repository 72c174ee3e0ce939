"""The app factory: middleware, routers, exception handlers, operations endpoints, lifespan."""

import asyncio
import contextlib
import gc
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

import tillpoint.job_handlers  # noqa: F401  (registers every job kind)
from tillpoint import __version__
from tillpoint.catalog import api as catalog_api
from tillpoint.catalog import bulk_api as catalog_bulk_api
from tillpoint.catalog import scan_api as catalog_scan_api
from tillpoint.catalog.stock import StockFigures
from tillpoint.config import Settings
from tillpoint.core.db import Database
from tillpoint.core.gc_tuning import freeze_startup_objects, tune_garbage_collector
from tillpoint.core.handlers import install_exception_handlers
from tillpoint.core.idempotency import IdempotencyStore
from tillpoint.core.jobs import JobRunner, queue_stats
from tillpoint.core.logging import configure_logging
from tillpoint.core.metrics import Metrics
from tillpoint.core.openapi import install_openapi
from tillpoint.core.pipeline import RequestPipeline
from tillpoint.core.ratelimit import RateLimiter
from tillpoint.core.security import configure_password_hashing
from tillpoint.customers import api as customers_api
from tillpoint.customers import loyalty_api as customers_loyalty_api
from tillpoint.customers.loyalty_records import LoyaltyRecords
from tillpoint.customers.records import RecordsList
from tillpoint.events import api as events_api
from tillpoint.giftcards import api as giftcards_api
from tillpoint.identity import access_api as identity_access_api
from tillpoint.identity import api as identity_api
from tillpoint.identity import browser_api as identity_browser_api
from tillpoint.identity.service import LocationGrantCheck
from tillpoint.identity.sessions import resolve_browser_user, resolve_principal
from tillpoint.inventory import api as inventory_api
from tillpoint.inventory.summaries import InventoryStockFigures
from tillpoint.migrations import head_revision
from tillpoint.promotions import api as promotions_api
from tillpoint.reports import api as reports_api
from tillpoint.reports import cash_api as reports_cash_api
from tillpoint.reports import inventory_api as reports_inventory_api
from tillpoint.reports.accounting import api as accounting_api
from tillpoint.sales import api as sales_api
from tillpoint.sales.customer_orders import SalesCustomerRecords
from tillpoint.storecredit import api as storecredit_api
from tillpoint.storecredit.records import StoreCreditRecords
from tillpoint.stores import api as stores_api
from tillpoint.stores.register_sessions import employee_principal
from tillpoint.stores.service import check_assignable_locations
from tillpoint.webapp.serve import mount_app
from tillpoint.webhooks import api as webhooks_api

log = logging.getLogger("tillpoint.app")
HOUSEKEEPING_SECONDS = 600
# Sign-ins that set the session cookie: they authenticate by their body (and a register's
# cookie); an older session cookie riding along is not read there (core/pipeline.py).
SIGN_IN_PATHS = frozenset({"/v1/browser-sessions", "/v1/paired-register/employee-sessions"})


def serve_app() -> FastAPI:
    """The factory ``tillpoint serve`` gives uvicorn (once per worker process)."""
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    app = create_app(settings)
    freeze_startup_heap()
    return app


def freeze_startup_heap() -> None:
    """Move what startup built (modules, routes, models, schemas: ~216,000 objects) out of the
    garbage collector's sight. It lives as long as the process, yet every full collection
    walked all of it: 120–140 ms of CPU per full collection, during which no request moves
    (measured, docs/scaling.md); frozen, a full collection sees only what requests made."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    tune_garbage_collector()
    configure_password_hashing(
        time_cost=settings.argon2_time_cost, memory_cost_kib=settings.argon2_memory_kib
    )
    db = db or Database(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    metrics = Metrics()
    rate_limiter = RateLimiter(settings.redis_url)
    idempotency = IdempotencyStore(
        db,
        settings.idempotency_ttl_seconds,
        settings.idempotency_stale_seconds,
        settings.idempotency_heartbeat_seconds,
    )
    runner = JobRunner(
        db,
        worker_id=f"serve:{socket.gethostname()}:{os.getpid()}",
        poll_seconds=settings.job_poll_seconds,
        settings=settings,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(_housekeeping(idempotency, stop)),
            asyncio.create_task(idempotency.run_heartbeats(stop)),
        ]
        if settings.run_jobs_in_process:
            tasks.append(asyncio.create_task(runner.run_forever(stop)))
        if settings.gc_freeze_at_start:
            freeze_startup_objects()
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, timeout=30)
            await db.dispose()

    # /docs and /redoc with Swagger UI and ReDoc served from the installed package, not a CDN:
    # the docs work offline (a shop's back office, an air-gapped install).
    app = FastAPIOffline(
        title="Tillpoint API",
        version=__version__,
        description="Point-of-sale backend: catalog, stock, sales, locations and staff.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.metrics = metrics
    app.state.rate_limiter = rate_limiter
    app.state.job_runner = runner
    # What a lower domain's routes need from a higher domain, handed down here, the one place
    # that sees every domain (ADR 0008): identity checks a user's locations with stores' check,
    # and the catalog shows stock (product inventory, the scanner) with inventory's reader.
    location_grants: LocationGrantCheck = check_assignable_locations
    stock_figures: StockFigures = InventoryStockFigures()
    app.state.location_grants = location_grants
    app.state.stock_figures = stock_figures
    # What other domains hold about a customer, moved by a merge and shown by an export
    # (customers/records.py): orders; store credit and loyalty join this list.
    customer_records: RecordsList = (
        SalesCustomerRecords(),
        LoyaltyRecords(),
        StoreCreditRecords(),
    )
    app.state.customer_records = customer_records
    install_exception_handlers(app)
    # FastAPI tries routes one by one, in the order they were included (an order request
    # behind the other routers walked ~100 routes, 150–190 µs, before its endpoint ran), so
    # the till's hot paths come first: the barcode lookup (one route, the most frequent and
    # cheapest request, where 30 routes tried first were a tenth of its CPU), sales, then the
    # catalog and stock. No two routers share a method and path (tests/app/test_smoke.py), so
    # the order changes only speed.
    for module in (
        catalog_scan_api,
        sales_api,
        catalog_bulk_api,
        catalog_api,
        inventory_api,
        promotions_api,
        stores_api,
        customers_api,
        customers_loyalty_api,
        giftcards_api,
        storecredit_api,
        events_api,
        webhooks_api,
        identity_api,
        identity_browser_api,
        identity_access_api,
        reports_api,
        reports_cash_api,
        reports_inventory_api,
        accounting_api,
    ):
        app.include_router(module.router)
    _add_operations_routes(app, db, metrics)
    mount_app(app)
    install_openapi(app)

    async def principal_for(  # type: ignore[no-untyped-def]
        session: AsyncSession, token: str, from_cookie: bool
    ):
        rate_limit = settings.default_rate_limit_per_minute
        if not from_cookie:
            return await resolve_principal(session, token, user_rate_limit=rate_limit)
        # A browser session cookie: a user's (identity), or an employee's on a register
        # (stores, which identity may not import: ADR 0008).
        return await resolve_browser_user(
            session, token, user_rate_limit=rate_limit
        ) or await employee_principal(session, token, rate_limit=rate_limit)

    app.add_middleware(
        RequestPipeline,
        db=db,
        resolve_principal=principal_for,
        rate_limiter=rate_limiter,
        idempotency=idempotency,
        metrics=metrics,
        max_body_bytes=settings.max_body_bytes,
        large_body_paths={
            "/v1/catalog/imports": settings.max_import_bytes,
            "/v1/catalog/products/batch": settings.max_batch_bytes,
        },
        anonymous_rate_limit=settings.anonymous_rate_limit_per_minute,
        # Responses carrying fresh credentials (a token, a cookie) are never stored.
        idempotency_exempt=frozenset(SIGN_IN_PATHS | {"/v1/sessions", "/v1/sessions/refresh"}),
        idempotency_exempt_suffixes=("/pairing",),
        sign_in_paths=SIGN_IN_PATHS,
        cookie_secure=settings.cookie_secure,
    )
    return app


async def _housekeeping(idempotency: IdempotencyStore, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await idempotency.purge_expired()
        except Exception:
            log.exception("housekeeping failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=HOUSEKEEPING_SECONDS)


def _add_operations_routes(app: FastAPI, db: Database, metrics: Metrics) -> None:
    @app.get("/healthz", tags=["operations"], include_in_schema=True)
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """The database answers and its schema is at the latest migration."""
        try:
            async with db.session(read_only=True) as session:
                current = (
                    await session.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar_one_or_none()
        except Exception:
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable"}, status_code=503
            )
        head = head_revision()
        if current != head:
            return JSONResponse(
                {"status": "unavailable", "database": "ok", "migrations": "pending"},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "database": "ok", "migrations": "current"})

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def prometheus_metrics() -> Response:
        try:
            async with db.session(read_only=True) as session:
                stats = await queue_stats(session)
            metrics.job_queue_depth.set(stats.depth)
            metrics.job_queue_oldest_age.set(stats.oldest_age_seconds)
        except Exception:
            log.warning("could not read job queue stats")
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
