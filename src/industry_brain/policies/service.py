"""Policies: matching as of a date, with the trace of every result; the one place the policy
logic meets the database. Matching always runs over every enterprise (a budget's cut depends
on who else is eligible), and the caller's scope narrows what is returned."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.readcache import ReadCache
from industry_brain.core.scope import Scope
from industry_brain.cultivation.service import visible_codes
from industry_brain.policies import frames
from industry_brain.policies import record as records
from industry_brain.policies.engine import evaluate
from industry_brain.policies.format import Policy, catalogue, policy
from industry_brain.policies.trace import Statement, trace


def chosen(policy_ids: list[str] | None) -> list[Policy]:
    return [policy(p) for p in policy_ids] if policy_ids else list(catalogue().values())


def matches_frame(
    session: Session,
    *,
    policies: list[Policy],
    as_of: dt.date,
    engine: str = "duckdb",
    postgres_url: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(matches, record): analytics.MATCH_COLUMNS of every enterprise for every policy in force
    on `as_of`, and the record they were matched against."""
    live = [p for p in policies if p.in_force(as_of)]
    years = sorted({p.figures_year_for(as_of) for p in live})
    if not years:
        return pl.DataFrame(), pl.DataFrame()

    def compute() -> tuple[pl.DataFrame, pl.DataFrame]:
        record = pl.concat([records.record_of(session, year=y) for y in years])
        titles = records.titles_all(session)
        got = evaluate(live, record, titles, as_of=as_of, engine=engine, postgres_url=postgres_url)
        # Kept and filtered per request, as it comes: one chunk per policy (engine.run sorts each
        # year's rows once, so a policy's columns are whole), a filter costs what one pass costs,
        # and copying millions of rows into one chunk would cost more than every lookup after.
        return got, record

    stamp = _record_stamp(session)
    # The policies' content (a sandbox draft differs from the live version) is part of the key.
    key = None if stamp is None else (as_of, engine, repr(live), *stamp)
    return _MATCHES.get_or_compute(key, compute)


# Matching every enterprise against every policy takes seconds on a district; the policies page
# and the API read it per request, so it is kept per state of what the record is built from.
_MATCHES: ReadCache[tuple[pl.DataFrame, pl.DataFrame]] = ReadCache(size=16)


def _record_stamp(session: Session) -> tuple[Any, ...] | None:
    """What the policy record reads besides the imports: the evaluation runs' states (a grade
    counts once its run is published) and the declared figures."""
    from sqlalchemy import func, select

    from industry_brain.evaluation.models import EvaluationRun
    from industry_brain.ingest.facts import data_stamp
    from industry_brain.policies.models import PolicyFigure

    stamp = data_stamp(session)
    if stamp is None:
        return None
    runs = tuple(session.execute(select(EvaluationRun.id, EvaluationRun.status).order_by(EvaluationRun.id)))
    figures = session.execute(select(func.count(), func.max(PolicyFigure.id))).one()
    return (*stamp, runs, *figures)


def scoped_frame(
    session: Session,
    *,
    as_of: dt.date,
    scope: Scope,
    policies: list[Policy],
    code: str | None = None,
    results: set[str] | None = None,
    engine: str = "duckdb",
    postgres_url: str | None = None,
) -> pl.DataFrame:
    """The match rows (analytics.MATCH_COLUMNS and `near_miss`) of `policies` on `as_of` within
    `scope`, `code` and `results` narrowing them, sorted by policy and credit code; nothing is
    built per row (frames.py), so a district's summary costs what counting its columns costs."""
    if not any(p.in_force(as_of) for p in policies):
        raise IndustryBrainError(f"{as_of.isoformat()} 没有有效的政策（政策有效期见 policies list）")
    got, _ = matches_frame(session, policies=policies, as_of=as_of, engine=engine, postgres_url=postgres_url)
    if got.is_empty():
        return got.with_columns(pl.lit(False).alias("near_miss"))
    if code is not None:
        got = got.filter(pl.col("credit_code") == code)
    if results:
        got = got.filter(pl.col("result").is_in(sorted(results)))
    seen = visible_codes(session, scope=scope)
    if seen is not None:
        got = got.filter(pl.col("credit_code").is_in(sorted(seen)))
    # already sorted by policy and credit code (engine.run), and filtering keeps the order
    return frames.with_near_miss(got, policies, as_of)


def match(
    session: Session,
    *,
    as_of: dt.date,
    scope: Scope,
    policy_ids: list[str] | None = None,
    code: str | None = None,
    results: set[str] | None = None,
    engine: str = "duckdb",
    postgres_url: str | None = None,
    policies: list[Policy] | None = None,
    with_sources: bool = True,
) -> list[dict[str, Any]]:
    """One entry per enterprise and policy (`code` and `results` narrow it), within `scope`:
    credit_code, name, township_code, policy, policy_name, result, amount_wan, conditions,
    missing, trace (docs/policies.md). `with_sources=False` leaves out where each value came
    from (a query over every record of the year), for a summary that does not show it."""
    use = policies if policies is not None else chosen(policy_ids)
    got = scoped_frame(
        session,
        as_of=as_of,
        scope=scope,
        policies=use,
        code=code,
        results=results,
        engine=engine,
        postgres_url=postgres_url,
    )
    return entries(session, got, policies=use, as_of=as_of, with_sources=with_sources)


def entries(
    session: Session, rows: pl.DataFrame, *, policies: list[Policy], as_of: dt.date, with_sources: bool
) -> list[dict[str, Any]]:
    """The entry (with its trace) of each row of a match frame, in its order."""
    by_id = {p.id: p for p in policies}
    said = {p.id: Statement(p, as_of) for p in policies}
    got = rows.to_dicts()
    sources: dict[tuple[str, int, str], dict[str, Any]] = {}
    for year in sorted({int(r["year"]) for r in got}) if with_sources else []:
        codes = {r["credit_code"] for r in got if int(r["year"]) == year}
        for y in (year, year - 1):  # growth and 小升规 read the year before
            sources.update(records.sources_of(session, year=y, codes=codes))
    return [entry(by_id[r["policy"]], r, as_of, sources, said[r["policy"]]) for r in got]


def entry(
    p: Policy,
    row: dict[str, Any],
    as_of: dt.date,
    sources: Any = None,
    statement: Statement | None = None,
) -> dict[str, Any]:
    t = trace(p, row, as_of, sources, statement)
    return {
        "credit_code": row["credit_code"],
        "name": row["name"],
        "township_code": row["township_code"],
        "policy": p.id,
        "policy_name": p.name,
        "result": row["result"],
        "result_name": t["result_name"],
        "amount_wan": row["amount_wan"],
        "conditions": [
            {k: c[k] for k in ("id", "name", "value", "required", "passed", "source", "article", "message")}
            for c in t["conditions"]
        ],
        "missing": t["missing"],
        "near_miss": t["near_miss"],
        "trace": t,
    }


def summary(frame: pl.DataFrame, policies: list[Policy]) -> list[dict[str, Any]]:
    """Per policy: how many enterprises in each result, the near misses and the eligible amount
    (万元), counted over the match frame (frames.summary)."""
    return frames.summary(frame, policies)
