"""企业画像: everything known of one enterprise on one page, and finding it by name, code or
pinyin initials. Read-only; every function takes the caller's `scope` and returns nothing the
scope may not see (an enterprise outside it reads as absent, with no hint that it exists).

The figures of a year come from ingest.facts.resolve_enterprise (the rules that resolve the
whole district, applied to this enterprise's records only), read through
views.queries.enterprise_figures as the API's enterprise detail reads them, so the
profile, the API and `export facts` never disagree; each figure names the source that decided it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from industry_brain.core.scope import Scope
from industry_brain.core.text import normalise_code
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.facts import EnterpriseFigures
from industry_brain.ingest.models import ImportBatch, Record
from industry_brain.ingest.templates import SOURCE_LABELS
from industry_brain.views.queries import enterprise_figures

FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "output_wan": ("工业总产值", "万元"),
    "value_added_wan": ("工业增加值", "万元"),
    "revenue_wan": ("营业收入", "万元"),
    "tax_wan": ("实缴税金", "万元"),
    "rd_spend_wan": ("研发经费", "万元"),
    "employees": ("从业人员", "人"),
    "land_mu": ("用地面积", "亩"),
    "rented_mu": ("租赁面积", "亩"),
    "energy_tce": ("综合能耗", "吨标准煤"),
    "emission_t": ("主要污染物排放量", "吨"),
    "electricity_wan_kwh": ("用电量", "万千瓦时"),
    "above_scale": ("是否规上", ""),
    "safety_accident": ("安全生产事故", "起"),
    "env_violation": ("环境违法", "次"),
}
# Roles that may see a run before it is published (公示).
DRAFT_READERS = frozenset({"admin", "analyst", "system"})


@dataclass
class EnterpriseProfile:
    credit_code: str
    master: dict[str, Any]
    figures: list[dict[str, Any]]  # year, field, label, unit, value, source (the deciding one)
    by_source: list[dict[str, Any]]  # year, field, source, value, chosen
    titles: list[dict[str, Any]]
    evaluations: list[dict[str, Any]]  # one per visible run, newest first
    explanation: list[str] = field(default_factory=list)  # of the newest visible run
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def township_name(code: str | None) -> str:
    from industry_brain.reference.divisions import divisions

    if not code:
        return "—"
    d = divisions().get(code)
    return d.name if d else code


def industry_name(code: str | None) -> str:
    from industry_brain.reference.industries import industries

    if not code:
        return "—"
    i = industries().get(code)
    return f"{code} {i.name}" if i else code


@lru_cache(maxsize=65536)
def initials(name: str) -> str:
    """Pinyin initials of a name, lower case: 宁波华翔电子 -> nbhxdz (letters and digits kept)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()


