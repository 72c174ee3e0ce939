"""The migrations build exactly the schema the models describe, on both databases."""

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tillpoint.config import async_database_url
from tillpoint.migrations.metadata import metadata


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    async def differences() -> list[Any]:
        engine = create_async_engine(async_database_url(database_url), poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
                )
        finally:
            await engine.dispose()

    assert asyncio.run(differences()) == []
