"""Alembic migrations: one history that runs on SQLite and PostgreSQL.

``upgrade`` and ``is_current`` are synchronous (Alembic drives its own event loop for the async
drivers); call them before the server's loop starts, or from a worker thread.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

HERE = Path(__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()
