"""What a file does to the batch it would supersede, and putting a superseded batch back.

Before a file replaces the active batch of its source, template and period, the import works
out per enterprise (the template's first key: the credit code, or the 户号 of a power file)
who is added, whose figures change and who would lose every figure. A file that would take
figures away from more than `supersede_max_loss_share` of the batch's enterprises is taken as
a supplement unless the caller says it replaces the batch; a smaller loss needs a
confirmation. docs/importing.md states the rules; the CLI, the API and the page ask the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.ingest.models import ImportBatch, Record
from industry_brain.ingest.templates import Template

Mode = Literal["auto", "replace", "supplement"]
MODES: tuple[str, ...] = ("auto", "replace", "supplement")
Action = Literal["new", "replace", "supplement", "unchanged", "keep"]
ACTION_NAMES = {
    "new": "新增批次（同期尚无已导入的数据）",
    "replace": "替代同期已导入的批次",
    "supplement": "补充导入（保留同期已导入的批次）",
    "unchanged": "与已导入文件相同，不作改动",
    "keep": "文件没有可接收的行，保留同期已导入的批次",
}
STATUS_NAMES = {"active": "有效", "superseded": "已被替代"}
# Compared per enterprise; the name is an attribute of the master record, not a figure.
_NOT_COMPARED = ("name", "batch_id", "row", "sheet", "__row")


class ConfirmationNeeded(IndustryBrainError):
    """The file would take figures away from enterprises and nobody has confirmed it."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        super().__init__(
            f"此文件将替代批次 {'、'.join(map(str, plan.active_batches))}，"
            f"其中 {plan.removed_count} 家企业将失去数据；请先查看预览并确认"
        )


@dataclass
class Plan:
    """What importing the file would do (the preview a user confirms)."""

    action: Action
    source: str
    template: str
    period: str
    file: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    active_batches: list[int] = field(default_factory=list)
    enterprises_before: int = 0
    enterprises_in_file: int = 0
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    unchanged_count: int = 0
    removed_if_replaced: int = 0  # who would lose figures if the file replaced the batch after all
    needs_confirmation: bool = False
    reason: str = ""
    # A file of several months: each month's preview (ingest/months.py); empty otherwise.
    months: list[dict[str, Any]] = field(default_factory=list)

    @property
    def removed_count(self) -> int:
        return len(self.removed)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data |= {
            "action_name": ACTION_NAMES[self.action],
            "added_count": len(self.added),
            "changed_count": len(self.changed),
            "removed_count": len(self.removed),
        }
        return data


def active_batches(session: Session, *, source: str, template: str, period: str) -> list[ImportBatch]:
    return list(
        session.scalars(
            select(ImportBatch)
            .where(
                ImportBatch.source == source,
                ImportBatch.template == template,
                ImportBatch.period == period,
                ImportBatch.status == "active",
            )
            .order_by(ImportBatch.id)
        )
    )


def entity_key(template: Template) -> str:
    return template.key[0]


def compare(
    session: Session, *, template: Template, accepted: pl.DataFrame, batches: list[ImportBatch]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], int, int]:
    """(added, changed, removed, unchanged count, enterprises before) of the file's accepted rows
    against the active batches (the newest batch naming an enterprise gives its rows)."""
    key = entity_key(template)
    old = _records(session, [b.id for b in batches])
    # Every figure the template can carry: a column the new file lacks is a figure it loses.
    wanted = ("period", *template.fields)
    columns = [c for c in wanted if c in Record.__table__.columns and c not in _NOT_COMPARED and c != key]
    missing = [c for c in columns if c not in accepted.columns]
    accepted = accepted.with_columns([pl.lit(None).alias(c) for c in missing])
    new_rows = _by_entity(accepted, key, columns)
    old_rows = _by_entity(_newest_per_entity(old, key), key, columns)
    names = _names(old, key) | _names(accepted, key)
    added = [_entry(k, names) for k in sorted(new_rows) if k not in old_rows]
    removed = [_entry(k, names) for k in sorted(old_rows) if k not in new_rows]
    changed = [_entry(k, names) for k in sorted(new_rows) if k in old_rows and new_rows[k] != old_rows[k]]
    same = sum(1 for k in new_rows if k in old_rows and new_rows[k] == old_rows[k])
    return added, changed, removed, same, len(old_rows)


