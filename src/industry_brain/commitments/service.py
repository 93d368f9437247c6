"""标准地 commitments: import from the land department's Excel, list, 达产复核 as of a date
(stored with its trace), and the rectification (整改) of a breach. The one place the
commitments meet the database; the caller's scope narrows what is returned."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import ibis
import polars as pl
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from industry_brain.commitments.importer import COLUMNS, CommitmentRow, parse_file
from industry_brain.commitments.indicators import INDICATORS
from industry_brain.commitments.models import Commitment, CommitmentRectification, CommitmentReview
from industry_brain.commitments.review import RESULT_NAMES, review
from industry_brain.commitments.trace import parcel_trace
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.cultivation.service import visible_codes
from industry_brain.enterprises.models import Enterprise
from industry_brain.policies import record as records

KEYS = [key for key, _, _ in COLUMNS.values()]
STATES = {"open": "待整改", "in_progress": "整改中", "done": "已整改", "waived": "免于整改"}
LAND_UNIT = "自然资源"  # a department whose unit names this is the land department


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def visible(session: Session, *, scope: Scope) -> set[str] | None:
    """The credit codes whose commitments `scope` sees; None for all (district-wide, land dept)."""
    if scope.role == "department" and LAND_UNIT in (scope.unit or ""):
        return None
    return visible_codes(session, scope=scope)


def may_act(scope: Scope) -> bool:
    """Whether `scope` runs a 达产复核 and records 整改: the land department and the bureau's
    admins and analysts (and the CLI), not readers such as leaders, towns or enterprises."""
    land = scope.role == "department" and LAND_UNIT in (scope.unit or "")
    return land or scope.role in ("admin", "analyst", "system")


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _values(c: Commitment) -> dict[str, Any]:
    return {k: _plain(getattr(c, k)) for k in KEYS}


def import_plan(session: Session, *, rows: list[CommitmentRow]) -> dict[str, list[dict[str, Any]]]:
    """What importing `rows` changes: new parcels, changed ones (each field old -> new), unchanged."""
    have = {c.parcel_id: c for c in session.scalars(select(Commitment))}
    plan: dict[str, list[dict[str, Any]]] = {"new": [], "changed": [], "unchanged": []}
    for r in rows:
        new = {k: _plain(r.values.get(k)) for k in KEYS}
        old = have.get(new["parcel_id"])
        if old is None:
            plan["new"].append({"parcel_id": new["parcel_id"], "row": r.row})
            continue
        diff = {k: [v, new[k]] for k, v in _values(old).items() if v != new[k]}
        kind = "changed" if diff else "unchanged"
        plan[kind].append({"parcel_id": new["parcel_id"], "row": r.row, "changes": diff})
    return plan


def import_commitments(
    session: Session, *, path: Path, settings: Settings, by: str | None = None, apply: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """Read `path` and (when `apply`) store it; a replaced commitment keeps its old values in
    `previous`, so nothing is lost. Returns the plan (import_plan)."""
    rows = parse_file(path, settings)
    plan = import_plan(session, rows=rows)
    if not apply:
        return plan
    have = {c.parcel_id: c for c in session.scalars(select(Commitment))}
    now = _now()
    for r in rows:
        c = have.get(r.values["parcel_id"])
        if c is None:
            c = Commitment(parcel_id=r.values["parcel_id"])
            session.add(c)
        elif _values(c) == {k: _plain(r.values.get(k)) for k in KEYS}:
            continue
        else:
            c.previous = json.dumps(
                {**_values(c), "file": c.file, "row": c.row, "imported_at": c.imported_at.isoformat()},
                ensure_ascii=False,
            )
        for k in KEYS:
            setattr(c, k, r.values.get(k))
        c.file, c.row, c.imported_at, c.imported_by = path.name, r.row, now, by
    session.flush()
    return plan


def _names(session: Session, codes: set[str]) -> dict[str, tuple[str | None, str | None]]:
    stmt = select(Enterprise.credit_code, Enterprise.name, Enterprise.township_code)
    return {c: (n, t) for c, n, t in session.execute(stmt.where(Enterprise.credit_code.in_(sorted(codes))))}


def _scoped(
    session: Session, scope: Scope, *, township: str | None = None, year: int | None = None
) -> list[Commitment]:
    """The commitments `scope` sees, narrowed to a township's enterprises and to the parcels
    whose 达产复核 date falls in `year`, where given."""
    seen = visible(session, scope=scope)
    stmt = select(Commitment).order_by(Commitment.parcel_id)
    if seen is not None:
        stmt = stmt.where(Commitment.credit_code.in_(sorted(seen)))
    if township is not None:
        town = select(Enterprise.credit_code).where(Enterprise.township_code == township)
        stmt = stmt.where(Commitment.credit_code.in_(town))
    if year is not None:
        stmt = stmt.where(Commitment.review_date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return list(session.scalars(stmt))


def list_commitments(
    session: Session, *, scope: Scope, year: int | None = None, township: str | None = None
) -> list[dict[str, Any]]:
    """The commitments `scope` sees (of `township`, due for review in `year`, where given),
    with the enterprise's name and township."""
    found = _scoped(session, scope, township=township, year=year)
    names = _names(session, {c.credit_code for c in found})
    return [
        {
            "id": c.id,
            **_values(c),
            "name": names.get(c.credit_code, (None, None))[0],
            "township_code": names.get(c.credit_code, (None, None))[1],
            "file": c.file,
            "row": c.row,
            "previous": json.loads(c.previous) if c.previous else None,
        }
        for c in found
    ]


NUMBERS = [k for k, kind, _ in COLUMNS.values() if kind == "number"]


