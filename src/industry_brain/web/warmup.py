"""Whether the server has finished computing the cockpit it computes when it starts.

The first minutes of a server on a large district go to that computation (seconds of CPU on
the one core the pages share); /api/v1/health says when it is done, so a load balancer or a
benchmark can tell a starting server from a running one."""

from __future__ import annotations

import threading

_DONE = threading.Event()


def started() -> None:
    _DONE.clear()


def finished() -> None:
    _DONE.set()


def state() -> str:
    """ "ready" once the start-up computation has ended (well or not), else "warming"."""
    return "ready" if _DONE.is_set() else "warming"
