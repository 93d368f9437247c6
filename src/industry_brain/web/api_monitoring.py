"""经济运行监测 in the JSON API: area indicators of a month, the town ranking, monthly series of
an area or an enterprise, the nowcast, and the monthly bulletin as Word or PDF. The same
service functions as `industry-brain monitoring ...` and the monitoring page, with the caller's
scope: a town sees its own township and its enterprises, an enterprise only itself, and a
refusal is 403."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from industry_brain.web.api import ERRORS, Token, signed_in

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"])
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
MonthQuery = Annotated[str | None, Query(pattern=MONTH, description="月份 YYYY-MM；默认最新有数据的月份")]
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@contextmanager
def refusals() -> Iterator[None]:
    from industry_brain.monitoring.indicators import MonitoringForbidden

    try:
        yield
    except MonitoringForbidden as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None


def _settings() -> Any:
    from industry_brain.web.security import context

    return context().settings


def _month(session: Any, month: str | None) -> str:
    from industry_brain.monitoring.series import latest_month

    return month or latest_month(session)


@router.get("/indicators", responses=ERRORS)
def indicators(
    token: Token,
    month: MonthQuery = None,
    area: Annotated[str | None, Query(pattern=r"^(district|township|cluster|division)$")] = None,
    scale: Annotated[str, Query(pattern=r"^(above|all)$", description="above 规上 / all 全部")] = "above",
) -> list[dict[str, Any]]:
    """当月、累计、同比增速（同口径，另列简单口径）与拉动 (area indicators of a month)."""
    from industry_brain.monitoring.indicators import indicators as rows

    with signed_in(token, reads=True) as (session, scope), refusals():
        month = _month(session, month)
        return rows(session, month=month, scope=scope, settings=_settings(), area=area, scale=scale)


@router.get("/overview", responses=ERRORS)
def overview(token: Token, month: MonthQuery = None) -> dict[str, Any]:
    """经济运行概览：最新月份规上工业当月、累计及同比与未解除预警数（驾驶舱所示）(the cockpit's figures)."""
    from industry_brain.monitoring.overview import economy_overview

    with signed_in(token, reads=True) as (session, scope), refusals():
        return economy_overview(session, scope=scope, settings=_settings(), month=month)


@router.get("/towns", responses=ERRORS)
def towns(
    token: Token,
    month: MonthQuery = None,
    indicator: Annotated[str, Query(pattern=r"^(output|sales|export|electricity|tax)$")] = "output",
) -> list[dict[str, Any]]:
    """镇街晾晒：按累计增速排名 (townships ranked by growth)."""
    from industry_brain.monitoring.indicators import indicators as rows
    from industry_brain.monitoring.indicators import town_ranking

    with signed_in(token, reads=True) as (session, scope), refusals():
        month = _month(session, month)
        got = rows(session, month=month, scope=scope, settings=_settings(), area="township")
        return town_ranking(got, indicator=indicator)


@router.get("/series", responses=ERRORS)
def series(
    token: Token,
    kind: Annotated[str, Query(pattern=r"^(district|township|cluster|chain|enterprise)$")] = "district",
    area_id: Annotated[str, Query(max_length=120, pattern=r"^[^\x00]*$")] = "district",
    indicator: Annotated[str, Query(pattern=r"^(output|sales|export|electricity|tax)$")] = "output",
    month: MonthQuery = None,
    months: Annotated[int, Query(ge=12, le=36)] = 24,
) -> dict[str, Any]:
    """一个区域或一户企业的月度走势（12-36个月）(monthly series; enterprise figures are confidential)."""
    from industry_brain.monitoring.series import series as read

    with signed_in(token, reads=True) as (session, scope), refusals():
        end = _month(session, month)
        return read(
            session,
            scope=scope,
            settings=_settings(),
            kind=kind,
            area_id=area_id,
            indicator=indicator,
            end=end,
            months=months,
        )


@router.get("/nowcast", responses=ERRORS)
def nowcast(
    token: Token,
    year: Annotated[int, Query(ge=2000, le=2100)],
    indicator: Annotated[str, Query(pattern=r"^(output|sales|export|electricity|tax)$")] = "output",
) -> dict[str, Any]:
    """预计全年：由已有月份与用电趋势推算 (the nowcast of the year)."""
    from industry_brain.monitoring.nowcast import nowcast as project

    with signed_in(token, reads=True) as (session, scope), refusals():
        return project(session, year=year, scope=scope, settings=_settings(), indicator=indicator)


@router.get("/report", responses=ERRORS)
def report(
    token: Token,
    month: MonthQuery = None,
    format: Annotated[str, Query(pattern=r"^(docx|pdf)$")] = "docx",
) -> Response:
    """工业经济运行月报（Word 或 PDF）(the monthly bulletin; district-wide roles)."""
    from urllib.parse import quote

    from industry_brain.monitoring.bulletin import write_bulletin

    with signed_in(token, reads=True) as (session, scope), refusals():
        month = _month(session, month)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"bulletin.{format}"
            write_bulletin(session, month=month, scope=scope, settings=_settings(), output=path)
            content = path.read_bytes()
    name = quote(f"工业经济运行月报_{month}.{format}")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    return Response(content, media_type=MEDIA[format], headers=headers)
