"""A plan pack as data: its canonical form, and reading a pack file (YAML or Excel) a user adds.

The canonical form is the dict of YAML keys that plans.pack.parse_pack reads, built back from a
validated Pack, with every default written out (a target's year, an empty list of units). A pack
read from YAML and the same pack read from the Excel template have the same canonical form, so
the database stores one content for one pack, whatever file it came in (docs/plan-packs.md).

A file that does not validate is refused with where the fault is, as a user can find it: the
line of a YAML file, the sheet, row and column of an Excel file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from industry_brain.plans.pack import Figure, Indicator, Pack, PackError, parse_pack

SUFFIXES = (".yaml", ".yml", ".xlsx")


def _num(value: float) -> float:
    """2800.0 (as Excel holds it) and 2800 (as YAML does) are one number, stored one way."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _figure(f: Figure) -> dict[str, Any]:
    data: dict[str, Any] = {"year": f.year}
    if f.value is not None:
        data["value"] = _num(f.value)
    data["quote"] = f.quote
    return data


def _indicator(ind: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {"id": ind.id, "name": ind.name, "category": ind.category}
    if ind.unit:
        data["unit"] = ind.unit
    data["direction"] = ind.direction
    if ind.change is not None:
        data["change"] = ind.change
    if ind.baseline is not None:
        data["baseline"] = _figure(ind.baseline)
    data["target"] = _figure(ind.target)
    data["responsible"] = list(ind.responsible)
    concerns = {k: v for k, v in vars(ind.concerns).items() if v}
    if concerns:
        data["concerns"] = concerns
    for key in ("derive", "table"):
        if getattr(ind, key) is not None:
            data[key] = getattr(ind, key)
    data["where"] = ind.where
    if ind.note is not None:
        data["note"] = ind.note
    return data


def _optional(data: dict[str, Any], **values: Any) -> dict[str, Any]:
    return {**data, **{k: v for k, v in values.items() if v is not None}}


def pack_data(pack: Pack) -> dict[str, Any]:
    """The canonical form of `pack`: parse_pack(pack_data(p)) == p."""
    return {
        "id": pack.id,
        "title": pack.title,
        "area": {"code": pack.area_code, "name": pack.area_name},
        "period": {"start": pack.period_start, "end": pack.period_end},
        "baseline_year": pack.baseline_year,
        "source": {"file": pack.source_file, "title": pack.source_title},
        "version": pack.version,
        "indicators": [_indicator(i) for i in pack.indicators],
        "actuals": [
            _optional(
                {"indicator": a.indicator, "year": a.year, "value": _num(a.value), "quote": a.quote},
                note=a.note,
            )
            for a in pack.actuals
        ],
        "clusters": [
            _optional(
                {"id": c.id, "name": c.name, "group": c.group},
                level=c.level,
            )
            | {
                "industries": list(c.industries),
                "titles": list(c.titles),
                "reason": c.reason,
                "quote": c.quote,
                "version": c.version,
            }
            for c in pack.clusters
        ],
        "tasks": [
            _optional({"id": t.id, "name": t.name}, lead_leader=t.lead_leader)
            | {"lead_units": list(t.lead_units), "partner_units": list(t.partner_units)}
            | _optional({}, due=t.due)
            | {"quote": t.quote}
            | _optional({}, note=t.note)
            for t in pack.tasks
        ],
    }


def content_of(pack: Pack) -> tuple[str, str]:
    """The JSON text stored for `pack` and its SHA-256 (equal packs, equal text)."""
    text = json.dumps(pack_data(pack), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def pack_from_content(text: str, source: str) -> Pack:
    return parse_pack(json.loads(text), source)


def pack_yaml(pack: Pack) -> str:
    """The pack as a YAML file a user can edit and add again."""
    return yaml.safe_dump(pack_data(pack), allow_unicode=True, sort_keys=False, width=200)


# --- reading a file a user adds ------------------------------------------------------------


def _lines(node: yaml.Node, path: str, out: dict[str, int]) -> None:
    """Map every path inside a composed YAML document to its 1-based line."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            out[child] = key.start_mark.line + 1
            _lines(value, child, out)
            out[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, f"{path}[{i}]", out)


def yaml_lines(text: str) -> dict[str, int]:
    node = yaml.compose(text)
    out: dict[str, int] = {}
    if node is not None:
        _lines(node, "", out)
    return out


def locate(error: PackError, places: dict[str, str]) -> PackError:
    """`error` with the place of its path (or of the nearest enclosing path) put before it."""
    path = error.path
    while path:
        if path in places:
            return PackError(error.file, f"{places[path]}（{error.path}）", error.reason)
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return error


def read_yaml_pack(path: Path) -> Pack:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(path.name, "", f"无法读取，请以 UTF-8 保存 (cannot read: {exc})") from exc
    try:
        data = yaml.safe_load(text)
        lines = yaml_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise PackError(path.name, where, f"YAML 格式错误 (invalid YAML: {exc})") from exc
    try:
        return parse_pack(data, path.name)
    except PackError as exc:
        raise locate(exc, {p: f"第 {n} 行" for p, n in lines.items()}) from None


def read_pack_file(path: Path | str) -> Pack:
    """Validate a pack file a user adds (.yaml/.yml or the .xlsx template); raises PackError
    with the line (YAML) or the sheet, row and column (Excel) and the reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PackError(
            path.name,
            "",
            f"不支持的文件类型 {suffix or '（无后缀）'}；请用 .yaml 或规划包 Excel 模板 (.xlsx)",
        )
    if suffix == ".xlsx":
        from industry_brain.plans.pack_excel import read_pack_xlsx

        return read_pack_xlsx(path)
    return read_yaml_pack(path)
