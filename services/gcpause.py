"""The cyclic garbage collector held off while a read builds and folds a region's facts: a
province's views make a million small objects that live until the answer is built, and every
collection would walk them all again (most of a province view's time went there). Nothing a
view makes is cyclic, so reference counting frees it all the same; the collector is back on after."""
from __future__ import annotations

import gc
from functools import wraps
from typing import Callable, TypeVar

T = TypeVar("T", bound=Callable)


class gc_paused:  # noqa: N801 (used as `with gc_paused():`, like a function)
    """No cyclic collection inside (nested uses leave it to the outermost). A class, not a
    generator-based context manager: a view enters it once per project (a province: 30,000 times,
    0.15 s through `contextlib`)."""

    __slots__ = ("_was",)

    def __enter__(self) -> None:
        self._was = gc.isenabled()
        gc.disable()

    def __exit__(self, *_exc) -> None:
        if self._was:
            gc.enable()


def without_gc(call: T) -> T:
    """`call` run inside gc_paused()."""
    @wraps(call)
    def paused(*args, **kwargs):
        with gc_paused():
            return call(*args, **kwargs)
    return paused  # type: ignore[return-value]
