"""Area indicators of a month from the database: the district, townships, clusters, chains and
industry divisions, for output, sales, exports, electricity and tax (monitoring.analytics does
the arithmetic on an Ibis engine; docs/monitoring.md states the formulas).

A row of `indicators` (the CLI's and the API's JSON): area, area_kind, area_id, indicator,
indicator_name, unit, scale, period, month_value, ytd_value, yoy_pct, ytd_yoy_pct,
contribution_pp, ytd_contribution_pp, comparable, enterprises, comparable_enterprises. The
bureau's figure (comparable=true, 同口径) comes first; where the naive figure differs, a second row
with comparable=false carries it.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.readcache import ReadCache
from industry_brain.core.scope import Scope
from industry_brain.monitoring import analytics
from industry_brain.monitoring.engine import EXPLICIT_SCHEMA, PREFIX_SCHEMA, analytic_panel, run


class MonitoringForbidden(IndustryBrainError):
    """The scope may not see these figures (the API answers 403)."""


MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
INDICATOR_NAMES = {
    "output": "工业总产值",
    "sales": "工业销售产值",
    "export": "出口交货值",
    "electricity": "工业用电量",
    "tax": "入库税金",
}
UNITS = {"electricity": "万千瓦时"}
AREA_KINDS: dict[str, tuple[str, ...]] = {
    "district": ("district",),
    "township": ("township",),
    "cluster": ("cluster", "chain"),
    "division": ("section", "division"),
}
KIND_ORDER = ("district", "township", "cluster", "chain", "section", "division")
SCALE_NAMES = {"above": "规上工业", "all": "全部工业"}
_DIFF = 0.05  # percentage points: a naive figure this close to the bureau's is not shown twice


def parse_month(month: str) -> tuple[int, int]:
    m = MONTH.match(month.strip())
    if not m:
        raise IndustryBrainError(f"月份“{month}”应写作 YYYY-MM，如 2025-06")
    return int(m.group(1)), int(m.group(2))


def period_label(month_no: int) -> str:
    return f"{month_no}月"


# ---- areas -----------------------------------------------------------------------------------


def district_clusters(session: Session, settings: Any, year: int | None) -> list[Any]:
    """The clusters of the district's plan in force in `year` (the newest of the served
    district's plans in the database, shipped or its own, starting by then; the newest when
    none has started)."""
    from industry_brain.plans.store import current_packs

    own = [p for p in current_packs(session) if p.area_code == settings.district_code]
    if not own:
        return []
    started = [p for p in own if year is None or p.period_start <= year] or own
    return list(max(started, key=lambda p: p.period_start).clusters)


def area_definitions(
    session: Session, settings: Any, year: int | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, dict[tuple[str, str], str]]:
    """(prefixes, explicit members, names): the district plan's clusters and the divisions by
    their GB/T 4754 codes, chains by their resolved membership, each area's Chinese name."""
    from industry_brain.reference.industries import industries

    names: dict[tuple[str, str], str] = {("district", "district"): "全区"}
    rows: list[tuple[str, str, str]] = []
    for c in district_clusters(session, settings, year):
        names[("cluster", c.id)] = c.name
        rows += [("cluster", c.id, str(code)) for code in c.industries]
    for code, item in industries().items():
        if item.level == 2:
            names[("division", code)] = f"{code} {item.name}"
            rows.append(("division", code, code))
            section = item.parent or ""
            names[("section", section)] = f"{section} {industries()[section].name}" if section else ""
            rows.append(("section", section, code))
    prefixes = pl.DataFrame(rows, schema=PREFIX_SCHEMA, orient="row")
    explicit, chain_names = chain_members(session, settings)
    names.update(chain_names)
    return prefixes, explicit, names


def chain_members(session: Session, settings: Any) -> tuple[pl.DataFrame, dict[tuple[str, str], str]]:
    """(area_kind 'chain', chain id, credit_code) of the district's chains, resolved as the
    chains domain does: a node's class or keyword, an analyst's confirmation, less a removal."""
    from industry_brain.clusters.chain_service import district_chains

    return members_of(session, district_chains(settings))


