"""One request at a time, for ``bench.catalog``: each request's own latency, no queueing.

``time_raw`` runs the baseline's reads in this process (driver and SQL only: the floor);
``time_http`` sends a scenario's requests one after another over one keep-alive connection.
"""

from __future__ import annotations

import math
import random
import time
from typing import Any

import httpx

from bench.catalog_baseline_app import RawDb, lookup, products_page
from bench.catalog_data import PAGE_SIZE, SEED_PREFIX, Shape, barcode
from bench.harness import BenchError
from bench.harness.load import Scenario, latency_stats

SEQUENTIAL_WARMUP = 10


def page_samples(lookups: int) -> int:
    return max(10, lookups // 20)


async def time_raw(
    url: str, tenant_id: str, location_id: str, shape: Shape, lookups: int
) -> dict[str, Any]:
    """The baseline's own reads, one at a time in this process: driver and SQL, no HTTP."""
    db = RawDb(url, size=1)
    await db.open()
    try:
        times: dict[str, list[float]] = {"lookup": [], "list": []}
        pages = math.ceil(shape.products / PAGE_SIZE)
        for kind, count in (("lookup", lookups), ("list", page_samples(lookups))):
            for i in range(count + SEQUENTIAL_WARMUP):
                started = time.perf_counter()
                if kind == "lookup":
                    code = barcode(SEED_PREFIX, random.randrange(shape.variants))
                    await lookup(db, tenant_id, code, location_id)
                else:
                    page = random.randint(1, pages)
                    await products_page(db, tenant_id, page, PAGE_SIZE)
                if i >= SEQUENTIAL_WARMUP:
                    times[kind].append((time.perf_counter() - started) * 1000)
        return {kind: {"samples": len(t), **latency_stats(sorted(t))} for kind, t in times.items()}
    finally:
        await db.close()


def time_http(scenario_list: list[Scenario], lookups: int) -> dict[str, dict[str, Any]]:
    """Each scenario's requests one at a time (one keep-alive connection, nothing else in
    flight): a request's own latency, without the queueing of the loaded runs."""
    found: dict[str, dict[str, Any]] = {}
    for scenario in scenario_list:
        assert scenario.url_for is not None
        count = lookups if scenario.key.endswith("lookup") else page_samples(lookups)
        times: list[float] = []
        with httpx.Client(headers=scenario.headers, timeout=60, trust_env=False) as client:
            for i in range(count + SEQUENTIAL_WARMUP):
                url = scenario.url_for(str(i))
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise BenchError(f"{scenario.label}: {response.status_code} {url}")
                if i >= SEQUENTIAL_WARMUP:
                    times.append(elapsed)
        found[scenario.key] = {"samples": len(times), **latency_stats(sorted(times))}
    return found
