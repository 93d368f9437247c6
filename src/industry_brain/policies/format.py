"""The policy file (docs/policies.md), read strictly: a file that does not validate is refused
with its line and the reason, and nothing is loaded from it.

Parameters are keyed by date (OpenFisca's idea): each holds a list of {from, value}; the value
in force on a date is the last whose `from` is on or before it, so a changed threshold applies
from its date and matching as of an earlier date replays the earlier value.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from industry_brain.core.errors import IndustryBrainError
from industry_brain.policies import expr
from industry_brain.policies.fields import FIELDS, TITLE_LEVELS
from industry_brain.policies.yamlines import line_of, load

FORMAT_VERSION = 1
OPS = {
    ">=": "不低于",
    ">": "高于",
    "<=": "不高于",
    "<": "低于",
    "==": "为",
    "!=": "不为",
    "in": "属于",
    "not in": "不属于",
}
PAYMENT_MODES = ("免申即享", "申报")
FIGURES_YEARS = ("previous", "current")
MAX_CONDITIONS = 12


class PolicyError(IndustryBrainError):
    def __init__(self, file: str, line: int, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line}: {reason}")


@dataclass(frozen=True)
class Parameter:
    id: str
    name: str
    unit: str
    values: tuple[tuple[dt.date, Any], ...]  # (from, value), sorted by date

    def at(self, day: dt.date) -> tuple[dt.date, Any] | None:
        """(from, value) in force on `day`; None before the first date."""
        found = None
        for start, value in self.values:
            if start <= day:
                found = (start, value)
        return found


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    article: str
    field: str | None = None  # a record field (FIELDS) ...
    op: str | None = None
    value: Any = None  # a constant, or ...
    param: str | None = None  # ... a parameter's id
    title: tuple[str, ...] = ()  # ... or a title condition: one of these titles
    levels: tuple[str, ...] = ()
    within_years: int | None = None  # granted in the figures year or the N-1 years before


@dataclass(frozen=True)
class Case:
    when: str
    formula: str


@dataclass(frozen=True)
class Amount:
    formula: str
    cases: tuple[Case, ...] = ()
    cap_per_enterprise: str | float | None = None  # a number (万元) or a parameter id
    budget_per_year: str | float | None = None
    decimals: int = 2


@dataclass(frozen=True)
class Policy:
    id: str
    version: int
    name: str
    document_no: str
    issuer: str
    department: str
    effective_from: dt.date
    effective_to: dt.date | None
    beneficiaries: str
    figures_year: str
    payment_mode: str
    payment_deadline_days: int
    conditions: tuple[Condition, ...]
    amount: Amount
    parameters: dict[str, Parameter] = field(default_factory=dict)
    basis: str = ""  # the seed document it cites, or that its figures are illustrative
    file: str = ""
    text: str = ""

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def figures_year_for(self, day: dt.date) -> int:
        return day.year - 1 if self.figures_year == "previous" else day.year

    def params_at(self, day: dt.date) -> dict[str, tuple[dt.date, Any]]:
        out = {}
        for pid, p in self.parameters.items():
            got = p.at(day)
            if got is not None:
                out[pid] = got
        return out

    def names(self) -> set[str]:
        """What a formula may read: fields, parameters and each title condition's `<id>_level`."""
        levels = {f"{c.id}_level" for c in self.conditions if c.title}
        return set(FIELDS) | set(self.parameters) | levels


