"""The ``tillpoint`` command: serve, worker, migrate, demo, and tenant/key creation for scripts."""

import asyncio
import json
import os
import signal
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from tillpoint.config import Settings
from tillpoint.core.db import Database
from tillpoint.core.gc_tuning import freeze_startup_objects, tune_garbage_collector
from tillpoint.core.jobs import JobRunner
from tillpoint.core.logging import configure_logging
from tillpoint.core.transactions import transaction
from tillpoint.migrations import upgrade

if TYPE_CHECKING:
    from tillpoint.core.auth import Principal

app = typer.Typer(
    help="Tillpoint point-of-sale backend.", no_args_is_help=True, add_completion=False
)
console = Console()
err_console = Console(stderr=True)


def _prepare(settings: Settings) -> None:
    """Make the data directory and bring the schema up to date; pace the collector and keep
    what start-up made out of its walks (core/gc_tuning.py)."""
    tune_garbage_collector()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.sqlalchemy_url)
    if settings.gc_freeze_at_start:
        freeze_startup_objects()


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    settings = Settings()
    _prepare(settings)
    console.print(f"[green]Database is up to date[/green] ({_redacted(settings.sqlalchemy_url)})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes")] = 1,
) -> None:
    """Serve the API (applies pending migrations first)."""
    settings = Settings()
    _prepare(settings)
    console.print(f"Tillpoint API on [bold]http://{host}:{port}[/bold]")
    console.print(f"  app:     http://{host}:{port}/app/")
    console.print(f"  docs:    http://{host}:{port}/docs")
    console.print(f"  openapi: http://{host}:{port}/openapi.json")
    uvicorn.run(
        "tillpoint.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=30,
        proxy_headers=True,
        # No `server: uvicorn` on every response: what we run is nobody's business.
        server_header=False,
    )


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs this process runs at once")] = 4,
    grace_seconds: Annotated[
        float, typer.Option(min=0, help="On SIGTERM, how long running jobs may take to finish")
    ] = 25.0,
    lease_seconds: Annotated[
        float,
        typer.Option(min=1, help="How long a claim lasts before another worker may take the job"),
    ] = 300.0,
) -> None:
    """Run background jobs (webhook delivery, connector polling, imports) until SIGTERM.

    On SIGTERM or SIGINT it stops claiming, lets running jobs finish for up to
    ``--grace-seconds``, then cancels the rest and hands their jobs back to be retried."""
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    _prepare(settings)

    import tillpoint.job_handlers  # noqa: F401  (registers every job kind)

    async def run() -> None:
        db = Database(settings.sqlalchemy_url, pool_size=max(2, concurrency + 1))
        runner = JobRunner(
            db,
            worker_id=f"worker:{socket.gethostname()}:{os.getpid()}",
            concurrency=concurrency,
            poll_seconds=settings.job_poll_seconds,
            lease_seconds=lease_seconds,
            grace_seconds=grace_seconds,
            settings=settings,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await runner.run_forever(stop)
        finally:
            await db.dispose()

    asyncio.run(run())


@app.command()
def demo(
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Do nothing if it exists")
    ] = False,
) -> None:
    """Create the demo store (two locations, staff, taxes, ~200 products, stock); print logins."""
    from tillpoint.demo.tenant import ensure_demo

    settings = Settings()
    _prepare(settings)
    credentials = asyncio.run(
        _with_db(settings, lambda db: ensure_demo(db, settings, create=not if_missing))
    )
    # No docs URL here: the demo does not know where the server will listen; serve prints it.
    table = Table(title="Demo store", show_header=False)
    for label, value in credentials.items():
        table.add_row(label, value)
    console.print(table)


