"""The result notices over HTTP: an enterprise downloads its own notice and nobody else's, a
town its township's enterprises', a department none; drafts stay inside the district's roles;
every download is in the audit log."""

from __future__ import annotations

import io
import re

import docx
import pypdf

from helpers import code
from web_fixtures import ENTERPRISES, TOWN_A, Live, live_fixture, web_db_fixture  # noqa: F401

NOT_FOUND = {"detail": "未找到 (not found)"}


def notice_url(run_id: int, credit_code: str | None = None) -> str:
    base = f"/api/v1/evaluation/runs/{run_id}/notices"
    return f"{base}/{credit_code}" if credit_code else base


def pdf_text(content: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in pages))


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_an_enterprise_gets_its_own_notice_and_no_one_elses(live: Live) -> None:
    mine, other = code(1), code(3)
    with live.client("enterprise") as c:
        got = c.get(notice_url(live.run_published, mine))
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "application/pdf"
        assert f'filename="notice-{live.run_published}-{mine}.pdf"' in got.headers["content-disposition"]
        text = pdf_text(got.content)
        assert ENTERPRISES[mine][0] in text and mine in text and "公示截止日为" in text
        word = c.get(notice_url(live.run_published, mine), params={"format": "docx"})
        assert word.status_code == 200 and ENTERPRISES[mine][0] in docx_text(word.content)
        # another enterprise's notice, an unknown code and a draft run all read as absent
        for url in (
            notice_url(live.run_published, other),
            notice_url(live.run_published, code(99)),
            notice_url(live.run_published, "not-a-code"),
            notice_url(live.run_draft, mine),
        ):
            refused = c.get(url)
            assert (refused.status_code, refused.json()) == (404, NOT_FOUND), url
        every = c.get(notice_url(live.run_published), params={"format": "docx"})
        assert every.status_code == 200
        text = docx_text(every.content)
        assert mine in text and other not in text and code(2) not in text


def test_a_town_gets_its_townships_notices_and_a_department_none(live: Live) -> None:
    ours = sorted(c for c, (_, town) in ENTERPRISES.items() if town == TOWN_A)
    theirs = sorted(set(ENTERPRISES) - set(ours))
    with live.client("town") as c:
        assert c.get(notice_url(live.run_published, ours[1])).status_code == 200
        assert c.get(notice_url(live.run_published, theirs[0])).json() == NOT_FOUND
        every = c.get(notice_url(live.run_published))
        assert every.status_code == 200
        text = pdf_text(every.content)
        assert all(code_ in text for code_ in ours) and not any(code_ in text for code_ in theirs)
    with live.client("department") as c:
        assert c.get(notice_url(live.run_published, ours[0])).status_code == 404
        assert c.get(notice_url(live.run_published)).status_code == 404
    with live.client("analyst") as c:  # the district's roles see drafts too
        assert c.get(notice_url(live.run_draft, theirs[0]), params={"format": "docx"}).status_code == 200


def test_notice_downloads_are_audited(live: Live) -> None:
    with live.client("enterprise") as c:
        assert c.get(notice_url(live.run_published, code(1)), params={"format": "docx"}).status_code == 200
    with live.client("admin") as c:
        entries = c.get(
            "/api/v1/audit", params={"username": "enterprise", "action": "evaluation.notice.read"}
        ).json()
    assert entries and entries[0]["target"] == code(1)
    assert f'"run_id": {live.run_published}' in entries[0]["detail"]