class _Reader:
    def __init__(self, file: str, lines: dict[tuple[str | int, ...], int]) -> None:
        self.file, self.lines = file, lines

    def fail(self, path: tuple[str | int, ...], reason: str) -> PolicyError:
        where = ".".join(str(p) for p in path)
        return PolicyError(self.file, line_of(self.lines, path), f"{where}：{reason}" if where else reason)

    def mapping(self, raw: Any, path: tuple[str | int, ...], required: set[str], optional: set[str]) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(path, "应为映射（键: 值）")
        if unknown := sorted(set(raw) - required - optional):
            raise self.fail((*path, unknown[0]), f"未知的键“{unknown[0]}”")
        if missing := sorted(required - set(raw)):
            raise self.fail(path, f"缺少键“{missing[0]}”")
        return raw

    def text(self, raw: Any, path: tuple[str | int, ...]) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise self.fail(path, "应为非空文本")
        return raw.strip()

    def date(self, raw: Any, path: tuple[str | int, ...]) -> dt.date:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        raise self.fail(path, "应为日期，如 2025-01-01")

    def integer(self, raw: Any, path: tuple[str | int, ...], low: int = 0) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < low:
            raise self.fail(path, f"应为不小于 {low} 的整数")
        return raw

    def items(self, raw: Any, path: tuple[str | int, ...]) -> list[Any]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(path, "应为非空列表")
        return raw


TOP_REQUIRED = {
    "id", "version", "name", "document_no", "issuer", "department", "effective_from",
    "beneficiaries", "figures_year", "payment", "conditions", "amount", "basis",
}  # fmt: skip
TOP_OPTIONAL = {"effective_to", "parameters", "format"}


def parse_policy(text: str, file: str) -> Policy:
    """The policy in `text`; PolicyError (file, line, reason) when it does not validate."""
    try:
        data, lines = load(text)
    except Exception as exc:  # yaml's errors carry their own mark
        mark = getattr(exc, "problem_mark", None)
        raise PolicyError(file, (mark.line + 1) if mark else 1, f"不是有效的 YAML：{exc}") from exc
    r = _Reader(file, lines)
    top = r.mapping(data, (), TOP_REQUIRED, TOP_OPTIONAL)
    if top.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        raise r.fail(("format",), f"本程序读取第 {FORMAT_VERSION} 版格式")
    params = _parameters(r, top.get("parameters") or {})
    pay = r.mapping(top["payment"], ("payment",), {"mode", "deadline_days"}, set())
    if pay["mode"] not in PAYMENT_MODES:
        raise r.fail(("payment", "mode"), f"应为 {'或'.join(PAYMENT_MODES)}")
    if top["figures_year"] not in FIGURES_YEARS:
        raise r.fail(("figures_year",), "应为 previous（上一年度数据）或 current（当年数据）")
    start = r.date(top["effective_from"], ("effective_from",))
    end = r.date(top["effective_to"], ("effective_to",)) if top.get("effective_to") is not None else None
    if end is not None and end < start:
        raise r.fail(("effective_to",), "失效日期早于生效日期")
    for pid, p in params.items():
        if p.values[0][0] > start:
            raise r.fail(("parameters", pid, "values", 0, "from"), "参数的第一个取值应自政策生效日起有效")
    conditions = _conditions(r, top["conditions"], params)
    policy = Policy(
        id=_ident(r, top["id"], ("id",)),
        version=r.integer(top["version"], ("version",), 1),
        name=r.text(top["name"], ("name",)),
        document_no=r.text(top["document_no"], ("document_no",)),
        issuer=r.text(top["issuer"], ("issuer",)),
        department=r.text(top["department"], ("department",)),
        effective_from=start,
        effective_to=end,
        beneficiaries=r.text(top["beneficiaries"], ("beneficiaries",)),
        figures_year=top["figures_year"],
        payment_mode=pay["mode"],
        payment_deadline_days=r.integer(pay["deadline_days"], ("payment", "deadline_days"), 1),
        conditions=conditions,
        amount=Amount(formula="0"),
        parameters=params,
        basis=r.text(top["basis"], ("basis",)),
        file=file,
        text=text,
    )
    return _with_amount(r, policy, top["amount"])


def _ident(r: _Reader, raw: Any, path: tuple[str | int, ...]) -> str:
    if not isinstance(raw, str) or not raw.isidentifier() or not raw.isascii():
        raise r.fail(path, "应为英文字母、数字和下划线组成的标识，如 tech_upgrade")
    return raw


