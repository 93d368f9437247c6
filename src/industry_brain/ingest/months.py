"""A monthly file holding several months (the power company's 1-N月 file), taken as it comes.

Supersession works per source, template and period, and a batch has one period. A file of a
template with monthly periods (power readings, stats-monthly, tax-monthly) whose rows span
several months is therefore imported as one batch per month, all of the same file: each month
supersedes only its own month's earlier batch, and a month the file does not hold is left as
it is. The file's rejects, skipped rows and notes are kept with its first month's batch. The
preview is the months' previews together (`Plan.months` lists each).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from industry_brain.ingest.schemas import ImportResult
from industry_brain.ingest.sheets import Found
from industry_brain.ingest.supersede import Plan
from industry_brain.ingest.templates import PeriodRule


def split_months(found: Found) -> list[Found]:
    """One Found per month of a monthly template's file; [found] for any other file."""
    parsed = found.parsed
    if found.layout.template.period is not PeriodRule.month or parsed.accepted.is_empty():
        return [found]
    periods = sorted(set(parsed.accepted["period"].drop_nulls().to_list()))
    if len(periods) < 2 and parsed.period in periods:
        return [found]
    parts = []
    for i, period in enumerate(periods):
        rows = parsed.accepted.filter(pl.col("period") == period)
        first = i == 0
        others = 0 if first else rows.height
        part = replace(
            parsed,
            accepted=rows,
            rejects=parsed.rejects if first else [],
            rows_read=parsed.rows_read - (parsed.accepted.height - rows.height) if first else others,
            rows_skipped=parsed.rows_skipped if first else 0,
            period=period,
            warnings=parsed.warnings if first else [],
        )
        parts.append(Found(found.layout, part, found.sheets))
    return parts


def merge_plans(plans: list[Plan], period: str) -> Plan:
    """The months' previews as one: every list entry names its month."""
    first = plans[0]
    actions = {p.action for p in plans}
    action = next((a for a in ("replace", "supplement", "new", "keep") if a in actions), "unchanged")
    merged = Plan(
        action=action,  # type: ignore[arg-type]
        source=first.source,
        template=first.template,
        period=period,
        file=first.file,
        rows_read=sum(p.rows_read for p in plans),
        rows_accepted=sum(p.rows_accepted for p in plans),
        rows_rejected=sum(p.rows_rejected for p in plans),
        active_batches=sorted({b for p in plans for b in p.active_batches}),
        enterprises_before=sum(p.enterprises_before for p in plans),
        enterprises_in_file=sum(p.enterprises_in_file for p in plans),
        unchanged_count=sum(p.unchanged_count for p in plans),
        removed_if_replaced=sum(p.removed_if_replaced for p in plans),
        needs_confirmation=any(p.needs_confirmation for p in plans),
        reason="；".join(f"{p.period}：{p.reason}" for p in plans if p.reason),
    )
    for p in plans:
        merged.added += [{**e, "period": p.period} for e in p.added]
        merged.changed += [{**e, "period": p.period} for e in p.changed]
        merged.removed += [{**e, "period": p.period} for e in p.removed]
    merged.months = [
        {
            "period": p.period,
            "action": p.action,
            "active_batches": p.active_batches,
            "added_count": len(p.added),
            "changed_count": len(p.changed),
            "removed_count": len(p.removed),
            "needs_confirmation": p.needs_confirmation,
        }
        for p in plans
    ]
    return merged


def merge_results(results: list[ImportResult], period: str) -> ImportResult:
    """The months' batches as one import result: the first batch's id, every batch in `batches`."""
    first = results[0]
    actions = {r.action for r in results}
    action = next((a for a in ("replace", "supplement", "new", "keep") if a in actions), "unchanged")
    return ImportResult(
        batch_id=first.batch_id,
        source=first.source,
        template=first.template,
        period=period,
        file=first.file,
        rows_read=sum(r.rows_read for r in results),
        rows_accepted=sum(r.rows_accepted for r in results),
        rows_rejected=sum(r.rows_rejected for r in results),
        rows_skipped=sum(r.rows_skipped for r in results),
        rejects=[x for r in results for x in r.rejects],
        warnings=sum(r.warnings for r in results),
        unchanged=all(r.unchanged for r in results),
        superseded=sorted({b for r in results for b in r.superseded}),
        action=action,
        note="；".join(f"{r.period}：{r.note}" for r in results if r.note),
        batches=[r.batch_id for r in results],
    )
