"""Machinery shared by the benchmarks in ``bench/`` (see ``bench/README.md``).

A benchmark script defines its scenarios and wires these modules together:

- ``options``   the command-line flags every benchmark takes (``--seconds``, ``--concurrency``…);
- ``cleanup``   runs a benchmark so that everything it registered is removed on every exit;
- ``database``  a throw-away PostgreSQL database on a loopback server;
- ``servers``   server subprocesses in their own process group, readiness, stopping;
- ``tillpoint`` the ``tillpoint`` command: its environment, ``serve``, tenants and API keys;
- ``load``      time-bounded load at a fixed concurrency, latency statistics;
- ``cpu``       CPU use per process group (server, PostgreSQL, load generator, the rest);
- ``report``    the Rich table and the JSON results file.

This module holds only what all of them share.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

# The repository root: the working directory of every subprocess and of ``git``.
ROOT = Path(__file__).resolve().parent.parent.parent

console = Console()
if not console.is_terminal:
    console = Console(width=120)  # piped to a file or CI log: do not squeeze the table


class BenchError(Exception):
    """A setup step failed; the message says which and why."""
