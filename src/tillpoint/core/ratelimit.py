"""Per-principal rate limits over a moving one-minute window (memory, or Redis when shared)."""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


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


class RateLimiter:
    def __init__(self, redis_url: str | None = None) -> None:
        storage = storage_from_string(_async_redis_uri(redis_url)) if redis_url else MemoryStorage()
        assert isinstance(storage, Storage)
        self.storage: Storage = storage
        self._limiter = MovingWindowRateLimiter(self.storage)

    async def hit(self, key: str, per_minute: int) -> RateLimitResult:
        item = RateLimitItemPerMinute(per_minute)
        allowed = await self._limiter.hit(item, "tillpoint", key)
        stats = await self._limiter.get_window_stats(item, "tillpoint", key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return RateLimitResult(allowed, per_minute, max(0, stats.remaining), reset)


def _async_redis_uri(url: str) -> str:
    return url if url.startswith("async+") else f"async+{url}"