def members_of(session: Session, chains: list[Any]) -> tuple[pl.DataFrame, dict[tuple[str, str], str]]:
    """chain_members of the given chains."""
    from industry_brain.clusters.chain_service import overrides
    from industry_brain.enterprises.models import Enterprise

    ents = session.execute(select(Enterprise.credit_code, Enterprise.name, Enterprise.industry_code)).all()
    rows: set[tuple[str, str, str]] = set()
    names: dict[tuple[str, str], str] = {}
    for chain in chains:
        names[("chain", chain.id)] = chain.name
        said = overrides(session, chain)
        removed = {
            (r["node_id"], r["credit_code"]) for r in said.iter_rows(named=True) if r["action"] == "remove"
        }
        added = {(r["node_id"], r["credit_code"]) for r in said.iter_rows(named=True) if r["action"] == "add"}
        for node in chain.nodes:
            for code, name, industry in ents:
                hit = industry in node.classes or any(k in (name or "") for k in node.keywords)
                if (hit and (node.id, code) not in removed) or (node.id, code) in added:
                    rows.add(("chain", chain.id, code))
    return pl.DataFrame(sorted(rows), schema=EXPLICIT_SCHEMA, orient="row"), names


def area_name(names: dict[tuple[str, str], str], kind: str, area_id: str) -> str:
    if kind == "township":
        from industry_brain.reference.divisions import township_name

        return township_name(area_id)
    return names.get((kind, area_id), area_id)


# ---- computing -------------------------------------------------------------------------------


def load_panel(session: Session, *, first: str, last: str, as_of: Any = None) -> pl.DataFrame:
    from industry_brain.monitoring.panel import monthly_panel

    return analytic_panel(monthly_panel(session, as_of=as_of, months=(first, last)))


def compute(
    panel: pl.DataFrame,
    prefixes: pl.DataFrame,
    explicit: pl.DataFrame | None,
    *,
    year: int,
    month_no: int,
    engine: str = "duckdb",
    postgres_url: str | None = None,
) -> pl.DataFrame:
    """analytics.area_indicators of (year, month_no) on `engine`."""

    def build(panel: Any, prefixes: Any, explicit: Any) -> Any:
        members = analytics.area_members(panel, prefixes, explicit)
        return analytics.area_indicators(panel, members, year=year, month_no=month_no)

    frames = {"panel": panel, "prefixes": prefixes, "explicit": explicit}
    return run(build, frames, engine=engine, postgres_url=postgres_url)


