"""A fixed-window request limit per token, counted in the Django cache (shared by every process when CACHE_URL is
set). Fixed windows are cheap (one cache increment a request) and a client reading Retry-After knows exactly when
it may carry on."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def hit(key: str, *, limit: int | None = None, window: int | None = None) -> int | None:
    """Counts one request; returns None while within the limit, else the seconds until the window ends."""
    limit = settings.API_RATE_LIMIT if limit is None else limit
    window = settings.API_RATE_WINDOW_SECONDS if window is None else window
    now = time.time()
    start = int(now // window * window)
    cache_key = f"api-rate:{key}:{start}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        return max(1, int(start + window - now + 0.999))
    return None
