"""Uploads over real HTTP against `industry-brain serve`: the gate in front of the body (sign-in
first, declared and streamed size against max_file_bytes, nothing left in the temporary
folder), the department's own imports with preview, confirmation and restore, and a health
check answered while a large import runs."""

from __future__ import annotations

import os
import select as io_select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from helpers import code, write_csv
from industry_brain.core.auth import create_user
from industry_brain.core.auth_models import AuditEntry
from industry_brain.core.db import transaction
from industry_brain.registry import open_database
from web_fixtures import PASSWORD, SignedInClients, free_port, serve, stop, web_db_fixture  # noqa: F401

LIMIT = 4 * 1024 * 1024
STATS = ["统一社会信用代码", "企业名称", "工业总产值（万元）", "从业人员（人）"]
ACCOUNTS = {
    "analyst": ("analyst", {}),
    "statsdept": ("department", {"unit": "区统计局"}),
    "techdept": ("department", {"unit": "区科技局"}),
    "leader": ("leader", {}),
}


@dataclass
class Server(SignedInClients):
    base: str
    port: int
    tmp: Path
    db_url: str
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def server(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    engine = open_database(web_db)
    with transaction(engine) as s:
        for username, (role, fields) in ACCOUNTS.items():
            create_user(s, username=username, role=role, password=PASSWORD, **fields)
    engine.dispose()
    tmp = tmp_path_factory.mktemp("server-tmp")
    port = free_port()
    env = {"INDUSTRY_BRAIN_MAX_FILE_BYTES": str(LIMIT), "TMPDIR": str(tmp)}
    process = serve(web_db, port, env)
    try:
        yield Server(base=f"http://127.0.0.1:{port}", port=port, tmp=tmp, db_url=web_db)
    finally:
        stop(process)


def stats_file(path: Path, numbers, bump=()) -> Path:  # type: ignore[no-untyped-def]
    rows = [[code(n), f"测试{n}号有限公司", 1000.0 + n + (5 if n in bump else 0), 20] for n in numbers]
    return write_csv(path, [STATS, *rows])


def raw_post(port: int, path: str, headers: dict[str, str], body: Iterator[bytes] = iter(())) -> str:
    """Sends the request line and headers, then the body a piece at a time for as long as the
    server has not answered; returns the status line and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        sock.sendall((head + "\r\n").encode())
        for piece in body:
            readable, _, _ = io_select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.decode("utf-8", errors="replace")


def chunked_upload(total: int) -> Iterator[bytes]:
    """A multipart body of one file of `total` bytes, in HTTP chunks of 64 KiB."""
    boundary = "ib-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\nstats\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode(),
    ]
    for part in parts:
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
    piece = b"x" * 65536
    for _ in range(total // len(piece)):
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_an_oversized_upload_is_refused_before_anything_is_spooled(server: Server) -> None:
    before = listing(server.tmp)
    big = 3 * LIMIT
    multipart = {"Content-Type": "multipart/form-data; boundary=ib-test-boundary"}
    # not signed in: refused on the headers alone, before a byte of the body is read
    answer = raw_post(server.port, "/api/v1/imports", {**multipart, "Content-Length": str(big)})
    assert answer.startswith("HTTP/1.1 401") and "未登录" in answer
    answer = raw_post(
        server.port,
        "/api/v1/imports",
        {**multipart, "Content-Length": str(big), "Authorization": "Bearer not-a-token"},
        (b"x" * 65536 for _ in range(big // 65536)),
    )
    assert answer.startswith("HTTP/1.1 401")
    page = raw_post(server.port, "/_nicegui/client/abc/upload/5", {**multipart, "Content-Length": str(big)})
    assert page.startswith("HTTP/1.1 401")
    # signed in with a role that imports nothing: 403, still before the body
    leader = {"Authorization": f"Bearer {server.token('leader')}"}
    assert raw_post(
        server.port, "/api/v1/imports", {**multipart, **leader, "Content-Length": str(big)}
    ).startswith("HTTP/1.1 403")
    # signed in: a declared size over the limit is refused on the header ...
    analyst = {"Authorization": f"Bearer {server.token('analyst')}"}
    answer = raw_post(server.port, "/api/v1/imports", {**multipart, **analyst, "Content-Length": str(big)})
    assert answer.startswith("HTTP/1.1 413") and "文件过大" in answer and "4 MB" in answer
    # ... and a body sent without a length is counted as it streams and cut off at the limit
    answer = raw_post(
        server.port,
        "/api/v1/imports",
        {**multipart, **analyst, "Transfer-Encoding": "chunked"},
        chunked_upload(big),
    )
    assert answer.startswith("HTTP/1.1 413") and "文件过大" in answer
    # an appeal's 证明材料 pass the same gate, with their own limit (5 files of 10 MiB by default)
    appeal = "/api/v1/evaluation/runs/1/appeals"
    assert raw_post(server.port, appeal, {**multipart, "Content-Length": str(big)}).startswith("HTTP/1.1 401")
    huge = str(60 * 1024 * 1024)
    assert raw_post(server.port, appeal, {**multipart, **leader, "Content-Length": huge}).startswith(
        "HTTP/1.1 413"
    )
    time.sleep(0.5)
    assert listing(server.tmp) == before


def test_a_department_previews_confirms_and_restores_its_own_source(server: Server, tmp_path: Path) -> None:
    first = stats_file(tmp_path / "2023规上.csv", range(1, 21))
    fewer = stats_file(tmp_path / "2023规上更正.csv", range(1, 19), bump={1})
    form = {"source": "stats", "period": "2023"}
    with server.client("statsdept") as c:
        one = c.post("/api/v1/imports", data=form, files={"file": (first.name, first.read_bytes())})
        assert one.status_code == 200, one.text
        preview = c.post(
            "/api/v1/imports",
            data={**form, "dry_run": "true"},
            files={"file": (fewer.name, fewer.read_bytes())},
        ).json()
        assert (preview["added_count"], preview["changed_count"], preview["removed_count"]) == (0, 1, 2)
        assert [e["name"] for e in preview["removed"]] == ["测试19号有限公司", "测试20号有限公司"]
        asked = c.post("/api/v1/imports", data=form, files={"file": (fewer.name, fewer.read_bytes())})
        assert asked.status_code == 409 and asked.json()["preview"]["removed_count"] == 2
        done = c.post(
            "/api/v1/imports",
            data={**form, "confirm": "true"},
            files={"file": (fewer.name, fewer.read_bytes())},
        )
        assert done.status_code == 200 and done.json()["superseded"] == [one.json()["batch_id"]]
        batches = c.get("/api/v1/imports/batches").json()
        assert {b["source"] for b in batches} == {"stats"}
        assert c.get(f"/api/v1/imports/batches/{done.json()['batch_id']}/rejects").status_code == 200
        restored = c.post(f"/api/v1/imports/batches/{one.json()['batch_id']}/restore")
        assert restored.status_code == 200 and restored.json()["superseded"] == [done.json()["batch_id"]]
        status = {b["batch_id"]: b["status"] for b in c.get("/api/v1/imports/batches").json()}
        assert status[one.json()["batch_id"]] == "active" and status[done.json()["batch_id"]] == "superseded"
        tax = c.post(
            "/api/v1/imports", data={"source": "tax"}, files={"file": (first.name, first.read_bytes())}
        )
        assert tax.status_code == 403 and "无权导入" in tax.json()["detail"]
    with server.client("techdept") as c:  # another department sees none of it
        assert c.get("/api/v1/imports/batches").json() == []
        assert c.get(f"/api/v1/imports/batches/{one.json()['batch_id']}/rejects").status_code == 404
        assert c.post(f"/api/v1/imports/batches/{one.json()['batch_id']}/restore").status_code == 404
    engine = open_database(server.db_url)
    with transaction(engine) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "import.restore")).one()
        assert (entry.username, entry.target) == ("statsdept", f"batch:{one.json()['batch_id']}")
    engine.dispose()


def test_a_health_check_is_answered_while_a_large_import_runs(server: Server, tmp_path: Path) -> None:
    big = stats_file(tmp_path / "大文件.csv", range(100_001, 160_001))
    assert big.stat().st_size < LIMIT
    answers: list[float] = []
    done = threading.Event()

    def upload() -> None:
        with server.client("analyst") as c:
            r = c.post(
                "/api/v1/imports",
                data={"source": "stats", "period": "2022"},
                files={"file": (big.name, big.read_bytes())},
            )
            assert r.status_code == 200, r.text
        done.set()

    worker = threading.Thread(target=upload)
    worker.start()
    with httpx.Client(base_url=server.base, timeout=60) as c:
        while not done.is_set():
            assert c.get("/api/v1/health").status_code == 200
            if not done.is_set():
                answers.append(time.monotonic())
            time.sleep(0.05)
    worker.join()
    # the event loop was free throughout: many answers came while the import was under way
    assert len(answers) >= 5, os.environ.get("PYTEST_CURRENT_TEST")
