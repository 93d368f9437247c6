"""What NiceGUI spends per element, cut where it repeats itself.

NiceGUI 3.18 asks `inspect.signature` whether a change handler takes arguments every time an
element is built: three times per element (its style, classes and props each register their
own bound `_update`), at about 45 µs a call here, so a page of 150 elements spent some 20 ms of
the server's one core on it. The answer depends only on the handler's function, so it is kept
per function: a bound method's answer is its function's, asked once.
Handlers that are not bound methods of a class (lambdas, partials) are asked every time, as
NiceGUI does, since a new lambda is a new function.
"""

from __future__ import annotations

import inspect
import logging
import weakref
from collections.abc import Callable
from typing import Any

_ANSWERS: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
_installed: list[Callable[[Callable[..., Any]], bool]] = []


def _cached(original: Callable[[Callable[..., Any]], bool]) -> Callable[[Callable[..., Any]], bool]:
    def expects_arguments(func: Callable[..., Any]) -> bool:
        if not inspect.ismethod(func):
            return original(func)
        key = func.__func__
        answer = _ANSWERS.get(key)
        if answer is None:
            answer = _ANSWERS[key] = original(func)
        return answer

    return expects_arguments


def install() -> None:
    """Replace NiceGUI's `helpers.expects_arguments` by the cached one (idempotent). Every
    NiceGUI module calls it through `helpers.`, so one assignment reaches them all."""
    from nicegui import helpers

    if _installed:
        return
    _installed.append(helpers.expects_arguments)
    helpers.expects_arguments = _cached(helpers.expects_arguments)  # type: ignore[assignment]


def freeze_heap(thresholds: str = "") -> None:
    """Move what start-up built (modules, reference data, the warmed cockpit) out of the
    collector's reach: a full collection then walks only what requests created since. Under
    `bench/load_web.py --pages --gc-log` it cut the full collections' total by about a third
    (6.2 s → 4.0 s a minute), not their number (docs/benchmarks.md)."""
    import gc

    gc.collect()
    gc.freeze()
    if not thresholds:
        return
    try:
        values = [int(t) for t in thresholds.split(",")]
        if len(values) != 3 or min(values) < 1:
            raise ValueError(thresholds)
    except ValueError:
        logging.getLogger(__name__).error(
            "gc_thresholds 设置“%s”无效（应为三个正整数，如 7000,10,10），沿用解释器默认值", thresholds
        )
        return
    # Frozen, the old generation is nearly empty, so the interpreter's "a quarter of the old
    # generation is new" brake on full collections no longer holds: at 700,10,10 a full
    # collection ran every 4 s under bench/load_web.py --pages; 7000,10,10 makes it ten times rarer.
    gc.set_threshold(*values)


def log_pauses(path: str, *, at_least_ms: float = 5.0) -> None:
    """Append a line `generation milliseconds` to `path` for each garbage collection that holds
    the interpreter `at_least_ms` or more (setting gc_log): the pauses every request waits out."""
    import gc
    import time

    began: list[float] = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
            return
        ms = (time.perf_counter() - began[0]) * 1000
        if ms >= at_least_ms:
            with open(path, "a", encoding="utf-8") as out:
                out.write(f"{info['generation']} {ms:.1f}\n")

    gc.callbacks.append(timed)