def _round(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _row(r: dict[str, Any], name: str, period: str, *, naive: bool, ytd_as_month: bool) -> dict[str, Any]:
    p = "naive_" if naive else ""
    month = r["ytd_value"] if ytd_as_month else r["month_value"]
    yoy = r[f"{p}ytd_yoy_pct"] if ytd_as_month else r[f"{p}yoy_pct"]
    pp = r[f"{p}ytd_contribution_pp"] if ytd_as_month else r[f"{p}contribution_pp"]
    return {
        "area": name,
        "area_kind": r["area_kind"],
        "area_id": r["area_id"],
        "indicator": r["indicator"],
        "indicator_name": INDICATOR_NAMES[r["indicator"]],
        "unit": UNITS.get(r["indicator"], "万元"),
        "scale": r["scale"],
        "period": period,
        "month_value": _round(month, 2),
        "ytd_value": _round(r["ytd_value"], 2),
        "yoy_pct": _round(yoy, 2),
        "ytd_yoy_pct": _round(r[f"{p}ytd_yoy_pct"], 2),
        "contribution_pp": _round(pp, 2),
        "ytd_contribution_pp": _round(r[f"{p}ytd_contribution_pp"], 2),
        "comparable": not naive,
        "enterprises": int(r["enterprises"] or 0),
        "comparable_enterprises": int(r["comparable_enterprises"] or 0),
    }


def _differs(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(float(a) - float(b)) >= _DIFF


def to_rows(frame: pl.DataFrame, names: dict[tuple[str, str], str], *, month_no: int) -> list[dict[str, Any]]:
    """The analytics' frame as the contract's rows, areas in KIND_ORDER; in February the 1-2月
    rows (the months combined, as the bureau publishes them) follow the month's."""
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    ind_order = {k: i for i, k in enumerate(INDICATOR_NAMES)}
    recs = sorted(
        frame.to_dicts(),
        key=lambda r: (order[r["area_kind"]], r["area_id"], ind_order[r["indicator"]], r["scale"]),
    )
    periods = [(period_label(month_no), False)]
    if month_no == 2:
        periods.append(("1-2月", True))
    out = []
    for period, combined in periods:
        for r in recs:
            name = area_name(names, r["area_kind"], r["area_id"])
            out.append(_row(r, name, period, naive=False, ytd_as_month=combined))
            keys = ("ytd_yoy_pct",) if combined else ("yoy_pct", "ytd_yoy_pct")
            if any(_differs(r[k], r[f"naive_{k}"]) for k in keys):
                out.append(_row(r, name, period, naive=True, ytd_as_month=combined))
    return out


def _visible(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    if scope.district_wide or scope.role == "department":
        return rows
    if scope.role == "town":
        return [r for r in rows if r["area_kind"] == "township" and r["area_id"] == scope.township_code]
    raise MonitoringForbidden("企业账号只能查看本企业的数据，不能查看区域指标")


# The month's figures of every area are the same for the same data: the page, the API and the
# bulletin read them again and again (a few seconds each on a district's panel).
_AREAS: ReadCache[tuple[pl.DataFrame, dict[tuple[str, str], str]]] = ReadCache(size=16)


def _stamp(session: Session) -> tuple[Any, ...] | None:
    """The data's state (ingest.facts.data_stamp) and the chains' confirmations; None when the
    session has pending changes."""
    from sqlalchemy import func

    from industry_brain.clusters.models import ChainMembershipOverride
    from industry_brain.ingest.facts import data_stamp

    stamp = data_stamp(session)
    if stamp is None:
        return None
    return (*stamp, session.scalar(select(func.max(ChainMembershipOverride.id))))


def _area_frame(
    session: Session, settings: Any, *, year: int, month_no: int, engine: str, as_of: Any
) -> tuple[pl.DataFrame, dict[tuple[str, str], str]]:
    """analytics.area_indicators of every area (before any scope narrows them) and the names."""
    month = f"{year}-{month_no:02d}"

    def work() -> tuple[pl.DataFrame, dict[tuple[str, str], str]]:
        panel = load_panel(session, first=f"{year - 1}-01", last=month, as_of=as_of)
        if panel.filter((pl.col("year") == year) & (pl.col("month_no") == month_no)).is_empty():
            raise IndustryBrainError(
                f"{year}年{month_no}月还没有任何企业月度数据（请先导入月报、税收或用电）"
            )
        prefixes, explicit, names = area_definitions(session, settings, year)
        url = settings.database_url if engine == "postgres" else None
        frame = compute(
            panel, prefixes, explicit, year=year, month_no=month_no, engine=engine, postgres_url=url
        )
        return frame, names

    stamp = _stamp(session)
    key = None if stamp is None else (stamp, month, str(as_of), engine, settings.district_code)
    return _AREAS.get_or_compute(key, work)


def indicators(
    session: Session,
    *,
    month: str,
    scope: Scope,
    settings: Any,
    area: str | None = None,
    scale: str | None = "above",
    engine: str = "duckdb",
    as_of: Any = None,
) -> list[dict[str, Any]]:
    """The contract's rows of `month` (YYYY-MM) the scope may see; `area` one of AREA_KINDS
    (all when None), `scale` 'above' (规上), 'all' or None for both."""
    year, month_no = parse_month(month)
    if area is not None and area not in AREA_KINDS:
        raise IndustryBrainError(f"区域类型“{area}”未知；可用：{', '.join(AREA_KINDS)}")
    if scale is not None and scale not in analytics.SCALES:
        raise IndustryBrainError(f"口径“{scale}”未知；可用：above（规上）, all（全部）")
    frame, names = _area_frame(session, settings, year=year, month_no=month_no, engine=engine, as_of=as_of)
    if area is not None:
        frame = frame.filter(pl.col("area_kind").is_in(AREA_KINDS[area]))
    if scale is not None:
        frame = frame.filter(pl.col("scale") == scale)
    frame = frame.filter((pl.col("enterprises") > 0) | (pl.col("prev_month_value").is_not_null()))
    return _visible(to_rows(frame, names, month_no=month_no), scope)


def town_ranking(
    rows: list[dict[str, Any]], *, indicator: str = "output", scale: str = "above", ytd: bool = True
) -> list[dict[str, Any]]:
    """The townships ranked by growth (晾晒), fastest first, on the bureau's figures; a town
    without a comparable figure comes last, unranked."""
    key = "ytd_yoy_pct" if ytd else "yoy_pct"
    towns = [
        r
        for r in rows
        if r["area_kind"] == "township"
        and r["indicator"] == indicator
        and r["comparable"]
        and r["scale"] == scale
    ]
    period = towns[0]["period"] if towns else None
    towns = [r for r in towns if r["period"] == period]
    ranked = sorted(towns, key=lambda r: (r[key] is None, -(r[key] or 0.0), r["area_id"]))
    return [{**r, "rank": i + 1 if r[key] is not None else None} for i, r in enumerate(ranked)]
