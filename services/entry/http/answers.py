"""Answers kept for paging (issue 16.4). A view is computed whole, then cut to pages
(services/entry/http/paging.py); a client pages through one snapshot by passing the first page's
`as_of` with each cursor. The answer to that as-of time is computed once and kept for the next
pages while the read model holds the same facts — its count of facts is the version: facts are only
ever added, and a rebuild holds the same ones. A province's 领导包联 takes seconds to fold; its next
pages take milliseconds.

Only answers to an explicit `as_of` are kept (without one, each request is as of its own now), the
thresholds (`lights.toml`) in force are part of the key, and at most KEEP answers are kept, the
least recently used going first (a province's answer is tens of MB). An answer is shared between
requests: paging copies what it cuts, nothing changes it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from services.query.lights import load_lights

KEEP = 4


class Answers:
    def __init__(self, version: Callable[[], int], keep: int = KEEP):
        self.version, self.keep = version, keep
        self._kept: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = threading.Lock()

    def answer(self, name: str, as_of: str | None, key: tuple, compute: Callable[[], dict]) -> dict:
        """compute(), or the answer kept for the same view, arguments and read model."""
        if as_of is None:
            return compute()
        full = (name, repr(key), repr(load_lights()), self.version())
        with self._lock:
            found = self._kept.get(full)
            if found is not None:
                self._kept.move_to_end(full)
                return found
        value = compute()
        with self._lock:
            self._kept[full] = value
            self._kept.move_to_end(full)
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
        return value
