"""Declared figures a policy needs that no departmental import carries (技术改造设备投资额):
a CSV from the department that holds them, read strictly. A file with one bad row is refused
with its line and reason, and nothing is written; a good one adds one PolicyFigure per row
(a later file for the same enterprise and year supersedes: the newest row counts)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.orm import Session

from industry_brain.core.audit import audit, now
from industry_brain.core.errors import FileRejected
from industry_brain.core.scope import Scope
from industry_brain.policies.models import PolicyFigure
from industry_brain.reference.credit_code import normalise, problem

CODE = "统一社会信用代码"
VALUE = "技术改造设备投资额（万元）"


def import_figures(session: Session, *, path: Path, year: int, department: str, scope: Scope) -> int:
    """Rows added; FileRejected (line and reason) when any row is bad."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRejected(path.name, f"无法读取（应为 UTF-8 编码的 CSV）：{exc}") from exc
    if not rows or CODE not in rows[0] or VALUE not in rows[0]:
        raise FileRejected(path.name, f"第 1 行应为表头，含“{CODE}”与“{VALUE}”")
    ci, vi = rows[0].index(CODE), rows[0].index(VALUE)
    found: list[tuple[int, str, float]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        code = normalise(row[ci] if ci < len(row) else "")
        if (why := problem(code)) is not None:
            raise FileRejected(path.name, f"第 {line} 行：统一社会信用代码“{code}”无效（{why}）")
        try:
            value = float((row[vi] if vi < len(row) else "").replace(",", ""))
        except ValueError:
            raise FileRejected(path.name, f"第 {line} 行：投资额“{row[vi]}”不是数字") from None
        if value < 0:
            raise FileRejected(path.name, f"第 {line} 行：投资额不能为负数")
        found.append((line, code, value))
    at = now()
    for line, code, value in found:
        session.add(
            PolicyFigure(
                credit_code=code,
                year=year,
                field="tech_investment_wan",
                value=value,
                department=department,
                file=path.name,
                row=line,
                imported_at=at,
            )
        )
    session.flush()
    audit(
        session,
        scope=scope,
        action="policy.figures",
        target=path.name,
        detail={"year": year, "rows": len(found)},
    )
    return len(found)
