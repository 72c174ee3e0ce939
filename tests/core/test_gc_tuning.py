"""Each process paces its garbage collector (core/gc_tuning.py): the app factory sets it."""

import gc
from pathlib import Path

from tests.support.tenants import make_settings
from tillpoint.app import create_app
from tillpoint.core.gc_tuning import YOUNG_THRESHOLD


def test_the_app_collects_its_youngest_objects_less_often(
    database_url: str, tmp_path: Path
) -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, before[1], before[2])
        create_app(make_settings(database_url, tmp_path))
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.set_threshold(*before)


async def test_a_started_app_keeps_its_start_up_objects_out_of_the_collectors_walks(
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, gc_freeze_at_start=True))
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the other tests' objects must stay collectable
    quiet = create_app(make_settings(database_url, tmp_path))
    async with quiet.router.lifespan_context(quiet):
        assert gc.get_freeze_count() == 0
