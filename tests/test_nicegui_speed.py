"""The cached `expects_arguments` gives NiceGUI the answer its own gives, for every kind of
handler, so no event handler is called with the wrong arguments."""

from __future__ import annotations

import functools

import pytest
from nicegui.helpers import functions

from industry_brain.web import nicegui_speed


class Owner:
    def no_args(self) -> None: ...

    def with_event(self, event: object) -> None: ...

    def defaulted(self, event: object = None) -> None: ...


def test_the_cached_answer_is_nicegui_s_answer_for_every_kind_of_handler() -> None:
    cached = nicegui_speed._cached(functions.expects_arguments)
    a, b = Owner(), Owner()
    handlers = [
        a.no_args, b.no_args, a.with_event, b.with_event, a.defaulted,
        lambda: None, lambda e: None, functools.partial(lambda x, e: None, 1), print,
    ]  # fmt: skip
    for handler in handlers * 2:  # the second round answers from the cache
        assert cached(handler) == functions.expects_arguments(handler), handler
    assert cached(a.with_event) is True and cached(b.no_args) is False


def test_install_reaches_the_helpers_nicegui_calls_and_is_idempotent() -> None:
    from nicegui import helpers

    nicegui_speed.install()
    first = helpers.expects_arguments
    nicegui_speed.install()
    assert helpers.expects_arguments is first
    assert helpers.expects_arguments(Owner().with_event) is True


@pytest.fixture
def collector():
    import gc

    before = gc.get_threshold()
    yield gc
    gc.unfreeze()
    gc.set_threshold(*before)


def test_the_heap_freezes_and_takes_the_configured_thresholds(collector):
    from industry_brain.web.nicegui_speed import freeze_heap

    freeze_heap("7000,10,10")
    assert collector.get_threshold() == (7000, 10, 10) and collector.get_freeze_count() > 0


@pytest.mark.parametrize("bad", ["7000,10", "a,b,c", "0,10,10"])
def test_bad_thresholds_keep_the_interpreters_and_say_so(collector, caplog, bad):
    from industry_brain.web.nicegui_speed import freeze_heap

    collector.set_threshold(700, 10, 10)
    freeze_heap(bad)
    assert collector.get_threshold() == (700, 10, 10)
    assert "gc_thresholds" in caplog.text and bad in caplog.text
