"""The plan catalogue the district owns: plan packs stored in the database, one row per version.

Every reader of plans (progress, actuals, the review report, the cockpit, the pages) asks this
module for a plan's current pack: its highest published version. The packs shipped in the
package are stored the same way on first use (ensure_shipped), so a shipped pack and a pack a
district adds with `plans add` are read by one path. A new version keeps the old one, and the
actuals recorded against it; `plans remove` retires versions (restorable), never deletes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from industry_brain.core.errors import ConfigurationError
from industry_brain.plans import pack as pack_module
from industry_brain.plans.models import IndicatorActual, PlanPack, TaskReport
from industry_brain.plans.pack import Cluster, Pack, PackError, check_pack_set
from industry_brain.plans.pack_data import content_of, pack_from_content

SHIPPED_BY = "内置规划包"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _parse(content: str) -> Pack:
    """A stored content, validated again as it is read (the catalogue caches it: _pack_of)."""
    return pack_from_content(content, "数据库中的规划包")


def _new_row(pack: Pack, *, state: str, origin: str, source_name: str, by: str) -> PlanPack:
    text, sha = content_of(pack)
    now = _now()
    return PlanPack(
        plan_id=pack.id,
        version=pack.version,
        state=state,
        content=text,
        sha256=sha,
        origin=origin,
        source_name=source_name[:500],
        added_by=by,
        added_at=now,
        published_at=now if state == "published" else None,
    )


def ensure_shipped(session: Session) -> int:
    """Store each shipped pack version the database does not hold yet (on first use, and when an
    upgrade ships a new version); a version a district retired stays retired. Returns how many."""
    have = {(plan, version) for plan, version in session.execute(select(PlanPack.plan_id, PlanPack.version))}
    missing = [p for p in pack_module._shipped() if (p.id, p.version) not in have]
    if not missing:
        return 0
    if session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        # a read-only API route (web.api.signed_in(reads=True)) has no transaction to hold a
        # savepoint: the first use stores the shipped packs in a short transaction of its own
        with Session(session.get_bind()) as own, own.begin():
            return _store_shipped(own, missing)
    return _store_shipped(session, missing)


def _store_shipped(session: Session, missing: list[Any]) -> int:
    added = 0
    for pack in missing:
        try:
            with session.begin_nested():  # a parallel first request may store it first
                session.add(
                    _new_row(
                        pack,
                        state="published",
                        origin="shipped",
                        source_name=f"{pack.id}.yaml",
                        by=SHIPPED_BY,
                    )
                )
            added += 1
        except IntegrityError:
            pass
    return added


def _current_rows(session: Session) -> dict[str, PlanPack]:
    ensure_shipped(session)
    rows = session.scalars(
        select(PlanPack)
        .options(defer(PlanPack.content))  # read only for a pack not parsed yet (_pack_of)
        .where(PlanPack.state == "published")
        .order_by(PlanPack.plan_id, PlanPack.version)
    ).all()
    return {r.plan_id: r for r in rows}  # the highest version of each plan wins


_BY_SHA: dict[str, Pack] = {}


def _pack_of(row: PlanPack) -> Pack:
    """The row's pack, parsed once per content (its SHA-256) and process."""
    pack = _BY_SHA.get(row.sha256)
    if pack is None:
        pack = _parse(row.content)
        if len(_BY_SHA) >= 256:
            _BY_SHA.clear()
        _BY_SHA[row.sha256] = pack
    return pack


def current_packs(session: Session) -> list[Pack]:
    """Every plan's current pack (its highest published version), sorted by plan id."""
    return [_pack_of(r) for _, r in sorted(_current_rows(session).items())]


def current_pack(session: Session, plan_id: str) -> Pack:
    rows = _current_rows(session)
    if plan_id not in rows:
        known = ", ".join(sorted(rows)) or "none"
        raise ConfigurationError(f"没有规划 {plan_id!r} (no such plan; known: {known})")
    return _pack_of(rows[plan_id])


NO_DATABASE_NOTE = "未读取数据库：以下取自随软件提供的规划包，不含本区用 plans add 添加或更新的规划"


@dataclass(frozen=True)
class Catalogue:
    """The plans other domains (clusters, projects) read: the database's current versions, or
    the shipped packs where there is no database to read, with `note` saying so."""

    packs: list[Pack]
    note: str | None = None  # None: the database's current versions

    @property
    def from_database(self) -> bool:
        return self.note is None


