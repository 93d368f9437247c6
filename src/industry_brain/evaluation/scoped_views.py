"""The evaluation's reads narrowed by a scope: the newest run a scope may read, its grade
distribution and township aggregates, the runs, a run's results and the appeals a scope may
see. The cockpit, the evaluation page and the industry map render these (through web.cockpit);
a scope that may not see a thing gets a Section that says so, not an error.

Who sees what: district-wide roles every enterprise; a town the aggregates and results of its
own township; an enterprise its own results and no aggregates; drafts only DRAFT_READERS.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from industry_brain.core.scope import Scope
from industry_brain.enterprises.models import Enterprise
from industry_brain.evaluation.evidence import DRAFT_READERS
from industry_brain.evaluation.models import EvaluationInput, EvaluationResult, EvaluationRun
from industry_brain.evaluation.run_views import list_appeals, run_metadata
from industry_brain.evaluation.workflow_common import appeal_status_name, status_name
from industry_brain.reference.divisions import township_name as _township_name

GRADES = ("A", "B", "C", "D", "T")
_TAX_PER_MU = EvaluationResult.__table__.c.tax_per_mu  # a catalogue column, added in a loop


@dataclass
class Section:
    """One section of a read-side page: available with its items and summary, or not, with a
    message saying why (no permission, nothing published, data not loaded)."""

    available: bool
    message: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def sees_aggregates(scope: Scope) -> bool:
    return scope.district_wide or (scope.role == "town" and bool(scope.township_code))


def latest_run(session: Session, *, scope: Scope, year: int | None = None) -> EvaluationRun | None:
    """The newest run the scope may read: published or final ones, drafts for analysts."""
    stmt = select(EvaluationRun).where(EvaluationRun.status != "superseded")
    if scope.role not in DRAFT_READERS:
        stmt = stmt.where(EvaluationRun.status.in_(("published", "final")))
    if year is not None:
        stmt = stmt.where(EvaluationRun.year == year)
    return session.scalar(stmt.order_by(EvaluationRun.year.desc(), EvaluationRun.id.desc()).limit(1))


def _in_scope(stmt: Any, scope: Scope, code_col: Any) -> Any:
    return stmt.outerjoin(Enterprise, Enterprise.credit_code == code_col).where(
        scope.enterprise_clause(code_col, Enterprise.township_code)
    )


def grade_distribution(session: Session, *, scope: Scope, run_id: int | None = None) -> Section:
    if not sees_aggregates(scope):
        return Section(False, "无权查看")
    run = session.get(EvaluationRun, run_id) if run_id else latest_run(session, scope=scope)
    if run is None or (run.status == "draft" and scope.role not in DRAFT_READERS):
        return Section(False, "暂无已公示的评价结果")
    stmt = (
        select(EvaluationResult.grade, func.count())
        .select_from(EvaluationResult)
        .where(EvaluationResult.run_id == run.id)
    )
    rows = session.execute(
        _in_scope(stmt, scope, EvaluationResult.credit_code).group_by(EvaluationResult.grade)
    )
    counts = {g: 0 for g in GRADES} | {str(g): int(n) for g, n in rows}
    return Section(
        True,
        items=[{"grade": g, "count": counts[g]} for g in GRADES],
        summary={"run_id": run.id, "year": run.year, "status": run.status, "total": sum(counts.values())},
    )


def township_aggregates(session: Session, *, scope: Scope, run_id: int | None = None) -> Section:
    """Per township of the run: enterprises, tax, land, 亩均税收, output and grade counts."""
    if not sees_aggregates(scope):
        return Section(False, "无权查看")
    run = session.get(EvaluationRun, run_id) if run_id else latest_run(session, scope=scope)
    if run is None or (run.status == "draft" and scope.role not in DRAFT_READERS):
        return Section(False, "暂无已公示的评价结果")
    town = Enterprise.township_code
    stmt = (
        select(
            town,
            func.count(),
            func.sum(EvaluationInput.tax_wan),
            func.sum(EvaluationInput.land_mu),
            func.sum(EvaluationInput.output_wan),
        )
        .select_from(EvaluationInput)
        .where(EvaluationInput.run_id == run.id)
        .group_by(town)
    )
    rows = {r[0]: r for r in session.execute(_in_scope(stmt, scope, EvaluationInput.credit_code))}
    gstmt = (
        select(town, EvaluationResult.grade, func.count())
        .select_from(EvaluationResult)
        .where(EvaluationResult.run_id == run.id)
    )
    grades: dict[Any, dict[str, int]] = {}
    for code, grade, n in session.execute(
        _in_scope(gstmt, scope, EvaluationResult.credit_code).group_by(town, EvaluationResult.grade)
    ):
        grades.setdefault(code, {})[grade] = int(n)
    items = []
    for code, n, tax, land, output in rows.values():
        items.append(
            {
                "township_code": code,
                "township": township_name(code),
                "enterprises": int(n),
                "tax_wan": tax,
                "land_mu": land,
                "tax_per_mu": (tax / land) if tax is not None and land else None,
                "output_wan": output,
                **{f"grade_{g}": grades.get(code, {}).get(g, 0) for g in GRADES},
            }
        )
    items.sort(key=lambda r: r["township_code"] or "")
    return Section(True, items=items, summary={"run_id": run.id, "year": run.year, "status": run.status})


def visible_runs(session: Session, *, scope: Scope) -> list[dict[str, Any]]:
    """The runs the scope may read, newest first, with their grade counts."""

    stmt = select(EvaluationRun).order_by(EvaluationRun.year.desc(), EvaluationRun.id.desc())
    if scope.role not in DRAFT_READERS:
        stmt = stmt.where(EvaluationRun.status != "draft")
    out = []
    for run in session.scalars(stmt):
        info = run_metadata(session, run).to_json()
        info["status_label"] = status_name(run.status)
        out.append(info)
    return out


def evaluation_results(
    session: Session,
    *,
    run_id: int,
    scope: Scope,
    pool: str | None = None,
    grade: str | None = None,
    township_code: str | None = None,
    industry_prefix: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """A run's results that the scope may see, filtered; each with township and industry."""
    run = session.get(EvaluationRun, run_id)
    if run is None or (run.status == "draft" and scope.role not in DRAFT_READERS):
        return []
    r = EvaluationResult
    stmt = (
        select(r.credit_code, r.name, r.pool, r.grade, r.score, r.rank, _TAX_PER_MU, r.vetoes, r.reason)
        .add_columns(Enterprise.township_code, Enterprise.industry_code)
        .select_from(r)
        .where(r.run_id == run.id)
    )
    stmt = _in_scope(stmt, scope, r.credit_code)
    if pool:
        stmt = stmt.where(r.pool == pool)
    if grade:
        stmt = stmt.where(r.grade == grade)
    if township_code:
        stmt = stmt.where(Enterprise.township_code == township_code)
    if industry_prefix:
        stmt = stmt.where(Enterprise.industry_code.startswith(industry_prefix))
    stmt = stmt.order_by(r.pool, r.rank, r.credit_code)
    if limit:
        stmt = stmt.limit(limit)
    keys = ("credit_code", "name", "pool", "grade", "score", "rank", "tax_per_mu", "vetoes", "reason")
    return [
        dict(zip(keys, row[:9], strict=True))
        | {"township_code": row[9], "township": township_name(row[9]), "industry_code": row[10]}
        for row in session.execute(stmt)
    ]