@lru_cache(maxsize=65536)
def full_pinyin(name: str) -> str:
    """Full pinyin of a name, lower case, no tones or spaces: 宁波华翔电子 -> ningbohuaxiangdianzi."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name, style=Style.NORMAL, errors="default")).lower()


# Relevance, best first: exact name or code, prefix, substring, pinyin prefix, pinyin substring.
EXACT, PREFIX, CONTAINS, PINYIN_PREFIX, PINYIN = range(5)


def _relevance(text: str, code: str, name: str | None) -> int | None:
    """How well `text` finds the enterprise (EXACT .. PINYIN), None when it does not."""
    name = name or ""
    upper = normalise_code(text)
    if text == name or upper == code:
        return EXACT
    if name.startswith(text) or (len(upper) >= 2 and code.startswith(upper)):
        return PREFIX
    if text in name:
        return CONTAINS
    spelled = text.lower().replace(" ", "").replace("'", "")
    if not (spelled.isascii() and spelled.isalpha()) or not name:
        return None
    full, first = full_pinyin(name), initials(name)
    if full.startswith(spelled) or first.startswith(spelled):
        return PINYIN_PREFIX
    if spelled in full or spelled in first:
        return PINYIN
    return None


def search(session: Session, *, query: str, scope: Scope, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """{"total", "limit", "offset", "items"}: the enterprises in scope found by name (exact,
    prefix, substring), credit code (exact or prefix) or pinyin (full, e.g. ningbohuaxiang, or
    initials, e.g. nbhx), best match first (see _relevance), then shorter names, then code."""
    text = query.strip()
    page: dict[str, Any] = {"total": 0, "limit": limit, "offset": offset, "items": []}
    if not text:
        return page
    visible = scope.enterprise_clause(Enterprise.credit_code, Enterprise.township_code)
    cols = (Enterprise.credit_code, Enterprise.name, Enterprise.industry_code, Enterprise.township_code)
    stmt = select(*cols).where(visible)
    spelled = text.lower().replace(" ", "").replace("'", "")
    if not (spelled.isascii() and spelled.isalpha()):  # no pinyin: the database narrows it
        stmt = stmt.where(
            or_(
                Enterprise.name.contains(text, autoescape=True),
                Enterprise.credit_code.startswith(normalise_code(text), autoescape=True),
            )
        )
    ranked = []
    for row in session.execute(stmt):
        rank = _relevance(text, row[0], row[1])
        if rank is not None:
            ranked.append((rank, len(row[1] or ""), row[0], row))
    ranked.sort(key=lambda r: r[:3])
    page["total"] = len(ranked)
    page["items"] = [
        {
            "credit_code": r[0],
            "name": r[1],
            "industry_code": r[2],
            "township_code": r[3],
            "township": township_name(r[3]),
            "relevance": rank,
        }
        for rank, _, _, r in ranked[offset : offset + limit]
    ]
    return page


def profile(session: Session, *, credit_code: str, scope: Scope) -> EnterpriseProfile | None:
    """The enterprise's profile, or None when it does not exist or lies outside `scope`."""
    found = enterprise_figures(session, scope=scope, credit_code=credit_code)
    if found is None:
        return None
    ent, resolved = found
    figures, by_source = _figures(resolved)
    evaluations = _evaluations(session, ent.credit_code, scope)
    return EnterpriseProfile(
        credit_code=ent.credit_code,
        master=_master(ent),
        figures=figures,
        by_source=by_source,
        titles=_titles(session, ent.credit_code),
        evaluations=evaluations,
        explanation=_explanation(session, ent.credit_code, evaluations),
        history=_history(session, ent, evaluations),
    )


def _master(ent: Enterprise) -> dict[str, Any]:
    def src(s: str | None) -> str | None:
        return SOURCE_LABELS.get(s or "", s)

    return {
        "credit_code": ent.credit_code,
        "name": ent.name,
        "name_source": src(ent.name_source),
        "industry_code": ent.industry_code,
        "industry": industry_name(ent.industry_code),
        "industry_code_source": src(ent.industry_code_source),
        "township_code": ent.township_code,
        "township": township_name(ent.township_code),
        "township_code_source": src(ent.township_code_source),
        "zone": ent.zone,
        "zone_source": src(ent.zone_source),
        "established": ent.established.isoformat() if ent.established else None,
        "established_source": src(ent.established_source),
    }