@app.command("create-tenant")
def create_tenant(
    name: Annotated[str, typer.Option()],
    owner_email: Annotated[str, typer.Option()],
    owner_password: Annotated[str, typer.Option()],
    currency: Annotated[str, typer.Option()] = "USD",
    timezone: Annotated[str, typer.Option()] = "UTC",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a tenant, its owner user and its default tax classes."""
    from tillpoint.provisioning import create_tenant as create

    settings = Settings()
    _prepare(settings)

    async def run(db: Database) -> dict[str, str]:
        async with transaction(db) as session:
            made = await create(
                session,
                name=name,
                owner_email=owner_email,
                owner_password=owner_password,
                currency=currency,
                timezone=timezone,
            )
            return {"tenantId": made.tenant.id, "ownerUserId": made.owner.id}

    result = _run_or_exit(settings, run)
    _print_result(result, as_json)


@app.command("create-api-key")
def create_api_key(
    tenant_id: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    scopes: Annotated[str, typer.Option(help="Comma-separated permissions")],
    rate_limit: Annotated[int | None, typer.Option(help="Requests per minute")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API key for a tenant; the key is printed once."""
    from tillpoint.core.auth import Principal
    from tillpoint.identity.api_keys import create_api_key as create
    from tillpoint.identity.permissions import ALL
    from tillpoint.identity.schemas import ApiKeyIn
    from tillpoint.identity.service import get_tenant

    settings = Settings()
    _prepare(settings)

    async def run(db: Database) -> dict[str, str]:
        async with transaction(db, tenant_id=tenant_id) as session:
            await get_tenant(session, tenant_id)
            cli = Principal("user", "cli", tenant_id, "tillpoint CLI", ALL, None, 0)
            body = ApiKeyIn(
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                rate_limit_per_minute=rate_limit,
            )
            key, secret = await create(
                session, cli, body, default_rate_limit=settings.default_rate_limit_per_minute
            )
            return {"apiKeyId": key.id, "key": secret}

    result = _run_or_exit(settings, run)
    _print_result(result, as_json)


catalog_app = typer.Typer(help="Import and export the catalog as CSV.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


def _cli_principal(tenant_id: str) -> "Principal":
    from tillpoint.core.auth import Principal
    from tillpoint.identity.permissions import ALL

    return Principal("user", "cli", tenant_id, "tillpoint CLI", ALL, None, 0)


@catalog_app.command("import")
def catalog_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CSV file")],
    tenant_id: Annotated[str, typer.Option(help="The tenant to import into")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; write nothing")] = (
        False
    ),
) -> None:
    """Create or update products from CSV, all or nothing; bad rows are listed by line."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from tillpoint.catalog.imports import import_catalog_csv
    from tillpoint.identity.service import get_tenant

    settings = Settings()
    _prepare(settings)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        err_console.print("[red]The file is not UTF-8 text[/red]")
        raise typer.Exit(2) from None

    async def run(db: Database) -> Any:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            "rows",
            TimeElapsedColumn(),
            console=err_console,
        ) as bar:
            # The lines after the header: the rows, unless a cell spans lines (then the bar
            # ends early; the import's own count is the truth).
            lines = max(0, text.count("\n") - 1 + (0 if text.endswith("\n") else 1))
            task = bar.add_task("Importing" if not dry_run else "Checking", total=lines or None)

            async def progress(rows: int) -> None:
                bar.update(task, completed=rows)

            async with transaction(db, tenant_id=tenant_id) as session:
                await get_tenant(session, tenant_id)
                result = await import_catalog_csv(
                    session, _cli_principal(tenant_id), text, dry_run=dry_run, progress=progress
                )
                bar.update(task, total=result.total_rows, completed=result.total_rows)
                return result

    result = _run_or_exit(settings, run)
    if result.errors:
        table = Table("line", "sku", "field", "problem", title="Rows with errors")
        for error in result.errors:
            table.add_row(str(error.line), error.sku, error.field, error.message)
        console.print(table)
        shown = len(table.rows)
        more = f" (the first {shown:,} by line shown)" if shown < len(result.errors) else ""
        console.print(f"[red]Nothing was imported[/red]: {len(result.errors):,} errors{more}.")
        raise typer.Exit(1)
    verb = "Would create" if dry_run else "Created"
    console.print(
        f"[green]{verb} {result.created}, {'would update' if dry_run else 'updated'} "
        f"{result.updated} products[/green] ({result.unchanged} unchanged) "
        f"from {result.total_rows} rows."
    )


reports_app = typer.Typer(help="The reports' summary tables.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")


@reports_app.command("rebuild")
def reports_rebuild(
    tenant_id: Annotated[str, typer.Option(help="The tenant whose summaries to rebuild")],
) -> None:
    """Empty the tenant's report summaries and roll its whole event sequence up again."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from tillpoint.identity.service import get_tenant
    from tillpoint.reports.rollup import rebuild

    settings = Settings()
    _prepare(settings)

    async def run(db: Database) -> int:
        async with transaction(db, tenant_id=tenant_id) as session:
            await get_tenant(session, tenant_id)
        folded = 0
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=err_console) as bar:
            task = bar.add_task("Rolling up sales events")

            def advance(count: int) -> None:
                nonlocal folded
                folded += count
                bar.update(task, description=f"Rolled up {folded:,} sales events")

            await rebuild(db, tenant_id, advance)
        return folded

    folded = _run_or_exit(settings, run)
    console.print(f"[green]Rebuilt the summaries from {folded:,} sales events.[/green]")


@catalog_app.command("export")
def catalog_export(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the CSV")],
    tenant_id: Annotated[str, typer.Option(help="The tenant to export")],
) -> None:
    """Write every live product and variant to CSV (the import format)."""
    from tillpoint.catalog.csv_io import write_catalog_csv
    from tillpoint.catalog.imports import export_catalog
    from tillpoint.identity.service import get_tenant

    settings = Settings()
    _prepare(settings)

    async def run(db: Database) -> int:
        async with db.session(tenant_id=tenant_id, read_only=True) as session:
            await get_tenant(session, tenant_id)
            rows = [row async for row in export_catalog(session, _cli_principal(tenant_id))]
        with file.open("w", encoding="utf-8", newline="") as out:
            return write_catalog_csv(rows, out)

    count = _run_or_exit(settings, run)
    console.print(f"[green]Wrote {count} rows[/green] to {file}")


async def _with_db(settings: Settings, work):  # type: ignore[no-untyped-def]
    db = Database(settings.sqlalchemy_url)
    try:
        return await work(db)
    finally:
        await db.dispose()


def _run_or_exit(settings: Settings, work):  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import NoResultFound

    from tillpoint.core.errors import AppError

    try:
        return asyncio.run(_with_db(settings, work))
    except AppError as exc:
        detail = "; ".join(f"{d.get('field')}: {d.get('message')}" for d in exc.details)
        err_console.print(f"[red]{exc.code}[/red]: {exc.message} {detail}".rstrip())
        raise typer.Exit(2) from None
    except NoResultFound:
        err_console.print("[red]NOT_FOUND[/red]: no such tenant")
        raise typer.Exit(2) from None


def _print_result(result: dict[str, str], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
        return
    table = Table(show_header=False)
    for key, value in result.items():
        table.add_row(key, value)
    console.print(table)


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