def visible_appeals(
    session: Session, *, run_id: int, scope: Scope, far_ratio: float = 0.2
) -> list[dict[str, Any]]:
    """The appeals of the run's family that concern enterprises in scope, each with its
    attachments, every department's figure for the disputed field in the run's year and
    `far` (the claim is more than `far_ratio` from every one of them; None: nothing to compare)."""
    from industry_brain.evaluation.evidence import attachments_of, department_figures, far_claim

    run = session.get(EvaluationRun, run_id)
    if run is None or (run.status == "draft" and scope.role not in DRAFT_READERS):
        return []
    appeals = list_appeals(session, run_id=run_id)
    codes = {a.credit_code for a in appeals}
    towns = dict(
        session.execute(
            select(Enterprise.credit_code, Enterprise.township_code).where(Enterprise.credit_code.in_(codes))
        ).all()
    )
    shown = [
        a
        for a in appeals
        if scope.sees_enterprise(credit_code=a.credit_code, township_code=towns.get(a.credit_code))
    ]
    files = attachments_of(session, [a.appeal_id for a in shown])
    out = []
    for a in shown:
        figures = department_figures(session, credit_code=a.credit_code, field=a.field, year=run.year)
        out.append(
            asdict(a)
            | {
                "status_label": appeal_status_name(a.status),
                "attachments": files[a.appeal_id],
                "department_figures": figures,
                "far": far_claim(a.claimed_value, figures, ratio=far_ratio),
            }
        )
    return out


def township_name(code: str | None) -> str:
    """A township's name for a results table: "—" when the enterprise has none."""
    return _township_name(code) if code else "—"
