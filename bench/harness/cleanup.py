"""Running a benchmark so that whatever it set up is removed on every exit.

A benchmark registers each clean-up on the ``contextlib.ExitStack`` it is given, right after
the thing exists (``stack.callback(stop_server, server)``); the stack is closed in reverse order
on success, on ``BenchError``, on Ctrl-C and on SIGTERM, and a second Ctrl-C during the
clean-up is ignored so that the clean-up finishes.
"""

from __future__ import annotations

import contextlib
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from bench.harness import BenchError, console


def run_with_cleanup(run: Callable[[contextlib.ExitStack], int]) -> int:
    """Call ``run(stack)`` and close ``stack`` whatever happens; returns the exit status."""
    # Ctrl-C and SIGTERM both unwind through the clean-up below (SIGINT is set explicitly: a
    # shell starts background jobs with it ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    stack = contextlib.ExitStack()
    status = 1
    try:
        status = run(stack)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted — cleaning up[/yellow]")
        status = 130
    except BenchError as exc:
        console.print(f"[red]benchmark failed:[/red] {exc}")
        status = 1
    finally:
        # A second Ctrl-C must not leave servers or the database behind.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            stack.close()
        finally:
            signal.signal(signal.SIGINT, previous)
    return status


def temporary_directory(stack: contextlib.ExitStack) -> Path:
    """A scratch directory (server logs, data directories) removed when ``stack`` closes."""
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tillpoint-bench-")))


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
