"""An in-process rate-limit store that does not start a thread per hit."""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

#: How often (seconds) expired counters are swept out of memory.
SWEEP_EVERY = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' ``memory://`` store, swept by the requests themselves.

    ``MemoryStorage`` frees expired counters from a ``threading.Timer`` that it
    starts anew, 10 ms after a hit, whenever the last one has finished: under a
    room's posts that is a new OS thread every 10 ms in every worker, and each
    ``Thread.start`` stalls its request until the new thread first gets the GIL
    (py-spy: 8% of a post's time, docs/benchmarks.md). Counters already expire
    when they are read (``get``), so the sweep only frees memory: here it runs
    in whichever hit finds it due, at most once every :data:`SWEEP_EVERY` s.

    Per process, like ``memory://``: several workers or instances share limits
    through ``redis://`` (docs/deploy.md).
    """

    STORAGE_SCHEME = ["swept-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._sweep_lock = threading.Lock()
        self._next_sweep = time.monotonic() + SWEEP_EVERY

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the timer thread
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_EVERY
            self._MemoryStorage__expire_events()
        finally:
            self._sweep_lock.release()
