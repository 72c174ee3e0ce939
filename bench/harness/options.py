"""The command-line flags every benchmark takes, and their bounds.

A benchmark adds its own flags (and checks them) through two hooks, which place them after
``--clients`` in ``--help`` and check them right after the shared load flags.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

AddArguments = Callable[[argparse.ArgumentParser], None]
CheckArguments = Callable[[argparse.ArgumentParser, argparse.Namespace], None]


def parse_arguments(
    argv: list[str] | None,
    *,
    prog: str,
    description: str,
    output: Path,
    add_scenario_arguments: AddArguments | None = None,
    check_scenario_arguments: CheckArguments | None = None,
    defaults: dict[str, Any] | None = None,
) -> argparse.Namespace:
    """Parse ``argv``; exits with a usage error (status 2) when a flag is out of bounds.
    ``defaults`` replaces shared defaults for this benchmark (e.g. ``{"concurrency": 4}``)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="measured time per scenario (default %(default)g)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="unmeasured warm-up per scenario (default %(default)g)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=16, help="requests in flight (default %(default)s)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes, for Tillpoint and the baseline alike (default %(default)s)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="load-generator processes sharing the concurrency (default %(default)s)",
    )
    if add_scenario_arguments is not None:
        add_scenario_arguments(parser)
    parser.add_argument(
        "--max-requests",
        type=int,
        default=2_000_000,
        help="hard cap on requests per scenario (a safety bound; default 2,000,000)",
    )
    parser.add_argument(
        "--pause", type=float, default=1.0, help="idle seconds between scenarios (default 1)"
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the Tillpoint server and CLI, e.g. TILLPOINT_DB_POOL_SIZE=20",
    )
    parser.add_argument("--output", type=Path, default=output, help="where the JSON results go")
    if defaults:
        parser.set_defaults(**defaults)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be in (0, 3600]")
    if not 0 <= args.warmup <= 600:
        parser.error("--warmup must be in [0, 600]")
    if not 1 <= args.concurrency <= 1024:
        parser.error("--concurrency must be in [1, 1024]")
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be in [1, 64]")
    if not 1 <= args.clients <= args.concurrency:
        parser.error("--clients must be in [1, --concurrency]")
    if check_scenario_arguments is not None:
        check_scenario_arguments(parser, args)
    if args.max_requests < args.clients:
        parser.error("--max-requests must be at least --clients")
    for item in args.server_env:
        if "=" not in item or not item.split("=", 1)[0]:
            parser.error(f"--server-env wants NAME=VALUE, got {item!r}")
    return args
