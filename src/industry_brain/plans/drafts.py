"""Editing a plan on the platform: a draft version, changed field by field, then published.

An analyst uploads a pack (YAML or the Excel template) as a draft, or starts one from the plan's
current version; edits names, values, units, years, directions and the responsible units of
indicators and tasks; and publishes it as the plan's next version (the old version and its
actuals stay). Each save validates the whole pack, so a draft is always a pack that could be
published, and a change that breaks it is refused with the reason and not saved.
A discarded draft is kept (state 'discarded') and can be made the draft again (restore_draft).
The plans page and the JSON API both call these functions; only admin and analyst may edit.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope
from industry_brain.plans.models import PlanPack
from industry_brain.plans.pack import Pack, PackError, parse_pack
from industry_brain.plans.pack_data import content_of, read_pack_file
from industry_brain.plans.service import PlanForbidden, pack_json
from industry_brain.plans.store import (
    add_pack,
    changes_from_current,
    check_in_catalogue,
    current_pack,
    ensure_shipped,
    version_rows,
)

EDITORS = frozenset({"admin", "analyst", "system"})
INDICATOR_FIELDS = {
    "name": "指标名称",
    "category": "类别",
    "unit": "单位",
    "direction": "方向",
    "change": "变化方式",
    "baseline_year": "基期年份",
    "baseline_value": "基期值",
    "baseline_quote": "基期原文",
    "target_year": "目标年份",
    "target_value": "目标值",
    "target_quote": "目标原文",
    "responsible": "责任单位",
}
TASK_FIELDS = {
    "name": "任务名称",
    "lead_units": "牵头单位",
    "partner_units": "配合单位",
    "due": "完成年份",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_editor(scope: Scope) -> None:
    if scope.role not in EDITORS:
        raise PlanForbidden(
            "只有经信局分析人员和管理员可以添加或修改规划 (only analysts and admins edit plans)"
        )


def _draft(session: Session, plan_id: str) -> PlanPack | None:
    return session.scalar(select(PlanPack).where(PlanPack.plan_id == plan_id, PlanPack.state == "draft"))


def _need_draft(session: Session, plan_id: str) -> PlanPack:
    row = _draft(session, plan_id)
    if row is None:
        raise ConfigurationError(f"规划 {plan_id!r} 没有草稿 (no draft; start one first)")
    return row


def _json(row: PlanPack) -> dict[str, Any]:
    pack = parse_pack(json.loads(row.content), row.source_name)
    return {
        "plan_id": row.plan_id,
        "version": row.version,
        "state": row.state,
        "source_name": row.source_name,
        "added_by": row.added_by,
        "added_at": row.added_at.isoformat(timespec="seconds"),
        "pack": pack_json(pack),
    }


def get_draft(session: Session, *, plan_id: str, scope: Scope) -> dict[str, Any] | None:
    check_editor(scope)
    row = _draft(session, plan_id)
    return None if row is None else _json(row)


def start_draft(session: Session, *, plan_id: str, scope: Scope) -> dict[str, Any]:
    """A draft of the plan's next version, copied from its current one (or the draft it has)."""
    check_editor(scope)
    row = _draft(session, plan_id)
    if row is None:
        pack = current_pack(session, plan_id)
        top = max(r.version for r in version_rows(session, plan_id))
        add_pack(
            session,
            pack=pack,
            source_name=f"{plan_id} 版本 {pack.version} 的修订稿",
            by=scope.username,
            draft=True,
        )
        row = _need_draft(session, plan_id)
        assert row.version == top + 1
    return _json(row)


def upload_draft(session: Session, *, path: Path, scope: Scope) -> dict[str, Any]:
    """A pack file (YAML or the Excel template) stored as a draft; refused with its place and reason."""
    check_editor(scope)
    pack = read_pack_file(path)
    added = add_pack(session, pack=pack, source_name=path.name, by=scope.username, draft=True)
    return {**_json(_need_draft(session, pack.id)), "note": added.note}


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == "":
        target.pop(key, None)
    else:
        target[key] = value


