"""The cyclic garbage collector in a Tillpoint process (the server, a worker, the CLI): its pace,
and the objects made at start kept out of its sight.

CPython starts a collection of its youngest generation after 700 new container objects, and
every tenth of those collects the middle one too. A CSV import builds a few dicts per cell and
row, a page of products hundreds per product: at 700 the collector ran about 190 times over a
4,001-row import and took a third of its CPU (measured with ``gc.callbacks``, docs/scaling.md),
walking objects that were about to be freed by their reference counts anyway. Waiting for more
new objects keeps the same collections, fewer of them; cyclic garbage lives a little longer.

A full collection also walks every object made at start, ~280,000 of them (modules, classes,
functions, validators) that live as long as the process: about 100 ms each time, inside
whatever request or import is running. ``gc.freeze`` after start moves them to a generation
the collector never walks (CPython's own advice for long-lived processes).
"""

import gc

YOUNG_THRESHOLD = 5_000


def tune_garbage_collector() -> None:
    """Collect the youngest generation after ``YOUNG_THRESHOLD`` new objects (older
    generations keep their thresholds). Idempotent; for each process at its start."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)


def freeze_startup_objects() -> None:
    """Collect what start-up left as garbage, then keep every object alive now out of the
    collector's walks; for a process once it has started (not for one that starts many apps,
    such as the tests: what each leaves behind would never be collected)."""
    gc.collect()
    gc.freeze()
