"""Per-client rate limiting for the channels: token buckets keyed by sender and by client address.

Why per sender first: one conversation flooding (a stuck script, someone holding Enter) must be slowed
without touching anyone else. The per-address bucket is generous (channels.yml): it only stops one
machine inventing new sender ids, and must never throttle many honest conversations behind one
address (a company's NAT, our own load benchmark from 127.0.0.1).

The buckets live in memory: taking a token is a dictionary update, cheap enough for the event loop.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from typing import Callable, Optional, Tuple

from bot.channels.settings import ChannelSettings, Rate, load


class TokenBuckets:
    """One bucket per key; a key not seen for a while is forgotten once more than `max_keys` are tracked."""

    def __init__(self, rate: Rate, max_keys: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.max_keys, self.clock = rate, max_keys, clock
        self._buckets: "OrderedDict[str, Tuple[float, float]]" = OrderedDict()  # key -> (tokens, when)

    def take(self, key: str) -> float:
        """0.0 when `key` may go ahead (a token is spent), else the seconds until it may."""
        now = self.clock()
        tokens, then = self._buckets.pop(key, (self.rate.burst, now))
        tokens = min(self.rate.burst, tokens + (now - then) * self.rate.per_second)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate.per_second
        self._buckets[key] = (tokens - 1 if wait == 0.0 else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)  # the least recently seen: an idle bucket is full anyway
        return wait


class ClientLimits:
    """The per-address and per-sender buckets of one channel."""

    def __init__(self, settings: Optional[ChannelSettings] = None) -> None:
        settings = settings or load()
        self.per_ip = TokenBuckets(settings.per_ip, settings.max_tracked_clients)
        self.per_sender = TokenBuckets(settings.per_sender, settings.max_tracked_clients)

    def check_ip(self, ip: Optional[str]) -> int:
        """Seconds (rounded up, for Retry-After) the address must wait, 0 when it may go ahead."""
        return math.ceil(self.per_ip.take(ip)) if ip else 0

    def check_sender(self, sender: str) -> int:
        """Seconds (rounded up) the conversation must wait, 0 when it may go ahead."""
        return math.ceil(self.per_sender.take(sender))
