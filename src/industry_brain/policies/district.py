"""A district's own policy files: added to the policies_dir folder, checked first, and the
file they replace kept so that it can be put back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.settings import Settings
from industry_brain.policies.cases import run_case_file
from industry_brain.policies.format import Policy, catalogue, read_policy, shipped

REPLACED = ".replaced"


def folder_of(settings: Settings) -> Path:
    if not settings.policies_dir:
        raise IndustryBrainError(
            "未设置本区政策文件夹：请设置 policies_dir（环境变量 INDUSTRY_BRAIN_POLICIES_DIR）"
        )
    base = Path(settings.policies_dir)
    base.mkdir(parents=True, exist_ok=True)  # adding the first file makes the folder
    return base


def checked(file: Path, cases: Path | None) -> tuple[Policy, int]:
    """The policy of `file`, its test cases (if given) all passed, and how many there were."""
    found = read_policy(file)
    if cases is None:
        return found, 0
    count, failures = run_case_file(found, cases)
    if failures:
        raise IndustryBrainError(
            f"{cases.name}: 测试用例未通过 {len(failures)} 个，政策未加入：" + "；".join(failures[:5])
        )
    return found, count


def replacing(draft: Policy) -> Policy | None:
    """The policy now run under the draft's id, which adding the draft replaces; a district
    version must be numbered above it so that past runs and notices keep their version."""
    live = catalogue().get(draft.id)
    if live is not None and draft.version <= live.version:
        raise IndustryBrainError(
            f"政策“{draft.id}”现行为第 {live.version} 版；新文件的 version 应大于 {live.version}"
        )
    return live


def add(*, settings: Settings, draft: Policy, source: Path, now: dt.datetime) -> dict[str, Any]:
    """Write the draft's file into the district folder; a district file it replaces moves to
    .replaced/ under its id, version and time (a shipped policy stays shipped)."""
    base = folder_of(settings)
    target = base / f"{draft.id}.yaml"
    kept = None
    if target.exists():
        keep = base / REPLACED
        keep.mkdir(exist_ok=True)
        kept = keep / f"{target.stem}.{now:%Y%m%d%H%M%S}.yaml"
        target.replace(kept)
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return {
        "policy": draft.id,
        "version": draft.version,
        "name": draft.name,
        "file": str(target),
        "replaced": str(kept) if kept else None,
        "replaces_shipped": draft.id in shipped(),
    }