def catalogue(session: Session | None) -> Catalogue:
    """The current version of every plan in the database (shipped packs stored on first use),
    or, without a database (`session` None: a command run before any database exists), the
    shipped packs, with a note saying the district's own plans are not among them."""
    if session is None:
        return Catalogue(list(pack_module._shipped()), NO_DATABASE_NOTE)
    return Catalogue(current_packs(session))


def current_clusters(session: Session) -> dict[str, Cluster]:
    return {c.id: c for p in current_packs(session) for c in p.clusters}


def version_rows(session: Session, plan_id: str) -> list[PlanPack]:
    return list(
        session.scalars(select(PlanPack).where(PlanPack.plan_id == plan_id).order_by(PlanPack.version))
    )


def _count(session: Session, model: Any, plan_id: str, version: int) -> int:
    stmt = (
        select(func.count()).select_from(model).where(model.plan_id == plan_id, model.plan_version == version)
    )
    return int(session.scalar(stmt) or 0)


def versions(session: Session, *, plan_id: str) -> list[dict[str, Any]]:
    """Every stored version of a plan, oldest first, with the actuals recorded against it."""
    ensure_shipped(session)
    rows = version_rows(session, plan_id)
    if not rows:
        raise ConfigurationError(f"没有规划 {plan_id!r} (no such plan)")
    current = _current_rows(session).get(plan_id)
    return [
        {
            "plan_id": r.plan_id,
            "version": r.version,
            "state": r.state,
            "current": current is not None and r.id == current.id,
            "origin": r.origin,
            "source_name": r.source_name,
            "added_by": r.added_by,
            "added_at": r.added_at,
            "retired_at": r.retired_at,
            "actuals": _count(session, IndicatorActual, plan_id, r.version),
            "task_reports": _count(session, TaskReport, plan_id, r.version),
        }
        for r in rows
    ]


def check_in_catalogue(session: Session, pack: Pack, source_name: str) -> None:
    """The catalogue with `pack` in place of its plan's current version must hold together
    (cluster ids unique, every concerns.cluster names a cluster)."""
    others = [p for p in current_packs(session) if p.id != pack.id]
    try:
        check_pack_set([*others, pack])
    except PackError as exc:
        raise PackError(source_name, exc.path, exc.reason) from None


@dataclass(frozen=True)
class Added:
    plan_id: str
    version: int
    state: str
    change: str  # added | new_version | unchanged
    previous: int | None  # the version that was current before
    note: str | None = None


def add_pack(session: Session, *, pack: Pack, source_name: str, by: str, draft: bool = False) -> Added:
    """Store a validated pack as a new version (published, or a draft to edit on the page).

    The same version with the same content is no change; the same version with other content,
    or an older version, is refused (a change is a new version). A draft takes the next free
    version number and there is at most one draft per plan."""
    ensure_shipped(session)
    rows = version_rows(session, pack.id)
    top = max((r.version for r in rows), default=0)
    current = _current_rows(session).get(pack.id)
    previous = current.version if current else None
    note = None
    if draft:
        if any(r.state == "draft" for r in rows):
            raise PackError(source_name, "", f"规划 {pack.id} 已有草稿；请先发布或放弃该草稿")
        if pack.version <= top:
            note = f"版本号由 {pack.version} 改为 {top + 1}（已有版本 {top}）"
            pack = replace(pack, version=top + 1)
    same = next((r for r in rows if r.version == pack.version), None)
    if same is not None and same.state == "discarded":
        raise PackError(
            source_name,
            "version",
            f"规划 {pack.id} 的版本 {pack.version} 是已放弃的草稿（可在规划页面或用 plans restore "
            f"{pack.id} --version {pack.version} 恢复）；新版本请把 version 改为 {top + 1}",
        )
    if same is not None:
        if same.sha256 == content_of(pack)[1]:
            state = "已停用，可用 plans restore 恢复" if same.state == "retired" else "未变"
            return Added(
                pack.id, pack.version, same.state, "unchanged", previous, f"与已存版本相同（{state}）"
            )
        raise PackError(
            source_name,
            "version",
            f"规划 {pack.id} 已有版本 {pack.version} 且内容不同；新版本请把 version 改为 {top + 1}",
        )
    if pack.version < top:
        raise PackError(
            source_name, "version", f"规划 {pack.id} 已有更新的版本 {top}；新版本请把 version 改为 {top + 1}"
        )
    if not draft:
        check_in_catalogue(session, pack, source_name)
    state = "draft" if draft else "published"
    session.add(_new_row(pack, state=state, origin="file", source_name=source_name, by=by))
    session.flush()
    change = "added" if not rows else "new_version"
    return Added(pack.id, pack.version, state, change, previous, note)