def decide(plan: Plan, *, mode: Mode, max_loss_share: float, confirmed: bool) -> Plan:
    """The rule every caller shares: what the import does and whether it needs a yes first."""
    if plan.action in ("unchanged", "keep", "new"):
        return plan
    if mode == "supplement":
        plan.removed_if_replaced = plan.removed_count
        plan.action, plan.removed = "supplement", []
        plan.reason = "按要求补充导入：同期已导入的数据都保留"
        return plan
    plan.removed_if_replaced = plan.removed_count
    share = plan.removed_count / plan.enterprises_before if plan.enterprises_before else 0.0
    if mode == "auto" and share > max_loss_share:
        plan.action = "supplement"
        plan.reason = (
            f"此文件只含同期批次 {plan.enterprises_before} 家企业中的 {plan.enterprises_in_file} 家，"
            f"替代将使 {plan.removed_count} 家（{share:.0%}）失去数据，超过 {max_loss_share:.0%}："
            "按补充导入处理；若确要替代整个批次，请选择“替代”"
        )
        plan.removed = []
        return plan
    plan.action = "replace"
    plan.needs_confirmation = mode == "auto" and plan.removed_count > 0 and not confirmed
    if plan.removed_count:
        plan.reason = f"替代后 {plan.removed_count} 家企业将失去此来源本期的数据"
    return plan


def _records(session: Session, batch_ids: list[int]) -> pl.DataFrame:
    if not batch_ids:
        return pl.DataFrame()
    cols = [c for c in Record.__table__.columns.keys() if c != "id"]  # noqa: SIM118
    table = Record.__table__
    rows = session.execute(select(*[table.c[c] for c in cols]).where(table.c.batch_id.in_(batch_ids)))
    return pl.DataFrame([tuple(r) for r in rows], schema=cols, orient="row", infer_schema_length=None)


def _newest_per_entity(old: pl.DataFrame, key: str) -> pl.DataFrame:
    if old.is_empty() or key not in old.columns:
        return old
    newest = old.group_by(key).agg(pl.col("batch_id").max().alias("__newest"))
    return old.join(newest, on=key).filter(pl.col("batch_id") == pl.col("__newest")).drop("__newest")


def _value(v: Any) -> Any:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return round(float(v), 6)
    return None if v is None else str(v)


def _by_entity(frame: pl.DataFrame, key: str, columns: list[str]) -> dict[str, tuple[Any, ...]]:
    if frame.is_empty() or key not in frame.columns:
        return {}
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for r in frame.select(key, *columns).iter_rows():
        if r[0] is not None:
            rows.setdefault(str(r[0]), []).append(tuple(_value(v) for v in r[1:]))
    return {k: tuple(sorted(v, key=repr)) for k, v in rows.items()}


def _names(frame: pl.DataFrame, key: str) -> dict[str, str]:
    if frame.is_empty() or key not in frame.columns or "name" not in frame.columns:
        return {}
    return {str(k): n for k, n in frame.select(key, "name").iter_rows() if k is not None and n}


def _entry(key: str, names: dict[str, str]) -> dict[str, Any]:
    return {"key": key, "name": names.get(key)}


def restore_batch(session: Session, *, batch_id: int) -> dict[str, Any]:
    """Makes a superseded batch active again (with the supplements superseded together with it)
    and supersedes what is active for its source, template and period now. Nothing is deleted."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise IndustryBrainError(f"批次 {batch_id} 不存在")
    if batch.status != "superseded":
        raise IndustryBrainError(f"批次 {batch_id} 当前有效，无需恢复（只有已被替代的批次可以恢复）")
    replaced_by = batch.superseded_by
    group = [batch]
    if replaced_by is not None:
        group = list(
            session.scalars(
                select(ImportBatch)
                .where(ImportBatch.superseded_by == replaced_by, ImportBatch.status == "superseded")
                .order_by(ImportBatch.id)
            )
        )
    now_active = active_batches(session, source=batch.source, template=batch.template, period=batch.period)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for b in now_active:
        b.status, b.superseded_by, b.superseded_at = "superseded", batch.id, now
    for b in group:
        b.status, b.superseded_by, b.superseded_at = "active", None, None
    session.flush()
    return {
        "batch_id": batch.id,
        "restored": [b.id for b in group],
        "superseded": [b.id for b in now_active],
        "source": batch.source,
        "period": batch.period,
    }


def restored_records(session: Session, *, batch_id: int) -> pl.DataFrame:
    """The batch's rows as the import accepted them (to give the master record back its values)."""
    return _records(session, [batch_id])
