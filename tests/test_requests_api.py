"""涉企问题 over real HTTP against `industry-brain serve`, on SQLite and PostgreSQL: every step
of the loop by the role that takes it, the scopes (an enterprise its own, a town its enterprises,
a unit what is assigned to it), attachments (allowed kinds only, size limit, generated names
outside the web root, served only in scope, hostile names harmless), concurrent steps by two
users both kept, the 晾晒 and the Open311 export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import code
from industry_brain.core.auth import create_user
from industry_brain.core.db import transaction
from industry_brain.registry import open_database
from web_fixtures import PASSWORD, TOWN_B, Live, free_port, seed, serve, stop, web_db_fixture  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LEAD = "区自然资源和规划局"
CO = "区经信局"
EXTRA_USERS = {
    "natural": ("department", {"unit": LEAD}),
    "economy": ("department", {"unit": CO}),
    "town_b": ("town", {"township_code": TOWN_B}),
    "chief": ("chain_chief", {"unit": "fenghua-auto-parts"}),
}


@pytest.fixture(scope="module", name="live")
def live_fixture(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    seeded = seed(web_db, tmp_path_factory.mktemp("files"))
    engine = open_database(web_db)
    with transaction(engine) as session:
        for username, (role, fields) in EXTRA_USERS.items():
            create_user(session, username=username, role=role, password=PASSWORD, **fields)
    engine.dispose()
    folder = tmp_path_factory.mktemp("evidence")
    port = free_port()
    process = serve(web_db, port, env={"INDUSTRY_BRAIN_EVIDENCE_DIR": str(folder)})
    try:
        live = Live(base=f"http://127.0.0.1:{port}", db_url=web_db, **seeded)  # type: ignore[arg-type]
        live.evidence = folder  # type: ignore[attr-defined]
        yield live
    finally:
        stop(process)


def _open(live: Live, user: str, firm: str, files: list[tuple[str, bytes]] = ()):  # type: ignore[assignment,no-untyped-def]
    with live.client(user) as c:
        return c.post(
            "/api/v1/requests",
            data={"credit_code": firm, "category": "用地保障", "text": "用地指标未落实"},
            files=[("files", f) for f in files] or None,
        )


def _step(live: Live, user: str, case: int, action: str, files: list[tuple[str, bytes]] = (), **form: str):  # type: ignore[assignment,no-untyped-def]
    with live.client(user) as c:
        return c.post(
            f"/api/v1/requests/{case}/steps",
            data={"action": action, **form},
            files=[("files", f) for f in files] or None,
        )


def _get(live: Live, user: str, url: str):  # type: ignore[no-untyped-def]
    with live.client(user) as c:
        return c.get(url)


def test_the_loop_over_http_with_the_scopes_of_each_role(live: Live) -> None:
    opened = _open(live, "enterprise", code(1), [("用地红线图.pdf", PDF)])
    assert opened.status_code == 200, opened.text
    case = opened.json()
    assert (case["state"], case["lead_unit"], case["co_units"]) == ("待受理", LEAD, [CO])
    assert _open(live, "enterprise", code(3)).status_code == 404  # another enterprise's
    assert _open(live, "department", code(1)).status_code == 404  # a department raises for nobody
    n = case["request_id"]
    assert [r["request_id"] for r in _get(live, "town", "/api/v1/requests").json()] == [n]
    # town B sees its own enterprise's case (the web fixtures' seed), not this one
    assert n not in [r["request_id"] for r in _get(live, "town_b", "/api/v1/requests").json()]
    assert _get(live, "town_b", f"/api/v1/requests/{n}").status_code == 404
    assert _get(live, "natural", f"/api/v1/requests/{n}").status_code == 404  # not yet assigned
    assert _step(live, "enterprise", n, "accept").status_code == 403
    assert _step(live, "analyst", n, "accept").json()["state"] == "已受理"
    assert _step(live, "analyst", n, "assign").json()["state"] == "已交办"
    assert _get(live, "natural", f"/api/v1/requests/{n}").status_code == 200
    assert n in [r["request_id"] for r in _get(live, "economy", "/api/v1/requests").json()]  # its co-unit
    assert _get(live, "department", f"/api/v1/requests/{n}").status_code == 404  # 区科技局: not its case
    assert _step(live, "economy", n, "start").status_code == 403  # a co-unit does not lead
    assert _step(live, "natural", n, "start").json()["state"] == "办理中"
    refused = _step(live, "natural", n, "reply")
    assert refused.status_code == 400 and "须写明：内容" in refused.json()["detail"]
    assert _step(live, "natural", n, "reply", text="已协调指标").json()["state"] == "已答复"
    assert _step(live, "enterprise", n, "rate", rating="不满意").json()["state"] == "企业评价"
    closing = _step(live, "analyst", n, "close")
    assert closing.status_code == 400 and "应重办" in closing.json()["detail"]
    again = _step(live, "analyst", n, "redo", reason="企业不满意")
    assert again.json()["state"] == "办理中" and again.json()["lead_unit"] == LEAD
    shown = _get(live, "enterprise", f"/api/v1/requests/{n}").json()
    assert [e["action"] for e in shown["history"]] == [
        "open",
        "accept",
        "assign",
        "start",
        "reply",
        "rate",
        "redo",
    ]
    # the enterprise sees officials by unit or role, not by user name
    from industry_brain.requests.schemas import ROLE_NAMES

    bureau = ROLE_NAMES["analyst"]
    assert [e["actor"] for e in shown["history"]][:4] == ["enterprise", bureau, bureau, LEAD]
    inside = _get(live, "analyst", f"/api/v1/requests/{n}").json()["history"]
    assert [e["actor"] for e in inside][:4] == ["enterprise", "analyst", "analyst", "natural"]
    assert shown["history"][0]["attachments"][0]["file_name"] == "用地红线图.pdf"


def test_attachments_are_checked_stored_under_generated_names_and_served_in_scope(live: Live) -> None:
    n = _open(live, "town", code(2)).json()["request_id"]
    hostile = "../../../etc/passwd\\..\\证明.pdf"
    assert _step(live, "town", n, "note", text="附证明", files=[(hostile, PDF)]).status_code == 200
    for name, content, words in (
        ("run.exe", b"MZ\x90\x00", "类型不允许"),
        ("fake.pdf", b"GIF89a", "不符"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "上限"),
    ):
        refused = _step(live, "town", n, "note", text="x", files=[(name, content)])
        assert refused.status_code in (400, 413), (name, refused.status_code)
        assert refused.status_code == 413 or words in refused.json()["detail"], refused.text
    shown = _get(live, "analyst", f"/api/v1/requests/{n}").json()
    files = [f for e in shown["history"] for f in e["attachments"]]
    assert [f["file_name"] for f in files] == ["证明.pdf"]  # the one accepted; its name without folders
    stored = list((Path(live.evidence) / "requests").iterdir())  # type: ignore[attr-defined]
    assert any(p.read_bytes() == PDF and len(p.stem) == 32 and p.suffix == ".pdf" for p in stored)
    assert not any("passwd" in p.name or "证明" in p.name for p in stored)
    url = f"/api/v1/requests/attachments/{files[0]['id']}"
    got = _get(live, "town", url)
    assert (
        got.status_code == 200 and got.content == PDF and "attachment;" in got.headers["content-disposition"]
    )
    for outsider in ("town_b", "enterprise", "department"):  # enterprise: code(1) is not code(2)
        assert _get(live, outsider, url).status_code == 404, outsider
    assert _get(live, "town_b", "/api/v1/requests/attachments/999999").status_code == 404


def test_the_report_downloads_and_the_followup_sample(live: Live) -> None:
    """The seeded 办结 case of 岳林丙 (town B) is in the sample of those who see it, not of town A;
    the Word and PDF report carry the figures and the sample the JSON routes answer."""
    import datetime as dt
    import re

    import docx
    import pypdf

    period = dt.date.today().strftime("%Y-%m")
    sample = _get(live, "analyst", f"/api/v1/requests/followups?period={period}&per_unit=50").json()
    assert sample and all(c["closed_at"] and c["rating"] in ("满意", "基本满意") for c in sample)
    seeded = [c for c in sample if c["credit_code"] == code(3) and c["lead_unit"] == CO]
    assert seeded and seeded[0]["enterprise_name"] and seeded[0]["category_name"] == "政策兑现"
    mine = _get(live, "town_b", f"/api/v1/requests/followups?period={period}&per_unit=50").json()
    assert seeded[0] in mine
    other = _get(live, "town", f"/api/v1/requests/followups?period={period}&per_unit=50").json()
    assert all(c["credit_code"] != code(3) for c in other)
    for url in ("followups", "stats.pdf", "stats.docx"):
        assert _get(live, "enterprise", f"/api/v1/requests/{url}?period={period}").status_code == 403
    assert _get(live, "analyst", f"/api/v1/requests/followups?period={period}&per_unit=0").status_code == 422

    query = f"period={period}&per_unit=1&seed=5"
    drawn = _get(live, "analyst", f"/api/v1/requests/followups?{query}").json()
    stats = _get(live, "analyst", f"/api/v1/requests/stats?period={period}").json()
    word = _get(live, "analyst", f"/api/v1/requests/stats.docx?{query}")
    assert word.status_code == 200 and "attachment" in word.headers["content-disposition"]
    tables = [
        [[c.text for c in r.cells] for r in t.rows] for t in docx.Document(io.BytesIO(word.content)).tables
    ]
    assert tables[0][-1][:2] == ["合计", str(stats["total"]["received"])]
    assert [int(r[1]) for r in tables[2][1:]] == [c["request_id"] for c in drawn]
    pdf = _get(live, "analyst", f"/api/v1/requests/stats.pdf?{query}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = re.sub(
        r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    )
    assert "涉企问题办理情况晾晒" in text and all(c["credit_code"] in text for c in drawn)


def test_two_users_stepping_on_one_case_at_once_both_land(live: Live) -> None:
    n = _open(live, "analyst", code(1)).json()["request_id"]
    _step(live, "analyst", n, "accept")
    _step(live, "analyst", n, "assign")
    users = ["natural", "economy", "enterprise", "town", "analyst", "natural", "economy", "analyst"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda u: _step(live, u[1], n, "note", text=f"说明{u[0]}"), enumerate(users)))
    assert [a.status_code for a in answers] == [200] * len(users), [a.text for a in answers]
    history = _get(live, "analyst", f"/api/v1/requests/{n}").json()["history"]
    notes = sorted(e["text"] for e in history if e["action"] == "note")
    assert notes == sorted(f"说明{i}" for i in range(len(users)))
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1))


def test_the_league_table_and_the_open311_export(live: Live) -> None:
    import datetime as dt

    period = dt.date.today().strftime("%Y-%m")
    stats = _get(live, "analyst", f"/api/v1/requests/stats?period={period}")
    assert stats.status_code == 200 and stats.json()["total"]["received"] >= 1
    assert _get(live, "enterprise", f"/api/v1/requests/stats?period={period}").status_code == 403
    assert _get(live, "analyst", "/api/v1/requests/stats?period=2024-13").status_code == 400
    book = load_workbook(
        io.BytesIO(_get(live, "analyst", f"/api/v1/requests/stats.xlsx?period={period}").content)
    )
    assert book.sheetnames == ["按承办单位", "按镇街"] and book["按承办单位"]["A3"].value == "承办单位"
    services = _get(live, "enterprise", "/api/v1/requests/open311/services.json").json()
    assert {"service_code": "land", "service_name": "用地保障", "group": "要素保障"}.items() <= services[
        0
    ].items()
    mine = _get(live, "enterprise", "/api/v1/requests/open311/requests.json").json()
    everyone = _get(live, "analyst", "/api/v1/requests/open311/requests.json").json()
    assert 0 < len(mine) < len(everyone)
    first = everyone[0]
    assert set(first) >= {
        "service_request_id",
        "status",
        "service_code",
        "agency_responsible",
        "requested_datetime",
        "expected_datetime",
    }
    assert first["status"] in ("open", "closed") and first["requested_datetime"].endswith("+08:00")
    assert code(1) not in str(everyone)  # credit codes are not part of a GeoReport request
