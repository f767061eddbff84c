"""The cyclic garbage collector held off while a read builds and folds a region's facts: a
province's views make a million small objects that live until the answer is built, and every
collection would walk them all again (most of a province view's time went there). Nothing a
view makes is cyclic, so reference counting frees it all the same; the collector is back on after."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from functools import wraps
from typing import Callable, Iterator, TypeVar

T = TypeVar("T", bound=Callable)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside (nested uses leave it to the outermost)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def without_gc(call: T) -> T:
    """`call` run inside gc_paused()."""
    @wraps(call)
    def paused(*args, **kwargs):
        with gc_paused():
            return call(*args, **kwargs)
    return paused  # type: ignore[return-value]
