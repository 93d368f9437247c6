"""Verifying a run: recompute it from its stored inputs and method snapshot and compare the
inputs with the run's input hash and the results with the stored results."""

from __future__ import annotations

import polars as pl
from sqlalchemy.orm import Session

from industry_brain.core.settings import Settings
from industry_brain.evaluation.service import compute, get_run, input_hash, method_of, run_inputs, run_results
from industry_brain.evaluation.workflow_types import Verification


def verify_run(session: Session, *, run_id: int, settings: Settings) -> Verification:
    """Recompute a run from its stored inputs and method snapshot and compare: the inputs with
    the run's input hash, the results with the stored results (floats to 1e-9 relative)."""
    run = get_run(session, run_id)
    method = method_of(run)
    facts = run_inputs(session, run)
    check = Verification(run.id, input_hash(facts) == run.input_hash, True)
    if not check.inputs_match:
        check.differences.append(f"输入哈希 {input_hash(facts)[:12]} ≠ 批次记录的 {run.input_hash[:12]}")
    if method.fingerprint() != run.method_fingerprint:
        check.differences.append("方法快照的指纹与批次记录不符")
    stored = run_results(session, run, method).sort("credit_code")
    again = compute(facts, method, year=run.year, engine=run.engine, postgres_url=settings.database_url)
    again = again.select(stored.columns).sort("credit_code")
    mismatched = _result_differences(stored, again)
    check.results_match = not mismatched
    check.differences += mismatched
    return check


def _result_differences(stored: pl.DataFrame, again: pl.DataFrame) -> list[str]:
    """What differs between the stored and the recomputed results, both sorted by credit code."""
    if stored["credit_code"].to_list() != again["credit_code"].to_list():
        return ["企业名单与重算不一致"]
    mismatched: list[str] = []
    for column in stored.columns:
        if not _columns_match(stored[column], again[column]):
            mismatched.append(f"结果列 {column} 与重算不一致")
    return mismatched


def _columns_match(a: pl.Series, b: pl.Series) -> bool:
    """Floats equal to 1e-9 relative (nulls equal nulls); anything else equal as text."""
    if a.dtype.is_float() or b.dtype.is_float():
        a, b = a.cast(pl.Float64), b.cast(pl.Float64)
        close = (a - b).abs() <= 1e-9 * b.abs().clip(lower_bound=1.0)
        return bool((close.fill_null(False) | (a.is_null() & b.is_null())).all())
    return a.cast(pl.String).fill_null("").to_list() == b.cast(pl.String).fill_null("").to_list()
