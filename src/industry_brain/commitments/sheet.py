"""The 达产复核 as officials read it: one row per parcel, committed beside actual for each
indicator, the result, the shortfall in words, what is missing, the rectification state.

`review_rows` turns service.reviews' entries (what the CLI prints and the API returns) into
those rows; the /commitments page shows them and `write_reviews` writes the same rows as the
Excel download, so the page and the file can never say different things. Figures keep the
decimals the indicator is written with (indicators.Indicator.decimals); no code reaches a cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from industry_brain.commitments.indicators import INDICATORS, OP_WORDS

NOT_LOGGED = "未登记整改"  # a breach nobody has recorded a 整改 step for yet


def committed(entries: Sequence[dict[str, Any]]) -> list[str]:
    """The indicators some parcel of `entries` has a commitment on (all of them for none)."""
    found = [k for k in INDICATORS if any(e["committed"].get(k) is not None for e in entries)]
    return found or list(INDICATORS)


def columns(indicators: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(key, Chinese header) of every column, in the order the page and the Excel show them;
    committed and actual only for `indicators` where given (the page and its Excel leave out
    an indicator no parcel committed to)."""
    cols = [
        ("parcel_id", "地块编号"),
        ("name", "企业名称"),
        ("credit_code", "统一社会信用代码"),
        ("township", "所属镇街"),
        ("area_mu", "面积（亩）"),
    ]
    for k, ind in INDICATORS.items():
        if indicators is not None and k not in indicators:
            continue
        cols += [
            (f"committed_{k}", f"承诺{ind.name}（{ind.unit}，{OP_WORDS[ind.op]}）"),
            (f"actual_{k}", f"实际{ind.name}（{ind.unit}）"),
        ]
    return [
        *cols,
        ("result_name", "复核结果"),
        ("shortfall", "未达承诺情况"),
        ("missing", "缺少的数据"),
        ("review_date", "达产复核日期"),
        ("as_of", "复核日"),
        ("figures_year", "数据年度"),
        ("rectification", "整改状态"),
        ("deadline", "整改期限"),
        ("consequences", "违约责任"),
    ]


def _rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(float(value), decimals)


def _rectification(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    steps = entry["rectification"]
    if steps:
        return steps[-1]["state_name"], steps[-1]["deadline"]
    if entry["result"] == "breached":
        return NOT_LOGGED, None
    return ("无需整改" if entry["result"] == "met" else None), None  # not due or unknown: not yet


def review_row(entry: dict[str, Any]) -> dict[str, Any]:
    """One parcel's row (keys as `columns`), with `result` kept for the page's highlighting."""
    from industry_brain.reference.divisions import township_name

    traced = {e["indicator"]: e for e in entry["trace"]["indicators"]}
    row: dict[str, Any] = {
        "review_id": entry["id"],  # what the page's 整改 form records against (no column)
        "parcel_id": entry["parcel_id"],
        "name": entry["name"] or "（未登记的企业）",
        "credit_code": entry["credit_code"],
        "township": township_name(entry["township_code"]),
        "area_mu": _rounded(entry["area_mu"], 1),
        "result": entry["result"],
        "result_name": entry["result_name"],
    }
    for k, ind in INDICATORS.items():
        row[f"committed_{k}"] = _rounded(entry["committed"].get(k), ind.decimals)
        row[f"actual_{k}"] = _rounded(traced.get(k, {}).get("value"), ind.decimals)
    row["shortfall"] = "；".join(e["shortfall"] for e in traced.values() if e.get("shortfall"))
    row["missing"] = "；".join(
        f"{m['name']}（{m['department']}）" for e in traced.values() for m in e.get("missing", [])
    )
    row["rectification"], row["deadline"] = _rectification(entry)
    row |= {k: entry[k] for k in ("review_date", "as_of", "figures_year", "consequences")}
    return row


def review_rows(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [review_row(e) for e in entries]


def write_reviews(entries: Sequence[dict[str, Any]], path: Path, *, title: str) -> Path:
    """The rows of `entries` as an Excel workbook (Chinese headers, a title row, formula-safe)."""
    from industry_brain.core.cells import XlsxCells, xlsx_workbook

    cols = columns(committed(entries))
    book = xlsx_workbook(path)
    cells = XlsxCells(book)
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet("达产复核")
    ws.write_string(0, 0, title, bold)
    cells.write_row(ws, 1, 0, [h for _, h in cols], bold)
    ws.freeze_panes(2, 0)
    for i, row in enumerate(review_rows(entries), start=2):
        cells.write_row(ws, i, 0, ["—" if row[k] in (None, "") else row[k] for k, _ in cols])
    ws.set_column(0, len(cols), 16)
    book.close()
    return path


def workbook(entries: Sequence[dict[str, Any]]) -> tuple[bytes, str, str]:
    """The Excel download of `entries`: its bytes, its Chinese file name and the newest review
    day it is named by (the page's button and GET /api/v1/commitments/reviews.xlsx send it)."""
    import datetime as dt
    import tempfile

    day = max((e["as_of"] for e in entries), default=dt.date.today().isoformat())
    with tempfile.TemporaryDirectory() as folder:
        path = write_reviews(
            entries, Path(folder) / "reviews.xlsx", title=f"标准地达产复核结果（截至 {day}）"
        )
        return path.read_bytes(), f"标准地达产复核_{day}.xlsx", day
