"""Small pieces the 公示/申诉/复核 modules share: the Chinese names of run and appeal statuses,
the clock, how a figure is written in a message, and taking a run under a row lock."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.evaluation.models import EvaluationRun

STATUS_NAMES = {
    "draft": "草稿",
    "published": "公示中",
    "superseded": "已被取代",
    "final": "已终审",
}
APPEAL_STATUS_NAMES = {"pending": "待复核", "accepted": "已采纳", "rejected": "已驳回"}


def now() -> dt.datetime:
    """The current time as naive UTC, as the run and appeal tables store it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today's date as the pages and the API take it for 公示, 申诉 and 终审 (one place, so a
    test's server can move the clock)."""
    return dt.date.today()


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
DATE_FORMS = "2026-12-20、2026/12/20 或 2026年12月20日"


def parse_date(text: object, what: str = "日期") -> dt.date:
    """A date as officials type it: 2026-12-20, 2026/12/20, 2026.12.20 or 2026年12月20日;
    anything else is refused with a message saying what is expected."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    raw = str(text or "").strip()
    match = _DATE.fullmatch(raw)
    if match is None:
        shown = f"“{raw[:40]}”" if raw else "空"
        raise IndustryBrainError(f"{what}{shown}无法识别：请写成 {DATE_FORMS}")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise IndustryBrainError(
            f"{what}“{raw[:40]}”不是有效的日期（{year} 年没有 {month} 月 {day} 日）"
        ) from None


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)


def appeal_status_name(status: str) -> str:
    return APPEAL_STATUS_NAMES.get(status, status)


def fmt_value(value: float | None) -> str:
    """A figure as a message shows it: integers without a decimal point, None as 空."""
    if value is None:
        return "空"
    return str(int(value)) if float(value).is_integer() else f"{value:.12g}"


def locked_run(session: Session, run_id: int) -> EvaluationRun:
    """The run, locked FOR UPDATE until the transaction ends."""
    run = session.get(EvaluationRun, run_id, with_for_update=True)
    if run is None:
        raise IndustryBrainError(f"评价批次 {run_id} 不存在")
    return run