def _figure_edit(item: dict[str, Any], name: str, edits: dict[str, Any]) -> None:
    keys = {k: k.partition("_")[2] for k in edits if k.startswith(f"{name}_")}
    if not keys:
        return
    figure = dict(item.get(name) or {})
    for key, field in keys.items():
        _set(figure, field, edits[key])
    if name == "baseline" and "value" not in figure:
        item.pop("baseline", None)  # a baseline without a value is no baseline
    else:
        item[name] = figure


def _apply(
    items: list[dict[str, Any]], what: str, edits: dict[str, dict[str, Any]], fields: dict[str, str]
) -> None:
    by_id = {item["id"]: item for item in items}
    for item_id, change in edits.items():
        if item_id not in by_id:
            raise ConfigurationError(f"草稿中没有{what} {item_id!r} (no such {what})")
        unknown = sorted(set(change) - set(fields))
        if unknown:
            raise ConfigurationError(f"不能修改的字段 {'、'.join(unknown)} (known: {'、'.join(fields)})")
        item = by_id[item_id]
        for key in ("baseline", "target"):
            _figure_edit(item, key, change)
        for key, value in change.items():
            if key.startswith(("baseline_", "target_")):
                continue
            if key in ("responsible", "lead_units", "partner_units"):
                item[key] = [str(u).strip() for u in value or [] if str(u).strip()]
            else:
                _set(item, key, value.strip() if isinstance(value, str) else value)


def _place(error: PackError, data: dict[str, Any]) -> str:
    """`indicators[3].target.value` as the words a page shows: 指标“规上工业总产值”的 target.value."""
    head, _, rest = error.path.partition("].")
    for key, word in (("indicators[", "指标"), ("tasks[", "任务")):
        if head.startswith(key) and head[len(key) :].isdigit():
            item = data[key[:-1]][int(head[len(key) :])]
            return f"{word}“{item.get('name', item.get('id'))}”的 {rest}"
    return error.path


def edit_draft(
    session: Session,
    *,
    plan_id: str,
    scope: Scope,
    indicators: dict[str, dict[str, Any]] | None = None,
    tasks: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Apply field edits to the plan's draft ({indicator id: {field: value}}, fields as in
    INDICATOR_FIELDS and TASK_FIELDS; None clears an optional field). The whole pack is validated
    before it is saved; a change that breaks it raises PackError and nothing is saved."""
    check_editor(scope)
    row = _need_draft(session, plan_id)
    data = json.loads(row.content)
    _apply(data["indicators"], "指标", indicators or {}, INDICATOR_FIELDS)
    _apply(data["tasks"], "任务", tasks or {}, TASK_FIELDS)
    try:
        pack = parse_pack(data, "草稿")
    except PackError as exc:
        raise PackError(f"规划 {plan_id} 的草稿", _place(exc, data), exc.reason) from None
    row.content, row.sha256 = content_of(pack)
    row.origin = "edited"
    session.flush()
    return _json(row)


def publish_draft(session: Session, *, plan_id: str, scope: Scope) -> dict[str, Any]:
    """The draft becomes the plan's current version; the previous version stays, with its actuals."""
    check_editor(scope)
    ensure_shipped(session)
    row = _need_draft(session, plan_id)
    pack: Pack = parse_pack(json.loads(row.content), row.source_name)
    check_in_catalogue(session, pack, row.source_name)
    row.state = "published"
    row.published_at = _now()
    session.flush()
    return _json(row)


