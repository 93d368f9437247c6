"""A small district served over real HTTP: `industry-brain serve` in a subprocess on a free port,
on SQLite and on PostgreSQL, with one account per role and enterprises in two townships.

Import the fixtures into a test module with
`from web_fixtures import live_fixture, web_db_fixture  # noqa: F401` (they register as `live`, `web_db`).
`live` is module-scoped: one server per database per module.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from evaluation_fixtures import frame
from helpers import code, write_csv
from industry_brain.core.auth import create_user, disable_user, issue_token
from industry_brain.core.db import transaction
from industry_brain.core.settings import get_settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.publication import publish
from industry_brain.evaluation.service import run_evaluation
from industry_brain.ingest.service import import_file
from industry_brain.registry import open_database

TOWN_A, TOWN_B = "330213001", "330213002"
# credit code -> (name, township): two enterprises in each of two townships
ENTERPRISES = {
    code(1): ("锦屏甲机械有限公司", TOWN_A),
    code(2): ("锦屏乙电子有限公司", TOWN_A),
    code(3): ("岳林丙塑料有限公司", TOWN_B),
    code(4): ("岳林丁纺织有限公司", TOWN_B),
}
# hand-set taxes (万元) by year: what the profile must show, with source "tax"
TAXES = {2021: {code(1): 500.0, code(2): 80.0, code(3): 300.0, code(4): 45.0}}
TAXES[2022] = {c: v * 1.2 for c, v in TAXES[2021].items()}
UNIT = "区科技局"
PASSWORD = "correct-horse-9"
# username -> (role, scope fields)
ACCOUNTS: dict[str, tuple[str, dict[str, str]]] = {
    "admin": ("admin", {}),
    "analyst": ("analyst", {}),
    "leader": ("leader", {}),
    "department": ("department", {"unit": UNIT}),
    "town": ("town", {"township_code": TOWN_A}),
    "enterprise": ("enterprise", {"credit_code": code(1)}),
    "chain_chief": ("chain_chief", {"unit": "fenghua-auto-parts"}),  # its chain's id
}
# extra accounts for the sign-in tests
EXTRA = {"locked": ("analyst", {}), "gone": ("leader", {}), "retiring": ("leader", {})}
SERVER_ENV = {"INDUSTRY_BRAIN_LOGIN_MAX_FAILURES": "3", "INDUSTRY_BRAIN_SECRET_KEY": "test-secret-key"}


def visible_codes(username: str) -> set[str]:
    """The credit codes the account may see: the scope rules, restated independently."""
    role, fields = {**ACCOUNTS, **EXTRA}[username]
    if role in ("admin", "analyst", "leader"):
        return set(ENTERPRISES)
    if role == "town":
        return {c for c, (_, t) in ENTERPRISES.items() if t == fields["township_code"]}
    if role == "enterprise":
        return {fields["credit_code"]}
    return set()


class SignedInClients:
    """A running platform's clients, each signed in by POST /api/v1/auth/token as one of the
    test accounts (password PASSWORD); tokens are kept per username. Needs `base` and `tokens`."""

    base: str
    tokens: dict[str, str]
    client_timeout = 60

    def client(self, username: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(username)}"} if username else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=self.client_timeout)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = httpx.post(
                f"{self.base}/api/v1/auth/token",
                data={"username": username, "password": PASSWORD},
                timeout=60,
            )
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]


@dataclass
class Live(SignedInClients):
    base: str
    db_url: str
    api_token: str  # a long-lived API token of "analyst"
    run_published: int
    run_draft: int
    batch_with_rejects: int
    tokens: dict[str, str] = field(default_factory=dict)


def _seed_enterprises(session, tmp: Path, settings) -> int:  # type: ignore[no-untyped-def]
    for credit_code, (name, township) in ENTERPRISES.items():
        session.add(
            Enterprise(
                credit_code=credit_code,
                name=name,
                name_source="registry",
                industry_code="3484",
                industry_code_source="registry",
                township_code=township,
                township_code_source="registry",
            )
        )
    session.flush()
    batch = 0
    for year, taxes in TAXES.items():
        rows = [["统一社会信用代码", "企业名称", "实缴税金（万元）"]]
        rows += [[c, ENTERPRISES[c][0], v] for c, v in taxes.items()]
        rows.append(["91330213BADCODE001", "坏行公司", 1])  # rejected: a bad credit code
        path = write_csv(tmp / f"tax-{year}.csv", rows)
        result = import_file(session, path=path, source="tax", period=str(year), settings=settings)
        batch = result.batch_id
    return batch


def _seed_request(session, settings) -> None:  # type: ignore[no-untyped-def]
    """Two 涉企问题 cases of an enterprise of town B: one assigned to its unit, one 办结."""
    from industry_brain.core.scope import Scope
    from industry_brain.requests.schemas import Step
    from industry_brain.requests.service import act, open_request

    case = open_request(
        session,
        scope=Scope.system(),
        settings=settings,
        credit_code=code(3),
        category="land",
        text="用地指标未落实",
    )
    for action in ("accept", "assign"):
        act(session, scope=Scope.system(), settings=settings, request_id=case.id, step=Step(action))
    # and one of the same enterprise taken to 办结, so the 回访 sample has a case to show (or hide)
    closed = open_request(
        session,
        scope=Scope.system(),
        settings=settings,
        credit_code=code(3),
        category="policy",
        text="奖励未兑现",
    )
    unit = Scope(role="department", username="seed-unit", unit=closed.lead_unit)
    firm = Scope(role="enterprise", username="seed-firm", credit_code=code(3))
    for scope, step in (
        (Scope.system(), Step("accept")),
        (Scope.system(), Step("assign")),
        (unit, Step("start")),
        (unit, Step("reply", text="已兑现")),
        (firm, Step("rate", rating="满意")),
        (Scope.system(), Step("close")),
    ):
        act(session, scope=scope, settings=settings, request_id=closed.id, step=step)


# 标准地 parcels, one per enterprise, 20 亩 each with 10 万元/亩 of tax committed: against the
# 2022 taxes code(1) and code(3) meet it, code(2) (4.8) and code(4) (2.7) fall short
PARCELS = {code(i): f"BZD-{i}" for i in range(1, 5)}
COMMITTED_TAX_PER_MU = 10.0


def _seed_commitments(session, tmp: Path, settings) -> None:  # type: ignore[no-untyped-def]
    """The land department's commitments file imported, and a 达产复核 against 2022's figures."""
    import openpyxl

    from industry_brain.commitments.service import import_commitments, run_review

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(
        ["地块编号", "统一社会信用代码", "面积（亩）", "亩均税收（万元/亩）", "达产复核日期", "违约责任"]
    )
    for c, parcel in PARCELS.items():
        ws.append([parcel, c, 20, COMMITTED_TAX_PER_MU, "2023-06-30", "按差额比例退还土地出让优惠"])
    wb.save(tmp / "标准地承诺.xlsx")
    import_commitments(session, path=tmp / "标准地承诺.xlsx", settings=settings, by="zrj")
    run_review(session, as_of=dt.date.today(), year=2022, by="zrj")


def _seed_runs(session, settings) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    facts = frame([{"name": ENTERPRISES[code(i + 1)][0]} for i in range(len(ENTERPRISES))])
    method = load_method("huangyan-2022")
    published, _ = run_evaluation(session, year=2022, method=method, settings=settings, facts=facts, user="t")
    today = dt.date.today()
    publish(session, run_id=published.run_id, deadline=today + dt.timedelta(days=30), user="t", today=today)
    draft, _ = run_evaluation(session, year=2022, method=method, settings=settings, facts=facts, user="t")
    return int(published.run_id or 0), int(draft.run_id or 0)


def seed(db_url: str, tmp: Path) -> dict[str, object]:
    settings = get_settings(environ={}, database_url=db_url)
    engine = open_database(db_url)
    try:
        with transaction(engine) as session:
            for username, (role, fields) in {**ACCOUNTS, **EXTRA}.items():
                create_user(session, username=username, role=role, password=PASSWORD, **fields)
            disable_user(session, username="gone")
            api_token = issue_token(session, username="analyst", name="test-system")
            batch = _seed_enterprises(session, tmp, settings)
            published, draft = _seed_runs(session, settings)
            _seed_request(session, settings)
            _seed_commitments(session, tmp, settings)
    finally:
        engine.dispose()
    return {
        "api_token": api_token,
        "run_published": published,
        "run_draft": draft,
        "batch_with_rejects": batch,
    }


def page_client(base: str, username: str) -> httpx.Client:
    """A client signed in to the pages by the sign-in form (its CSRF token read from the form)."""
    import re

    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    signed_in = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]}
    )
    assert signed_in.status_code == 303
    return client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db_url: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "industry-brain"
    log = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: a chatty server never blocks on it
    process = subprocess.Popen(
        [str(exe), "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port)],
        # the job workers' files go to a scratch folder, not the checkout
        env={
            **os.environ,
            **SERVER_ENV,
            "INDUSTRY_BRAIN_JOBS_DIR": tempfile.mkdtemp(prefix="ib-jobs-"),
            **(env or {}),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("server did not start within 90 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(
    scope="module", name="web_db", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def web_db_fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for one module's server: a SQLite file, or a scratch PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
        return
    base = os.environ.get("INDUSTRY_BRAIN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"ib_web_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {base} is required under CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {base}: {exc}")
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module", name="live")
def live_fixture(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    seeded = seed(web_db, tmp_path_factory.mktemp("files"))
    port = free_port()
    process = serve(web_db, port)
    try:
        yield Live(base=f"http://127.0.0.1:{port}", db_url=web_db, **seeded)  # type: ignore[arg-type]
    finally:
        stop(process)


def wait_for_login(process: subprocess.Popen[bytes], base: str, log: Path, limit: float = 120) -> None:
    """Wait until the server at `base` answers its sign-in page; fail with the end of its log if
    it exits or does not answer within `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