def _figures(resolved: EnterpriseFigures) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the deciding figure of each field, every source's figure) by year, newest first. One
    sort of each frame, not a filter per year: the frames are a few dozen rows, and each polars
    call costs more than the rows do (a profile page is read on every view)."""
    years = set(resolved.years())
    chosen = resolved.chosen.sort(["year", "field"], descending=[True, False]).to_dicts()
    candidates = resolved.candidates.sort(
        ["year", "field", "rank", "source"], descending=[True, False, False, False]
    ).to_dicts()
    picked = {(r["year"], r["field"], r["source"]) for r in chosen}
    shown = {r["year"] for r in candidates} & years
    figures = [
        {
            "year": r["year"],
            "field": r["field"],
            "label": FIGURE_LABELS.get(r["field"], (r["field"], ""))[0],
            "unit": FIGURE_LABELS.get(r["field"], (r["field"], ""))[1],
            "value": r["value"],
            "source": r["source"],
            "source_label": SOURCE_LABELS.get(r["source"], r["source"]),
        }
        for r in chosen
        if r["year"] in shown
    ]
    by_source = [
        {
            "year": r["year"],
            "field": r["field"],
            "label": FIGURE_LABELS.get(r["field"], (r["field"], ""))[0],
            "source": r["source"],
            "source_label": SOURCE_LABELS.get(r["source"], r["source"]),
            "value": r["value"],
            "chosen": (r["year"], r["field"], r["source"]) in picked,
        }
        for r in candidates
        if r["year"] in shown
    ]
    return figures, by_source


def _titles(session: Session, code: str) -> list[dict[str, Any]]:
    stmt = (
        select(Record.title, Record.title_level, Record.title_year, ImportBatch.id, ImportBatch.file_name)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(Record.credit_code == code, Record.title.is_not(None), ImportBatch.status == "active")
        .order_by(Record.title_year.desc(), Record.title)
    )
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for title, level, year, batch_id, file_name in session.execute(stmt):
        seen.setdefault(
            (title, level),
            {"title": title, "level": level, "year": year, "batch_id": batch_id, "file": file_name},
        )
    return list(seen.values())


def evaluations(session: Session, *, credit_code: str, scope: Scope) -> list[dict[str, Any]]:
    """The enterprise's results in every run `scope` may see (no drafts outside the bureau),
    newest first: the profile's 评价结果 and the 涉企问题 case's grade."""
    return _evaluations(session, credit_code, scope)


def _evaluations(session: Session, code: str, scope: Scope) -> list[dict[str, Any]]:
    from industry_brain.evaluation.explain import GRADE_LABELS
    from industry_brain.evaluation.models import EvaluationResult, EvaluationRun
    from industry_brain.evaluation.workflow_common import status_name

    stmt = (
        select(
            EvaluationRun.id,
            EvaluationRun.year,
            EvaluationRun.method_id,
            EvaluationRun.status,
            EvaluationRun.version,
            EvaluationResult.pool,
            EvaluationResult.grade,
            EvaluationResult.score,
            EvaluationResult.rank,
            EvaluationResult.__table__.c.tax_per_mu,
            EvaluationRun.created_at,
        )
        .join(EvaluationRun, EvaluationRun.id == EvaluationResult.run_id)
        .where(EvaluationResult.credit_code == code)
        .order_by(EvaluationRun.year.desc(), EvaluationRun.id.desc())
    )
    if scope.role not in DRAFT_READERS:
        stmt = stmt.where(EvaluationRun.status != "draft")
    return [
        {
            "run_id": r[0],
            "year": r[1],
            "method": r[2],
            "status": r[3],
            "status_label": status_name(r[3]),
            "version": r[4],
            "pool": r[5],
            "grade": r[6],
            "grade_label": GRADE_LABELS.get(r[6], r[6]),
            "score": r[7],
            "rank": r[8],
            "tax_per_mu": r[9],
            "created_at": r[10],
        }
        for r in session.execute(stmt)
    ]


def _explanation(session: Session, code: str, evaluations: list[dict[str, Any]]) -> list[str]:
    from industry_brain.evaluation.explain import explain_enterprise

    if not evaluations:
        return []
    current = [e for e in evaluations if e["status"] != "superseded"] or evaluations
    return explain_enterprise(session, run_id=current[0]["run_id"], credit_code=code).lines


def _history(session: Session, ent: Enterprise, evaluations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What happened to this enterprise's record: the imports that brought its figures and its
    evaluation results, newest first."""
    stmt = (
        select(ImportBatch.id, ImportBatch.source, ImportBatch.period, ImportBatch.file_name)
        .add_columns(ImportBatch.imported_at, ImportBatch.status)
        .join(Record, Record.batch_id == ImportBatch.id)
        .where(Record.credit_code == ent.credit_code)
        .distinct()
    )
    events: list[dict[str, Any]] = []
    for batch_id, source, period, file_name, at, status in session.execute(stmt):
        label = SOURCE_LABELS.get(source, source)
        events.append(
            {
                "at": at,
                "what": f"导入批次 {batch_id}（{label}，期间 {period}，{file_name}）"
                + ("" if status == "active" else "（已被替代）"),
            }
        )
    for e in evaluations:
        events.append(
            {
                "at": e["created_at"],
                "what": (
                    f"{e['year']} 年度亩均评价（批次 {e['run_id']}，{e['status_label']}）：{e['grade_label']}"
                ),
            }
        )
    events.sort(key=lambda e: e["at"] or dt.datetime.min, reverse=True)
    return [{**e, "at": e["at"].isoformat(sep=" ", timespec="minutes") if e["at"] else None} for e in events]
