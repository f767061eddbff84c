"""Answers kept (issue 16.4). A view is computed whole, then cut to pages
(services/entry/http/paging.py); a client pages through one snapshot by passing the first page's
`as_of` with each cursor. The answer is computed once and kept for the next requests while the read
model holds the same facts — its count of facts is the version: facts are only ever added, and a
rebuild holds the same ones. A province's 领导包联 takes seconds to fold; its next pages take
milliseconds.

Two kinds of answer are kept:
- **as of a past time** (an `as_of` before the latest time the log records): kept for that exact
  `as_of`;
- **complete**: as of any time at or after the latest recorded time — "now", the dashboard's
  default, or a page's `as_of` just after it — every fact the read model holds is visible, so the
  answer is the same whatever that time is but for the `as_of` it names. One answer serves them all,
  restamped with each request's own `as_of`, until the read model holds another fact (or the clock
  reaches a fact recorded ahead of it: none is kept while the log holds one recorded after the
  request's time).

The thresholds (`lights.toml`) in force are part of the key, and at most KEEP answers are kept, the
least recently used going first (a province's answer is tens of MB). An answer is shared between
requests: paging copies what it cuts, restamping copies the top level, nothing changes it. The
通报 is kept the same way (its data, each file rendered from it: `Bulletin.restamped`).
"""
from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any, Callable

from services.log.store import to_micros
from services.query.lights import load_lights

KEEP = 4
Answer = Any  # a view's JSON (dict), or an object that restamps itself (the bulletin)


def split_as_of(key: tuple) -> tuple[tuple, datetime | None]:
    """Pure: `key` with the `as_of` of its query dataclasses left out, and that `as_of` (None when no
    item has one, or when they differ)."""
    general, found = [], set()
    for item in key:
        if dataclasses.is_dataclass(item) and not isinstance(item, type) and hasattr(item, "as_of"):
            found.add(item.as_of)
            general.append((type(item).__name__,
                            tuple((f.name, getattr(item, f.name)) for f in dataclasses.fields(item) if f.name != "as_of")))
        else:
            general.append(item)
    return tuple(general), (found.pop() if len(found) == 1 else None)


def restamp(found: Answer, when: datetime) -> Answer:
    """The kept answer naming `when` as its as-of time: an object that knows how (`restamped`, the
    bulletin), or a view's JSON, which names it at its top level (an explanation names none)."""
    if hasattr(found, "restamped"):
        return found.restamped(when)
    return {**found, "as_of": when.isoformat()} if "as_of" in found else found


class Answers:
    def __init__(self, version: Callable[[], int], latest: Callable[[], int | None] | None = None,
                 keep: int = KEEP):
        """`version`: the read model's count of facts; `latest`: the greatest recorded time (µs) the
        log holds (None when empty); without it only answers to an explicit `as_of` are kept."""
        self.version, self.latest, self.keep = version, latest, keep
        self._kept: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def answer(self, name: str, as_of: str | None, key: tuple, compute: Callable[[], Answer]) -> Answer:
        """compute(), or the answer kept for the same view, arguments and read model."""
        general, when = split_as_of(key)
        if self.latest is not None and when is not None:
            latest = self.latest()
            if latest is None or latest <= to_micros(when):
                return self._complete(name, general, when, compute)
        if as_of is None:
            return compute()
        return self._kept_or(("at", name, repr(key), repr(load_lights()), self.version()), compute)

    def _complete(self, name: str, general: tuple, when: datetime, compute: Callable[[], Answer]) -> Answer:
        version = self.version()
        full = ("complete", name, repr(general), repr(load_lights()), version)
        found = self._found(full)
        if found is None:
            found = compute()
            if self.version() != version:  # facts were added while it was computed: not this version's
                return found
            self._keep(full, found)
        return restamp(found, when)

    def _kept_or(self, full: tuple, compute: Callable[[], Answer]) -> Answer:
        found = self._found(full)
        if found is None:
            found = compute()
            self._keep(full, found)
        return found

    def _found(self, full: tuple) -> Answer | None:
        """The answer kept under `full`, now the most recently used; None when there is none."""
        with self._lock:
            found = self._kept.get(full)
            if found is not None:
                self._kept.move_to_end(full)
            return found

    def _keep(self, full: tuple, value: Answer) -> None:
        with self._lock:
            self._kept[full] = value
            self._kept.move_to_end(full)
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