def _parameters(r: _Reader, raw: Any) -> dict[str, Parameter]:
    if not isinstance(raw, dict):
        raise r.fail(("parameters",), "应为映射（参数标识: 定义）")
    out = {}
    for pid, spec in raw.items():
        path: tuple[str | int, ...] = ("parameters", pid)
        _ident(r, pid, path)
        if pid in FIELDS:
            raise r.fail(path, f"参数标识与字段“{pid}”同名")
        spec = r.mapping(spec, path, {"name", "values"}, {"unit"})
        values = []
        for i, v in enumerate(r.items(spec["values"], (*path, "values"))):
            vp = (*path, "values", i)
            v = r.mapping(v, vp, {"from", "value"}, set())
            value = v["value"]
            if isinstance(value, bool) or not isinstance(value, int | float | str | list):
                raise r.fail((*vp, "value"), "应为数字、文本或列表")
            if isinstance(value, int | float) and value < 0:
                raise r.fail((*vp, "value"), "参数不能为负数")
            values.append((r.date(v["from"], (*vp, "from")), value))
        for i in range(1, len(values)):
            if values[i][0] <= values[i - 1][0]:
                raise r.fail((*path, "values", i, "from"), "取值应按日期从早到晚排列，且日期不重复")
        out[pid] = Parameter(
            pid, r.text(spec["name"], (*path, "name")), str(spec.get("unit", "")), tuple(values)
        )
    return out


COND_KEYS = {"field", "op", "value", "param", "title", "levels", "within_years"}


def _conditions(r: _Reader, raw: Any, params: dict[str, Parameter]) -> tuple[Condition, ...]:
    items = r.items(raw, ("conditions",))
    if len(items) > MAX_CONDITIONS:
        raise r.fail(("conditions",), f"条件不超过 {MAX_CONDITIONS} 个")
    out: list[Condition] = []
    for i, c in enumerate(items):
        p: tuple[str | int, ...] = ("conditions", i)
        c = r.mapping(c, p, {"id", "name", "article"}, COND_KEYS)
        cid = _ident(r, c["id"], (*p, "id"))
        if cid in {x.id for x in out}:
            raise r.fail((*p, "id"), f"条件标识“{cid}”重复")
        base = {
            "id": cid,
            "name": r.text(c["name"], (*p, "name")),
            "article": r.text(c["article"], (*p, "article")),
        }
        out.append(_title(r, c, p, base) if "title" in c else _field_condition(r, c, p, base, params))
    return tuple(out)


def _title(r: _Reader, c: dict, p: tuple[str | int, ...], base: dict) -> Condition:
    if extra := sorted(set(c) & {"field", "op", "value", "param"}):
        raise r.fail((*p, extra[0]), "称号条件不写 field/op/value/param")
    titles = c["title"] if isinstance(c["title"], list) else [c["title"]]
    titles = [r.text(t, (*p, "title")) for t in titles]
    levels = c.get("levels") or []
    if not isinstance(levels, list) or any(lv not in TITLE_LEVELS for lv in levels):
        raise r.fail((*p, "levels"), f"级别应为列表，取自 {'、'.join(TITLE_LEVELS)}")
    within = c.get("within_years")
    if within is not None:
        within = r.integer(within, (*p, "within_years"), 1)
    return Condition(**base, title=tuple(titles), levels=tuple(levels), within_years=within)


def _field_condition(r: _Reader, c: dict, p: tuple[str | int, ...], base: dict, params: dict) -> Condition:
    for key in ("field", "op"):
        if key not in c:
            raise r.fail(p, f"缺少键“{key}”（或写 title 成为称号条件）")
    if c["field"] not in FIELDS:
        raise r.fail((*p, "field"), f"未知的字段“{c['field']}”（docs/policies.md 列出可用字段）")
    if c["op"] not in OPS:
        raise r.fail((*p, "op"), f"未知的比较“{c['op']}”；可用：{' '.join(OPS)}")
    if ("value" in c) == ("param" in c):
        raise r.fail(p, "value 与 param 须写且只写一个")
    if "param" in c and c["param"] not in params:
        raise r.fail((*p, "param"), f"未定义的参数“{c['param']}”")
    value = c.get("value")
    kind = FIELDS[c["field"]].kind
    if c["op"] in ("in", "not in"):
        if "value" in c and (not isinstance(value, list) or not value):
            raise r.fail((*p, "value"), "in / not in 的取值应为非空列表")
    elif kind != "text" and "value" in c and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise r.fail((*p, "value"), "数值字段的取值应为数字")
    elif kind == "text" and c["op"] not in ("==", "!="):
        raise r.fail((*p, "op"), "文本字段只能用 == != in not in")
    return Condition(**base, field=c["field"], op=c["op"], value=value, param=c.get("param"))