def _frame(found: list[Commitment]) -> pl.DataFrame:
    """The review's commitments table (review.review): the numbers, the parcel and its dates."""
    schema: dict[str, Any] = {"commitment_id": pl.Int64, "parcel_id": pl.String, "credit_code": pl.String}
    schema |= {k: pl.Float64 for k in NUMBERS} | {"review_date": pl.Date}
    return pl.DataFrame(
        [{"commitment_id": c.id} | {k: getattr(c, k) for k in schema if k != "commitment_id"} for c in found],
        schema=schema,
    )


def run_review(
    session: Session, *, as_of: dt.date, by: str | None = None, year: int | None = None
) -> list[int]:
    """Review every commitment as of `as_of` against the record of `year` (default the year
    before) in one Ibis query, and store each result with its trace; the new review ids."""
    found = _scoped(session, Scope.system())
    if not found:
        raise IndustryBrainError("尚未导入标准地承诺（commitments import 文件）")
    year = year or as_of.year - 1
    codes = {c.credit_code for c in found}
    record = records.record_of(session, year=year, codes=codes)
    got = ibis.duckdb.connect().execute(review(ibis.memtable(_frame(found)), ibis.memtable(record), as_of))
    sources = records.sources_of(session, year=year, codes=codes)
    now, ids = _now(), []
    for row in got.to_dict("records"):
        row["year"] = year
        t = parcel_trace(row, sources)
        r = CommitmentReview(
            commitment_id=int(row["commitment_id"]),
            as_of=as_of,
            figures_year=year,
            result=t["result"],
            trace=json.dumps(t, ensure_ascii=False, default=str),
            created_at=now,
            created_by=by,
        )
        session.add(r)
        session.flush()
        ids.append(r.id)
    return ids


def reviews(
    session: Session,
    *,
    scope: Scope,
    latest: bool = True,
    as_of: dt.date | None = None,
    year: int | None = None,
    township: str | None = None,
) -> list[dict[str, Any]]:
    """The stored reviews `scope` sees (only the newest per commitment when `latest`), each with
    its trace and its rectification steps; where given, only the reviews as of `as_of`, against
    the figures of `year`, of `township`'s enterprises."""
    found = {c.id: c for c in _scoped(session, scope, township=township)}
    which: list[ColumnElement[bool]] = [CommitmentReview.commitment_id.in_(sorted(found))]
    if as_of is not None:
        which.append(CommitmentReview.as_of == as_of)
    if year is not None:
        which.append(CommitmentReview.figures_year == year)
    stmt = select(CommitmentReview).where(*which)
    if latest:  # the newest of the reviews asked for, not the newest of all
        newest = select(func.max(CommitmentReview.id)).where(*which).group_by(CommitmentReview.commitment_id)
        stmt = stmt.where(CommitmentReview.id.in_(newest))
    got = list(session.scalars(stmt.order_by(CommitmentReview.id)))
    steps: dict[int, list[dict[str, Any]]] = {}
    rect = select(CommitmentRectification).where(CommitmentRectification.review_id.in_([r.id for r in got]))
    for s in session.scalars(rect.order_by(CommitmentRectification.id)):
        steps.setdefault(s.review_id, []).append(_step(s))
    names = _names(session, {c.credit_code for c in found.values()})
    return [_review_entry(r, found[r.commitment_id], names, steps.get(r.id, [])) for r in got]


def _step(s: CommitmentRectification) -> dict[str, Any]:
    return {
        "state": s.state,
        "state_name": STATES[s.state],
        "deadline": _plain(s.deadline),
        "note": s.note,
        "recorded_by": s.recorded_by,
        "recorded_at": s.recorded_at.isoformat(timespec="seconds"),
    }


def _review_entry(
    r: CommitmentReview, c: Commitment, names: dict[str, Any], steps: list[dict[str, Any]]
) -> dict[str, Any]:
    name, town = names.get(c.credit_code, (None, None))
    return {
        "id": r.id,
        "commitment_id": c.id,
        "parcel_id": c.parcel_id,
        "credit_code": c.credit_code,
        "name": name,
        "township_code": town,
        "as_of": r.as_of.isoformat(),
        "figures_year": r.figures_year,
        "result": r.result,
        "result_name": RESULT_NAMES[r.result],
        "area_mu": c.area_mu,
        "review_date": _plain(c.review_date),
        # the committed values, also for a parcel not yet due (whose trace has no indicators)
        "committed": {k: getattr(c, f"committed_{k}") for k in INDICATORS},
        "consequences": c.consequences,
        "trace": json.loads(r.trace),
        "rectification": steps,
        "rectification_state": steps[-1]["state"] if steps else None,
    }


def rectify(
    session: Session,
    *,
    review_id: int,
    state: str,
    scope: Scope,
    deadline: dt.date | None = None,
    note: str | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Record a 整改 step on a breached review (the land department, admins, analysts, the CLI:
    may_act; a leader reads the state but does not record it)."""
    if state not in STATES:
        raise IndustryBrainError(f"整改状态“{state}”无效，应为：{'、'.join(STATES)}")
    r = session.get(CommitmentReview, review_id)
    if r is None or not may_act(scope):
        raise IndustryBrainError(f"没有编号为 {review_id} 的复核结果，或无权办理")
    if r.result != "breached":
        raise IndustryBrainError(f"复核 {review_id} 的结果是“{RESULT_NAMES[r.result]}”，无需整改")
    s = CommitmentRectification(
        review_id=r.id, state=state, deadline=deadline, note=note, recorded_by=by, recorded_at=_now()
    )
    session.add(s)
    session.flush()
    return _step(s)
