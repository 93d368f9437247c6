"""公示, 申诉 with 证明材料, 复核 and 终审 over real HTTP against `industry-brain serve`, on SQLite
and PostgreSQL: who may do what, the evidence stored and served only in scope, the department
figures and the far-claim flag beside each appeal, and Chinese reasons for every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import code
from web_fixtures import Live, free_port, seed, serve, stop, web_db_fixture  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module", name="live")
def live_fixture(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    seeded = seed(web_db, tmp_path_factory.mktemp("files"))
    folder = tmp_path_factory.mktemp("evidence")
    port = free_port()
    process = serve(web_db, port, env={"INDUSTRY_BRAIN_EVIDENCE_DIR": str(folder)})
    try:
        live = Live(base=f"http://127.0.0.1:{port}", db_url=web_db, **seeded)  # type: ignore[arg-type]
        live.evidence = folder  # type: ignore[attr-defined]
        yield live
    finally:
        stop(process)


def _appeal(live: Live, user: str, credit_code: str, value: float, files: list[tuple[str, bytes]]):
    with live.client(user) as c:
        return c.post(
            f"/api/v1/evaluation/runs/{live.run_published}/appeals",
            data={
                "credit_code": credit_code,
                "field": "tax_wan",
                "claimed_value": str(value),
                "statement": "完税证明",
            },
            files=[("files", (name, content)) for name, content in files],
        )


def test_publishing_and_finalizing_refuse_with_chinese_reasons(live):
    with live.client("analyst") as c:
        for deadline, words in (
            ("2026/13/01", "不是有效的日期"),
            ("20.12", "无法识别"),
            ("2000-01-01", "须晚于今天"),
        ):
            r = c.post(f"/api/v1/evaluation/runs/{live.run_draft}/publish", json={"deadline": deadline})
            assert r.status_code == 400 and words in r.json()["detail"], r.text
        r = c.post(f"/api/v1/evaluation/runs/{live.run_published}/finalize")
        assert r.status_code == 400 and "起才能终审" in r.json()["detail"]
    with live.client("town") as c:
        r = c.post(f"/api/v1/evaluation/runs/{live.run_draft}/publish", json={"deadline": "2099-01-01"})
        assert r.status_code == 403


def test_an_enterprise_appeals_with_evidence_and_follows_its_case(live):
    hostile = "../../etc/完税证明.pdf"
    refused = _appeal(live, "enterprise", code(1), 5000, [])
    assert refused.status_code == 400 and "请附上证明材料" in refused.json()["detail"]
    refused = _appeal(live, "enterprise", code(1), 5000, [("run.exe", b"MZ\x00\x00")])
    assert refused.status_code == 400 and "类型不允许" in refused.json()["detail"]
    assert _appeal(live, "enterprise", code(3), 5000, [("a.pdf", PDF)]).status_code == 404  # not its own
    assert _appeal(live, "analyst", code(1), 5000, [("a.pdf", PDF)]).status_code == 403
    filed = _appeal(live, "enterprise", code(1), 5000, [(hostile, PDF)])
    assert filed.status_code == 200, filed.text
    appeal_id = filed.json()["appeal_id"]
    stored = list(Path(live.evidence).iterdir())  # type: ignore[attr-defined]
    assert len(stored) == 1 and stored[0].read_bytes() == PDF and "完税" not in stored[0].name

    with live.client("analyst") as c:
        rows = c.get(f"/api/v1/evaluation/runs/{live.run_published}/appeals").json()
    mine = next(r for r in rows if r["appeal_id"] == appeal_id)
    assert [f["file_name"] for f in mine["attachments"]] == ["完税证明.pdf"]
    # the tax bureau's 2022 figure for 甲 is 600 万元; 5000 is far from it
    assert [(f["source"], f["value"]) for f in mine["department_figures"]] == [("tax", 600.0)]
    assert mine["far"] is True
    attachment = mine["attachments"][0]["attachment_id"]
    url = f"/api/v1/evaluation/appeals/attachments/{attachment}"
    for user, status in (("enterprise", 200), ("town", 200), ("analyst", 200), ("department", 404)):
        with live.client(user) as c:
            r = c.get(url)
        assert r.status_code == status, (user, r.text)
        if status == 200:
            assert r.content == PDF and r.headers["content-type"] == "application/pdf"
            assert "filename*=UTF-8''%E5%AE%8C%E7%A8%8E" in r.headers["content-disposition"]

    with live.client("analyst") as c:
        r = c.post(f"/api/v1/evaluation/appeals/{appeal_id}/review", json={"accept": False, "reason": ""})
        assert r.status_code == 400 and "须写明理由" in r.json()["detail"]
        r = c.post(
            f"/api/v1/evaluation/appeals/{appeal_id}/review",
            json={"accept": False, "reason": "完税证明不属于评价年度"},
        )
        assert r.status_code == 200, r.text
    with live.client("enterprise") as c:
        own = c.get(f"/api/v1/evaluation/runs/{live.run_published}/appeals").json()
    assert [(a["status"], a["status_label"], a["review_reason"]) for a in own] == [
        ("rejected", "已驳回", "完税证明不属于评价年度")
    ]
