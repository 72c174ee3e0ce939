"""The cyclic garbage collector's pace in a Tillpoint process (the server, a worker, the CLI).

CPython starts a collection of its youngest generation after 700 new container objects, and
every tenth of those collects the middle one too. A CSV import builds a few dicts per cell and
row, a page of products hundreds per product: at 700 the collector ran about 190 times over a
4,001-row import and took a third of its CPU (measured with ``gc.callbacks``, docs/scaling.md),
walking objects that were about to be freed by their reference counts anyway. Waiting for more
new objects keeps the same collections, fewer of them; cyclic garbage lives a little longer.
"""

import gc

YOUNG_THRESHOLD = 5_000


def tune_garbage_collector() -> None:
    """Collect the youngest generation after ``YOUNG_THRESHOLD`` new objects (older
    generations keep their thresholds). Idempotent; for each process at its start."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