# --- retiring and restoring -------------------------------------------------------------------


@dataclass(frozen=True)
class Retirement:
    plan_id: str
    versions: list[int]  # the versions retired (or to be)
    current_after: int | None  # the plan's current version afterwards (None: the plan is gone)
    actuals: int  # actuals recorded against those versions (kept)
    task_reports: int


def _to_retire(session: Session, plan_id: str, version: int | None) -> list[PlanPack]:
    rows = [r for r in version_rows(session, plan_id) if r.state == "published"]
    if version is not None:
        rows = [r for r in rows if r.version == version]
    if not rows:
        what = f"规划 {plan_id!r}" + (f" 的版本 {version}" if version is not None else "")
        raise ConfigurationError(f"{what} 没有可停用的已发布版本 (nothing published to retire)")
    return rows


def retire_preview(session: Session, *, plan_id: str, version: int | None = None) -> Retirement:
    """What `retire` would change: the versions, the current version afterwards, the actuals kept."""
    ensure_shipped(session)
    rows = _to_retire(session, plan_id, version)
    gone = {r.version for r in rows}
    left = [
        r.version for r in version_rows(session, plan_id) if r.state == "published" and r.version not in gone
    ]
    return Retirement(
        plan_id=plan_id,
        versions=sorted(gone),
        current_after=max(left) if left else None,
        actuals=sum(_count(session, IndicatorActual, plan_id, v) for v in gone),
        task_reports=sum(_count(session, TaskReport, plan_id, v) for v in gone),
    )


def retire(session: Session, *, plan_id: str, version: int | None = None, by: str) -> Retirement:
    """Retire the plan's published versions (or one of them); nothing is deleted."""
    preview = retire_preview(session, plan_id=plan_id, version=version)
    now = _now()
    for row in _to_retire(session, plan_id, version):
        row.state, row.retired_at, row.retired_by = "retired", now, by
    session.flush()
    return preview


def restore(session: Session, *, plan_id: str, version: int | None = None) -> list[int]:
    """Publish again the versions the last `retire` of the plan retired (or the one given)."""
    rows = [r for r in version_rows(session, plan_id) if r.state == "retired"]
    if version is not None:
        rows = [r for r in rows if r.version == version]
    elif rows:
        last = max(r.retired_at or dt.datetime.min for r in rows)
        rows = [r for r in rows if r.retired_at == last]
    if not rows:
        raise ConfigurationError(f"规划 {plan_id!r} 没有已停用的版本可恢复 (nothing retired to restore)")
    for row in rows:
        check_in_catalogue(session, _parse(row.content), row.source_name)
        row.state, row.retired_at, row.retired_by = "published", None, None
    session.flush()
    return [r.version for r in rows]


def changes_from_current(session: Session, pack: Pack) -> list[str]:
    """What publishing `pack` changes in its plan's current version, one line each (indicators
    added, removed, and whose target, unit or responsible units change); empty for a new plan."""
    rows = _current_rows(session)
    if pack.id not in rows or pack.version <= rows[pack.id].version:
        return []  # a new plan, or a version add_pack will refuse or find unchanged
    old = {i.id: i for i in _pack_of(rows[pack.id]).indicators}
    new = {i.id: i for i in pack.indicators}
    lines = [f"新增指标：{new[k].name}" for k in sorted(new.keys() - old.keys())]
    lines += [f"删除指标：{old[k].name}（其实绩保留在原版本中）" for k in sorted(old.keys() - new.keys())]
    for k in sorted(new.keys() & old.keys()):
        a, b = old[k], new[k]
        if (a.target.year, a.target.value) != (b.target.year, b.target.value) or a.unit != b.unit:
            before, after = _target(a), _target(b)
            lines.append(f"目标变更：{b.name} {before} → {after}")
        if a.responsible != b.responsible:
            was, now = "、".join(a.responsible) or "无", "、".join(b.responsible) or "无"
            lines.append(f"责任单位变更：{b.name} {was} → {now}")
    return lines


def _target(indicator: Any) -> str:
    value = indicator.target.value
    shown = "定性目标" if value is None else f"{value:,.4g}{indicator.unit}"
    return f"{indicator.target.year}年 {shown}"
