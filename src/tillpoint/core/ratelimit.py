"""Per-principal rate limits over a moving one-minute window (memory, or Redis when shared).

Without a Redis URL the windows live in the process (``MovingWindows``): each ``tillpoint serve``
process, and each of its workers, counts on its own, as it always did. With
``TILLPOINT_REDIS_URL`` every process counts one key's requests together (``limits`` on Redis).
"""

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, self.reset_seconds))
        return headers


class MovingWindows:
    """In-process moving windows: per key, the times of the requests it let through in the last
    ``window`` seconds, oldest first.

    Plain and synchronous on purpose: the event loop runs one ``hit`` at a time, so it needs no
    lock. ``limits``' own memory storage took an ``asyncio.Lock`` per key and pruned every key
    in a background task that awaited a thread while holding that lock; under load one key's
    requests queued behind it for 7–55 ms (docs/scaling.md, "The POST p99 and the per-request
    machinery"). Here a hit is a few deque operations; a key's deque holds at most its limit.
    """

    def __init__(
        self, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._next_sweep = clock() + window

    def hit(self, key: str, limit: int) -> RateLimitResult:
        now = self.clock()
        if now >= self._next_sweep:
            self._sweep(now)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
        start = now - self.window
        while hits and hits[0] <= start:
            hits.popleft()
        allowed = len(hits) < limit
        if allowed:
            hits.append(now)
        reset = math.ceil(hits[0] + self.window - now) if hits else math.ceil(self.window)
        return RateLimitResult(allowed, limit, max(0, limit - len(hits)), max(0, reset))

    def peek(self, key: str, limit: int) -> RateLimitResult:
        """What ``hit`` would answer, counting nothing."""
        now = self.clock()
        start = now - self.window
        hits = [t for t in self._hits.get(key, ()) if t > start]
        reset = math.ceil(hits[0] + self.window - now) if hits else math.ceil(self.window)
        return RateLimitResult(len(hits) < limit, limit, max(0, limit - len(hits)), max(0, reset))

    def _sweep(self, now: float) -> None:
        """Forget the keys with nothing left in their window (a client address seen once)."""
        start = now - self.window
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= start]:
            del self._hits[key]
        self._next_sweep = now + self.window


class RateLimiter:
    def __init__(self, redis_url: str | None = None) -> None:
        self._windows: MovingWindows | None = None
        self._limiter: MovingWindowRateLimiter | None = None
        if redis_url:
            storage = storage_from_string(_async_redis_uri(redis_url))
            assert isinstance(storage, Storage)
            self._limiter = MovingWindowRateLimiter(storage)
        else:
            self._windows = MovingWindows()

    async def hit(self, key: str, per_minute: int) -> RateLimitResult:
        if self._windows is not None:
            return self._windows.hit(key, per_minute)
        assert self._limiter is not None
        item = RateLimitItemPerMinute(per_minute)
        allowed = await self._limiter.hit(item, "tillpoint", key)
        stats = await self._limiter.get_window_stats(item, "tillpoint", key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return RateLimitResult(allowed, per_minute, max(0, stats.remaining), reset)

    async def peek(self, key: str, per_minute: int) -> RateLimitResult:
        """Whether ``key`` has room left in its window, counting nothing."""
        if self._windows is not None:
            return self._windows.peek(key, per_minute)
        assert self._limiter is not None
        item = RateLimitItemPerMinute(per_minute)
        stats = await self._limiter.get_window_stats(item, "tillpoint", key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return RateLimitResult(stats.remaining > 0, per_minute, max(0, stats.remaining), reset)


def _async_redis_uri(url: str) -> str:
    return url if url.startswith("async+") else f"async+{url}"