def _with_amount(r: _Reader, policy: Policy, raw: Any) -> Policy:
    p: tuple[str | int, ...] = ("amount",)
    a = r.mapping(raw, p, {"formula", "decimals"}, {"cases", "cap_per_enterprise_wan", "budget_per_year_wan"})
    known = policy.names()
    _formula(r, a["formula"], (*p, "formula"), known)
    cases = []
    for i, c in enumerate(a.get("cases") or []):
        cp = (*p, "cases", i)
        c = r.mapping(c, cp, {"when", "formula"}, set())
        _formula(r, c["when"], (*cp, "when"), known)
        _formula(r, c["formula"], (*cp, "formula"), known)
        cases.append(Case(str(c["when"]), str(c["formula"])))
    caps = {}
    for key in ("cap_per_enterprise_wan", "budget_per_year_wan"):
        v = a.get(key)
        if v is not None and not (isinstance(v, str) and v in policy.parameters):
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                raise r.fail((*p, key), "应为不小于 0 的数（万元）或一个参数的标识")
            v = float(v)
        caps[key] = v
    decimals = r.integer(a["decimals"], (*p, "decimals"), 0)
    amount = Amount(
        formula=str(a["formula"]),
        cases=tuple(cases),
        cap_per_enterprise=caps["cap_per_enterprise_wan"],
        budget_per_year=caps["budget_per_year_wan"],
        decimals=min(decimals, 4),
    )
    return Policy(**{**policy.__dict__, "amount": amount})


def _formula(r: _Reader, raw: Any, path: tuple[str | int, ...], known: set[str]) -> ast.expr:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise r.fail(path, "应为公式文本或数字")
    try:
        return expr.parse(str(raw), known)[0]
    except expr.ExprError as exc:
        raise r.fail(path, str(exc)) from exc


def read_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(path.name, 1, f"无法读取：{exc}") from exc
    return parse_policy(text, path.name)


@cache
def shipped() -> dict[str, Policy]:
    """The shipped policies (policies/data/*.yaml), by id."""
    folder = resources.files("industry_brain.policies") / "data"
    out: dict[str, Policy] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            policy = parse_policy(entry.read_text(encoding="utf-8"), entry.name)
            out[policy.id] = policy
    return out


def _files(folder: str) -> tuple[tuple[str, int, int], ...]:
    """The district folder's policy files with their change stamps (the cache key)."""
    base = Path(folder)
    if not base.is_dir():
        raise IndustryBrainError(f"本区政策文件夹 {folder} 不存在（policies_dir 设置）")
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in sorted(base.glob("*.yaml")))


@lru_cache(maxsize=4)
def _with_district(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, Policy]:
    out = dict(shipped())
    for name, _, _ in stamp:
        found = read_policy(Path(folder) / name)
        out[found.id] = found  # a district file with a shipped id is the district's version
    return out


def catalogue() -> dict[str, Policy]:
    """The policies this platform runs, by id: the shipped ones and the district's own files
    (the policies_dir setting), a district file replacing the shipped policy of its id. A
    district file that does not validate is refused with its line and reason, never skipped."""
    from industry_brain.core.settings import get_settings

    folder = get_settings().policies_dir
    if not folder:
        return shipped()
    return _with_district(folder, _files(folder))


def policy(policy_id: str) -> Policy:
    found = catalogue()
    if policy_id not in found:
        raise IndustryBrainError(f"未知的政策“{policy_id}”；可用：{'、'.join(found)}")
    return found[policy_id]
