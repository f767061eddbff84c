"""services/gcpause.py: the collector is off inside, back as it was after — nested, or on an error."""
from __future__ import annotations

import gc

import pytest

from services.gcpause import gc_paused, without_gc


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_off_inside_and_back_after_even_nested():
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one leaves it to the outermost
    assert gc.isenabled()


def test_back_after_an_error_and_left_off_when_it_was_off():
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("inside")
    assert gc.isenabled()
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_without_gc_runs_the_call_with_the_collector_off():
    assert without_gc(gc.isenabled)() is False
    assert gc.isenabled()
