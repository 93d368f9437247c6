"""Who may import which source, and the import's messages in the words of the page.

A department account's scope names its unit as the plans write it (区统计局, 区税务局,
区规划和自然资源局, 区经信局 ...); the unit names the department a template is sent by
(templates.py), so a department imports and sees only its own sources' files.
"""

from __future__ import annotations

import re

from industry_brain.core.scope import Scope
from industry_brain.ingest.templates import SOURCES, TEMPLATES

IMPORTERS = frozenset({"admin", "analyst", "system"})  # every source
# Other words a unit's name uses for a template's department.
_ALSO = {"电力": ("供电", "电网", "电业"), "市场监管": ("市场监督",), "应急管理": ("安监", "安全生产")}


def importable_sources(scope: Scope) -> tuple[str, ...]:
    """The sources `scope` may import and whose batches and rejects it reads."""
    if scope.role in IMPORTERS:
        return SOURCES
    if scope.role != "department" or not scope.unit:
        return ()
    found = []
    for tpl in TEMPLATES:
        words = [w for part in tpl.department.split("/") for w in (part, *_ALSO.get(part, ()))]
        if any(w in scope.unit for w in words) and tpl.source not in found:
            found.append(tpl.source)
    return tuple(found)


def may_import(scope: Scope, source: str) -> bool:
    return source in importable_sources(scope)


# CLI options in a message -> the imports page's own controls.
_PAGE_WORDS = (
    (re.compile(r"用 ?--period (YYYY-MM|YYYY)? ?指定(月份)?"), "在“期间”栏填写\\2"),
    (re.compile(r"请用 ?--period 指定"), "请在“期间”栏填写"),
    (re.compile(r"用 ?--sheet 指定(工作表)?"), "在“工作表”栏填写工作表"),
    (re.compile(r"用 ?--supplement 重新导入"), "勾选“补充导入”后重新上传"),
    (re.compile(r"--period"), "“期间”栏"),
    (re.compile(r"--sheet"), "“工作表”栏"),
    (re.compile(r"--supplement"), "“补充导入”"),
    (re.compile(r"--replace"), "“替代整个批次”"),
)


def page_wording(message: str) -> str:
    """An import message as the page says it: its 期间 field, its 补充导入 option, no flags."""
    for pattern, words in _PAGE_WORDS:
        message = pattern.sub(words, message)
    return message
