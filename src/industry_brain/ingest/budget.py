"""Running a workbook's read in a child process under a time and a memory budget.

The safety scan refuses what it can see, but the loaders (calamine, through fastexcel) are
native code whose cost a file can still drive up in ways no scan anticipates. So the scan and
the load run in a child process whose address space is capped (RLIMIT_AS at
`import_read_memory_mb`) and which is killed after `import_read_seconds`: a file that would
exhaust the server is refused with its reason instead, and the server never shares its memory.

Children come from a fork server started once per process (multiprocessing "forkserver", with
the reader's modules preloaded), so a read costs a fork and a pipe, not an interpreter start;
and the fork server, not the caller, is what forks, so the caller's threads (a web server's,
polars') are never duplicated into a child.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import threading
from collections.abc import Callable
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from typing import Any

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings

_PRELOAD = ["industry_brain.ingest.reader", "fastexcel", "polars", "python_calamine"]
_HEADROOM = 256 * 1024 * 1024
_lock = threading.Lock()
_context: Any = None


class _Popen(popen_forkserver.Popen):
    """The fork server's Popen without the main module: multiprocessing would have every child
    import the program's main script again (a script without a __main__ guard would then run
    once per read). The child needs only the function it runs, which lives in this package.
    This mirrors popen_forkserver.Popen._launch of Python 3.11-3.13."""

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))  # type: ignore[attr-defined]
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        return _Popen(process_obj)


def _forkserver() -> Any:
    global _context
    with _lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _context = ctx
        return _context


def _address_space() -> int:
    with open(f"/proc/{os.getpid()}/status", "rb") as fh:
        for line in fh:
            if line.startswith(b"VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(conn: Connection, memory_bytes: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # A cap below what the child already maps leaves no room even for the loaders' threads,
    # which then wait for ever instead of failing: that budget is refused as too small.
    if memory_bytes > 0 and _address_space() + _HEADROOM > memory_bytes:
        conn.send(("too-small", _address_space() // (1024 * 1024)))
        conn.close()
        return
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        outcome: tuple[str, Any] = ("ok", fn(*args))
    except FileRejected as exc:
        outcome = ("rejected", (exc.file, exc.reason))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as exc:  # a loader's own error types: the file is unreadable
        outcome = ("error", type(exc).__name__)
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("memory", None))
    conn.close()


def run_bounded(fn: Callable[..., Any], *args: Any, settings: Settings, file: str) -> Any:
    """fn(*args) in a child under the budget; its FileRejected is raised here as it was.
    With import_read_seconds = 0 there is no budget: fn runs in this process."""
    if settings.import_read_seconds <= 0:
        return fn(*args)
    ctx = _forkserver()
    receive, send = ctx.Pipe(duplex=False)
    memory = settings.import_read_memory_mb * 1024 * 1024
    process = _Process(target=_child, args=(send, memory, fn, args), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(settings.import_read_seconds):
            raise FileRejected(
                file,
                f"读取工作簿超过时间预算 {settings.import_read_seconds} 秒 (import_read_seconds)，"
                "已中止；文件过大或结构异常，请检查或拆分后再导入",
            )
        try:
            kind, payload = receive.recv()
        except EOFError:  # the child died: a native loader aborts when an allocation fails
            kind, payload = "memory", None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()
    if kind == "ok":
        return payload
    if kind == "rejected":
        raise FileRejected(*payload)
    raise _refusal(kind, payload, settings, file)


def _refusal(kind: str, payload: Any, settings: Settings, file: str) -> FileRejected:
    budget = f"{settings.import_read_memory_mb} MB (import_read_memory_mb)"
    if kind == "memory":
        return FileRejected(
            file, f"读取工作簿所需内存超过预算 {budget}，已中止；文件过大或结构异常，请检查或拆分后再导入"
        )
    if kind == "too-small":
        return FileRejected(
            file,
            f"读取工作簿的内存预算 {budget} 过小：读取程序本身已占用约 {payload} MB，"
            f"至少还需 {_HEADROOM // (1024 * 1024)} MB；请调高此设置",
        )
    return FileRejected(
        file, "无法读取Excel文件：文件已损坏或格式异常，请在Excel中打开并另存为 .xlsx 后再导入"
    )
