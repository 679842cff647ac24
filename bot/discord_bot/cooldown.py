"""A per-user rate limit on questions, so one user cannot flood the bot."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Callable


class UserCooldown:
    """At most rate questions per user in any per-second window."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._recent: dict[int, deque[float]] = defaultdict(deque)

    def retry_after(self, user_id: int) -> float:
        """0 and the use is counted, or the seconds until the user may ask again."""
        now = self.clock()
        recent = self._recent[user_id]
        while recent and now - recent[0] >= self.per:
            recent.popleft()
        if len(recent) >= self.rate:
            return self.per - (now - recent[0])
        recent.append(now)
        return 0.0
