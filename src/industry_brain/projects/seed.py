"""Seed 004's annex (宁波市奉化区"十四五"重大产业项目汇总表) as the demo's project list.

`parse_annex` reads the annex table out of the seed text; `write_seed_csv` writes the shipped
data file (projects/data/fenghua_14th_projects.csv) in the import template's headers, so the
demo loads it through the same importer as any department's list (`load_seed_projects`).

The seed's tables arrive as runs of tab-indented cells, one cell a line; a line without the tab
continues the cell above (a village after its street: 江口街道 / 王溆浦村). Section rows
(续建类项目, 新建类项目, 谋划类项目) stand alone between the rows.
"""

from __future__ import annotations

import csv
import re
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.projects.schemas import STAGE_ALIASES, STAGE_CODES, ProjectRow

SEED_FILE = "004_db5cf59d4b6a5775.txt"
DATA_FILE = "fenghua_14th_projects.csv"
ANNEX_TITLE = '宁波市奉化区"十四五"重大产业项目汇总表'
ANNEX_HEADER = (
    "序号",
    "项目名称",
    "建设性质",
    "行业类别",
    "建设地点",
    "建设起止年限",
    "建设规模与主要建设内容",
)
CSV_HEADERS = (
    "项目编号",
    "项目名称",
    "建设阶段",
    "行业类别",
    "建设地点",
    "开工年份",
    "竣工年份",
    "总投资（亿元）",
    "用地面积（亩）",
    "建设内容",
    "来源",
)
# The first area in 亩 the content names as the project's land (用地面积80亩, 占地面积40亩,
# 总用地面积约39.38亩, 项目总用地约161亩); a project whose content names none has no land figure.
LAND = re.compile(r"(?:用地|占地)(?:面积)?(?:为|约|约为)?\s*(\d+(?:\.\d+)?)\s*亩")


def _cells(text: str) -> list[str]:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if "重大产业项目汇总表" in line)
    cells: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("\t"):
            cells.append(line[1:])
        elif line.strip() and cells:
            cells[-1] += line.strip()
    return [c.replace("\u3000", " ").strip() for c in cells]


def land_of(content: str) -> float | None:
    m = LAND.search(content)
    return float(m.group(1)) if m else None


def _years(cell: str) -> tuple[int | None, int | None]:
    m = re.fullmatch(r"(\d{4})\s*[-—–~至]\s*(\d{4})", cell)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def parse_annex(text: str) -> list[ProjectRow]:
    """Every project row of the annex, in the annex's order."""
    cells = _cells(text)
    width = len(ANNEX_HEADER) + 1  # + 总投资(亿元)
    if tuple(cells[: len(ANNEX_HEADER)]) != ANNEX_HEADER:
        raise ValueError(f"附件表头与预期不符：{cells[:width]}")
    rows: list[ProjectRow] = []
    i, section = width, ""
    while i < len(cells):
        if cells[i].endswith("类项目"):
            section = cells[i]
            i += 1
            continue
        seq, name, nature, industry, place, years, content, invest = cells[i : i + width]
        stage = STAGE_ALIASES[nature]
        start, end = _years(years)
        rows.append(
            ProjectRow(
                code=f"FH14-{STAGE_CODES[stage]}-{int(seq):02d}",
                name=name,
                stage=stage,
                industry=industry,
                location=place or None,
                start_year=start,
                end_year=end,
                investment_planned_yi=None if invest in ("", "-", "—") else float(invest),
                land_mu=land_of(content),
                content=content,
                source=f"{SEED_FILE} 附件 {section} 序号{int(seq)}",
            )
        )
        i += width
    return rows


def _csv_row(r: ProjectRow) -> list[Any]:
    return [
        r.code,
        r.name,
        r.stage,
        r.industry or "",
        r.location or "",
        r.start_year or "",
        r.end_year or "",
        "" if r.investment_planned_yi is None else f"{r.investment_planned_yi:.2f}",
        "" if r.land_mu is None else f"{r.land_mu:g}",
        r.content or "",
        r.source or "",
    ]


def write_seed_csv(seed: Path, out: Path) -> int:
    """Write the shipped data file from the seed; returns the number of projects."""
    rows = parse_annex(seed.read_text(encoding="utf-8"))
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADERS)
        writer.writerows(_csv_row(r) for r in rows)
    return len(rows)


def seed_data_path() -> Path:
    return Path(str(resources.files(__package__) / "data" / DATA_FILE))


def load_seed_projects(session: Session, *, user: str = "demo") -> Any:
    """Import the shipped seed-004 project list (73 projects) into the project pool; a second
    call updates the same rows. Returns the import summary."""
    from industry_brain.projects.importer import import_projects

    return import_projects(session, path=seed_data_path(), user=user)
