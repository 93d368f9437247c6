"""Reading the land department's 标准地 commitments Excel (Chinese headers, first sheet).

The first sheet is read under the import budget (ingest/reader.read_first_sheet); every bad
cell is collected and the file is refused with the file, row, column and reason (nothing is
kept from a refused file). docs/commitments.md shows the format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings
from industry_brain.ingest.parse import parse_date
from industry_brain.ingest.reader import read_first_sheet

MAX_ERRORS = 20
# header -> (key, kind, required)
COLUMNS: dict[str, tuple[str, str, bool]] = {
    "地块编号": ("parcel_id", "text", True),
    "统一社会信用代码": ("credit_code", "text", True),
    "项目编号": ("project_id", "int", False),
    "面积（亩）": ("area_mu", "number", True),
    "投资强度（万元/亩）": ("committed_investment_per_mu", "number", False),
    "亩均产值（万元/亩）": ("committed_output_per_mu", "number", False),
    "亩均税收（万元/亩）": ("committed_tax_per_mu", "number", False),
    "单位能耗（吨标准煤/万元）": ("committed_energy_per_wan", "number", False),
    "排放": ("committed_emission", "text", False),
    "容积率": ("committed_plot_ratio", "number", False),
    "竣工日期": ("completion_date", "date", False),
    "投产日期": ("production_date", "date", False),
    "达产复核日期": ("review_date", "date", True),
    "违约责任": ("consequences", "text", False),
}


@dataclass(frozen=True)
class CommitmentRow:
    row: int  # the sheet row (the header is row 1)
    values: dict[str, Any]


def _convert(kind: str, text: str) -> Any:
    if kind == "text":
        return text
    if kind == "date":
        got = parse_date(text)
        if got is None:
            raise ValueError(f"“{text}”不是日期（如 2026-06-30）")
        return got
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"“{text}”不是数字") from None
    if number != number or number < 0:
        raise ValueError(f"不能为负数或非数字：{text}")
    if kind == "int":
        if number != int(number):
            raise ValueError(f"“{text}”不是项目编号（整数）")
        return int(number)
    return number


def parse_file(path: Path, settings: Settings) -> list[CommitmentRow]:
    """The commitments of `path`; FileRejected naming row, column and reason for bad input."""
    frame = read_first_sheet(path, settings)
    headers = {str(c).strip(): c for c in frame.columns}
    missing = [h for h, (_, _, req) in COLUMNS.items() if req and h not in headers]
    if missing:
        raise FileRejected(path.name, f"缺少必需的列：{'、'.join(missing)}")
    errors: list[str] = []
    rows = []
    for i, record in enumerate(frame.iter_rows(named=True)):
        n, values = i + 2, dict[str, Any]()
        for h, (key, kind, req) in COLUMNS.items():
            text = str(record.get(headers[h]) or "").strip() if h in headers else ""
            if not text:
                if req:
                    errors.append(f"第 {n} 行“{h}”列：不能为空")
                values[key] = None
                continue
            try:
                values[key] = _convert(kind, text)
            except ValueError as exc:
                errors.append(f"第 {n} 行“{h}”列：{exc}")
        rows.append(CommitmentRow(n, values))
    if errors:
        more = f"（另有 {len(errors) - MAX_ERRORS} 处）" if len(errors) > MAX_ERRORS else ""
        raise FileRejected(path.name, "；".join(errors[:MAX_ERRORS]) + more + "。未导入任何承诺")
    return rows