def discard_preview(session: Session, *, plan_id: str, scope: Scope) -> dict[str, Any]:
    """What discarding the plan's draft gives up, for the page to ask first: the draft (version,
    source, who started it and when), its plan's title, and what it would have changed in the
    current version (store.changes_from_current; `new_plan` when the plan has no version yet)."""
    check_editor(scope)
    row = _need_draft(session, plan_id)
    pack = parse_pack(json.loads(row.content), row.source_name)
    published = any(r.state == "published" for r in version_rows(session, plan_id))
    return {
        "plan_id": plan_id,
        "title": pack.title,
        "version": row.version,
        "source_name": row.source_name,
        "added_by": row.added_by,
        "added_at": row.added_at.isoformat(timespec="seconds"),
        "new_plan": not published,
        "changes": changes_from_current(session, pack),
    }


def discard_draft(session: Session, *, plan_id: str, scope: Scope) -> dict[str, Any]:
    """Give up the plan's draft: it is kept as a discarded version (its number is not reused)
    and restore_draft makes it the draft again."""
    check_editor(scope)
    row = _need_draft(session, plan_id)
    row.state, row.retired_at, row.retired_by = "discarded", _now(), scope.username
    session.flush()
    return {"plan_id": plan_id, "version": row.version, "discarded": True}


def restore_draft(
    session: Session, *, plan_id: str, scope: Scope, version: int | None = None
) -> dict[str, Any]:
    """A discarded draft (the one given, or the last discarded) becomes the plan's draft again.
    Refused while the plan has another draft. When a version was stored after it, it takes the
    next free number, so that publishing it still makes it the current version (`note` says)."""
    check_editor(scope)
    if (other := _draft(session, plan_id)) is not None:
        raise ConfigurationError(
            f"规划 {plan_id} 已有草稿（版本 {other.version}）；请先发布或放弃该草稿，再恢复已放弃的草稿"
        )
    rows = version_rows(session, plan_id)
    gone = [r for r in rows if r.state == "discarded" and (version is None or r.version == version)]
    if not gone:
        what = f"版本 {version} 的" if version is not None else ""
        raise ConfigurationError(f"规划 {plan_id!r} 没有{what}已放弃的草稿可恢复 (no discarded draft)")
    row = max(gone, key=lambda r: (r.retired_at or dt.datetime.min, r.version))
    note = None
    if any(r.version > row.version and r.state != "discarded" for r in rows):
        new = max(r.version for r in rows) + 1
        pack = replace(parse_pack(json.loads(row.content), row.source_name), version=new)
        row.content, row.sha256 = content_of(pack)
        note = f"版本号由 {row.version} 改为 {new}（其后已有版本 {new - 1}）"
        row.version = new
    row.state, row.retired_at, row.retired_by = "draft", None, None
    session.flush()
    return {**_json(row), "note": note}


def list_discarded(session: Session, *, scope: Scope, limit: int = 10) -> list[dict[str, Any]]:
    """The drafts discarded most recently (at most `limit`), newest first: title, version, source,
    who discarded it and when (not the content)."""
    check_editor(scope)
    rows = session.scalars(
        select(PlanPack)
        .where(PlanPack.state == "discarded")
        .order_by(PlanPack.retired_at.desc(), PlanPack.id.desc())
        .limit(limit)
    )
    return [
        _listed(r)
        | {
            "discarded_by": r.retired_by,
            "discarded_at": r.retired_at.isoformat(timespec="seconds") if r.retired_at else None,
        }
        for r in rows
    ]


def list_drafts(session: Session, *, scope: Scope) -> list[dict[str, Any]]:
    """Every plan's draft (a new plan's too): its plan's title, version and source, not its content."""
    check_editor(scope)
    rows = session.scalars(select(PlanPack).where(PlanPack.state == "draft").order_by(PlanPack.plan_id))
    return [_listed(r) for r in rows]


def _listed(row: PlanPack) -> dict[str, Any]:
    """A version as the lists show it: its plan's title, version and source, not its content."""
    return {
        "plan_id": row.plan_id,
        "title": json.loads(row.content)["title"],
        "version": row.version,
        "source_name": row.source_name,
        "added_by": row.added_by,
    }
