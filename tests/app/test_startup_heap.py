"""``tillpoint serve``'s app factory hides the startup heap from the garbage collector."""

import gc

from tillpoint.app import freeze_startup_heap


def test_the_startup_heap_is_frozen() -> None:
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()  # frozen objects are skipped; collection itself goes on
    finally:
        gc.unfreeze()
