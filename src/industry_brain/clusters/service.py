"""Clusters: their definitions (from the plan packs), their figures for a year computed from
the enterprise record on an Ibis engine, a location quotient against a reference area, and the
progress of the plan targets that concern them. docs/clusters.md states the rules."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.clusters.analytics import MEASURES, TOTAL, cluster_aggregates, location_quotients
from industry_brain.clusters.schemas import ClusterFigures, ClusterInfo, LocationQuotient
from industry_brain.core.errors import FileRejected, IndustryBrainError
from industry_brain.core.readcache import ReadCache
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.ingest.facts import data_stamp

if TYPE_CHECKING:
    from industry_brain.plans.store import Catalogue

CODE = re.compile(r"^\d{2,4}$")
REFERENCE_COLUMNS = {"year": pl.Int64, "industry_code": pl.String, "value": pl.Float64}


class ClusterNotFound(IndustryBrainError):
    pass


# ---- definitions ---------------------------------------------------------------------------


def _catalogue(session: Session | None) -> Catalogue:
    from industry_brain.plans.store import catalogue

    return catalogue(session)


def _info(cluster: Any, plan_version: int | None = None, *, from_database: bool = True) -> ClusterInfo:
    return ClusterInfo(
        id=cluster.id,
        name=cluster.name,
        group=str(cluster.group),
        level=getattr(cluster, "level", None),
        industries=[str(c) for c in cluster.industries],
        titles=list(getattr(cluster, "titles", None) or []),
        reason=getattr(cluster, "reason", "") or "",
        quote=getattr(cluster, "quote", "") or "",
        version=int(getattr(cluster, "version", 1) or 1),
        pack_id=getattr(cluster, "pack_id", "") or cluster.id.split("/", 1)[0],
        plan_version=plan_version,
        from_database=from_database,
    )


def cluster_catalogue(session: Session | None) -> tuple[list[ClusterInfo], str | None]:
    """(every cluster of every plan's current version, in plan order; the note saying the
    shipped packs stand in for the database's, or None). plans.store.catalogue decides."""
    found = _catalogue(session)
    clusters = [
        _info(c, p.version, from_database=found.from_database)
        for p in found.packs
        for c in (getattr(p, "clusters", None) or [])
    ]
    return clusters, found.note


def list_clusters(session: Session | None = None) -> list[ClusterInfo]:
    """Every cluster of every plan's current version in the database (the shipped packs
    without a database: cluster_catalogue)."""
    return cluster_catalogue(session)[0]


def get_cluster(session: Session | None, cluster_id: str) -> ClusterInfo:
    for cluster in list_clusters(session):
        if cluster.id == cluster_id:
            return cluster
    raise ClusterNotFound(f"产业集群“{cluster_id}”不存在（industry-brain clusters list 列出全部）")


def definitions_frame(clusters: Iterable[ClusterInfo]) -> pl.DataFrame:
    """(cluster_id, industry_prefix), one row per GB/T 4754 code a cluster names."""
    from industry_brain.reference.industries import industries

    known = industries()
    rows = []
    for c in clusters:
        for code in c.industries:
            if not CODE.match(code) or code not in known:
                raise IndustryBrainError(
                    f"产业集群 {c.id}: 行业代码“{code}”不是GB/T 4754-2017的大类、中类或小类代码"
                )
            rows.append({"cluster_id": c.id, "industry_prefix": code})
    return pl.DataFrame(rows, schema={"cluster_id": pl.String, "industry_prefix": pl.String})


# ---- the reference area --------------------------------------------------------------------


def read_reference(path: Path) -> pl.DataFrame:
    """A reference area's figures: CSV (UTF-8) with columns year, industry_code, value.

    industry_code is a GB/T 4754 code (2-4 digits) or `total`; within a year no code may lie
    under another (they would be counted twice). Refused whole, naming row and column."""
    if not path.exists():
        raise FileRejected(path.name, "文件不存在")
    try:
        raw = pl.read_csv(path, infer_schema=False, comment_prefix="#")
    except Exception as exc:  # polars' parse errors differ by version; the reason is shown
        raise FileRejected(path.name, f"无法读取为CSV：{exc}") from None
    missing = [c for c in REFERENCE_COLUMNS if c not in raw.columns]
    if missing:
        raise FileRejected(path.name, f"缺少列 {', '.join(missing)}（需要 year, industry_code, value）")
    rows = []
    for i, row in enumerate(raw.select(list(REFERENCE_COLUMNS)).iter_rows(named=True), start=2):
        rows.append(_reference_row(path.name, i, row))
    frame = pl.DataFrame(rows, schema=REFERENCE_COLUMNS, orient="row")
    _check_no_nesting(path.name, frame)
    return frame


def _reference_row(file: str, line: int, row: dict[str, Any]) -> tuple[int, str, float]:
    where = f"第{line}行"
    try:
        year = int((row["year"] or "").strip())
    except ValueError:
        raise FileRejected(file, f"{where} 列 year：“{row['year']}”不是年份") from None
    code = (row["industry_code"] or "").strip()
    if code != TOTAL and not CODE.match(code):
        raise FileRejected(file, f"{where} 列 industry_code：“{code}”应为2至4位GB/T 4754代码或 total")
    try:
        value = float((row["value"] or "").strip().replace(",", ""))
    except ValueError:
        raise FileRejected(file, f"{where} 列 value：“{row['value']}”不是数值") from None
    if value < 0:
        raise FileRejected(file, f"{where} 列 value：不能为负数")
    return year, code, value


def _check_no_nesting(file: str, frame: pl.DataFrame) -> None:
    for (year,), part in frame.group_by("year"):
        codes = [c for c in part["industry_code"].to_list() if c != TOTAL]
        if len(codes) != len(set(codes)) or part.filter(pl.col("industry_code") == TOTAL).height > 1:
            raise FileRejected(file, f"{year} 年有重复的 industry_code")
        for a in codes:
            for b in codes:
                if a != b and a.startswith(b):
                    raise FileRejected(
                        file, f"{year} 年的代码 {a} 属于 {b}：同一年内代码不能相互包含（会重复计算）"
                    )


# ---- computing on an Ibis engine -----------------------------------------------------------


def _register(con: Any, frame: pl.DataFrame, prefix: str) -> tuple[Any, str]:
    """A temporary table (a view on PySpark) of `frame`; the facts are confidential and the
    others go with them, so every one is dropped afterwards."""
    import ibis

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    arrow = frame.to_arrow()
    if con.name == "pyspark":
        return con.create_view(name, ibis.memtable(arrow), overwrite=True), name
    return con.create_table(name, arrow, overwrite=True, temp=con.name == "postgres"), name


def compute_clusters(
    facts: pl.DataFrame,
    definitions: pl.DataFrame,
    *,
    reference: pl.DataFrame | None = None,
    titled: pl.DataFrame | None = None,
    measure: str = "output",
    engine: str = "duckdb",
    postgres_url: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """(aggregates, location quotients or None) of every cluster in `definitions` and year in
    `facts`, computed on `engine` (see clusters.analytics)."""
    from industry_brain.evaluation.engines import connect
    from industry_brain.evaluation.inputs import SCHEMA
    from industry_brain.ingest.facts import FACT_COLUMNS

    if measure not in MEASURES:
        raise IndustryBrainError(f"未知的区位熵口径“{measure}”；可用：{', '.join(MEASURES)}")
    con = connect(engine, postgres_url=postgres_url)
    names: list[str] = []
    try:
        tables = {}
        inputs = {
            "facts": facts.select(FACT_COLUMNS).cast(SCHEMA),
            "defs": definitions,
            "titled": titled,
            "reference": reference,
        }
        for key, frame in inputs.items():
            if frame is not None:
                tables[key], name = _register(con, frame, key)
                names.append(name)
        titled_t = tables.get("titled")
        aggregates = pl.from_arrow(cluster_aggregates(tables["facts"], tables["defs"], titled_t).to_pyarrow())
        lq = None
        if reference is not None:
            expr = location_quotients(
                tables["facts"], tables["defs"], tables["reference"], measure=measure, titled=titled_t
            )
            lq = pl.from_arrow(expr.to_pyarrow())
    finally:
        for name in names:
            with contextlib.suppress(Exception):
                if con.name == "pyspark":
                    con.drop_view(name, force=True)
                else:
                    con.drop_table(name, force=True)
        if engine != "pyspark":  # the Spark session is shared by the process
            con.disconnect()
    return aggregates, lq  # type: ignore[return-value]


# ---- a cluster's figures from the database -------------------------------------------------


def scoped_facts(session: Session, *, years: Iterable[int], scope: Scope, settings: Settings) -> pl.DataFrame:
    """The resolved facts of `years` (ingest.facts.resolve_year) of the enterprises `scope`
    sees: a town's aggregates cover its own township only, an enterprise only itself."""
    from industry_brain.enterprises.models import Enterprise
    from industry_brain.evaluation.inputs import SCHEMA
    from industry_brain.ingest.facts import FACT_COLUMNS, resolve_year

    frames = []
    for year in years:
        facts, _ = resolve_year(session, year=year, tolerance=settings.conflict_tolerance)
        frames.append(facts.select(FACT_COLUMNS).cast(SCHEMA))
    facts = pl.concat(frames) if frames else pl.DataFrame(schema=SCHEMA)
    if scope.district_wide:
        return facts
    clause = scope.enterprise_clause(Enterprise.credit_code, Enterprise.township_code)
    visible = session.scalars(select(Enterprise.credit_code).where(clause)).all()
    return facts.filter(pl.col("credit_code").is_in(list(visible)))


def titled_members(session: Session, clusters: Iterable[ClusterInfo]) -> pl.DataFrame:
    """(cluster_id, credit_code) of enterprises holding a title a cluster names, from the
    active titles batches (the 企业荣誉称号认定名单 import)."""
    from industry_brain.ingest.models import ImportBatch, Record

    schema = {"cluster_id": pl.String, "credit_code": pl.String}
    wanted = {t: [c.id for c in clusters if t in c.titles] for c in clusters for t in c.titles}
    if not wanted:
        return pl.DataFrame(schema=schema)
    stmt = (
        select(Record.credit_code, Record.title)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.template == "titles", ImportBatch.status == "active", Record.title.in_(list(wanted))
        )
    )
    rows = {
        (cid, code) for code, title in session.execute(stmt).all() if code and title for cid in wanted[title]
    }
    return pl.DataFrame(sorted(rows), schema=schema, orient="row")


def cluster_figures(
    session: Session,
    *,
    cluster_id: str,
    year: int,
    scope: Scope,
    settings: Settings,
    reference: Path | str | None = None,
    measure: str = "output",
    engine: str = "duckdb",
) -> ClusterFigures:
    """Output, value added, enterprises, growth, share (and the LQ where a reference is given)
    of one cluster in `year`, over the enterprises `scope` sees, with its targets' progress.

    `reference` is a CSV file by GB/T code (a Path, or a str naming a file) or the id of a
    shipped reference area at cluster level (clusters.references, e.g. `ningbo-2020`)."""
    from industry_brain.clusters.references import shipped_reference

    cluster = get_cluster(session, cluster_id)
    named = shipped_reference(reference) if isinstance(reference, str) else None
    if isinstance(reference, str) and named is None:
        reference = Path(reference)
    facts = scoped_facts(session, years=(year - 1, year), scope=scope, settings=settings)
    if facts.filter(pl.col("year") == year).is_empty():
        raise IndustryBrainError(f"{year} 年没有可见的企业数据，无法计算产业集群 {cluster_id}")
    ref = read_reference(reference) if isinstance(reference, Path) else None
    titled = titled_members(session, [cluster])
    agg, lq = compute_clusters(
        facts,
        definitions_frame([cluster]),
        reference=ref,
        titled=titled if titled.height else None,
        measure=measure,
        engine=engine,
        postgres_url=settings.database_url,
    )
    figures = _figures(cluster, year, agg, facts)
    if ref is not None and isinstance(reference, Path):
        figures.location_quotient = _lq(lq, cluster.id, year, measure, reference.name)
        if figures.location_quotient.lq is None:
            figures.notes.append(_lq_note(figures.location_quotient, year))
    if named is not None:
        figures.location_quotient, note = _named_lq(named, figures, measure)
        figures.notes.extend([note] if note else [])
    figures.targets = cluster_targets(session, cluster=cluster, year=year, scope=scope, settings=settings)
    return figures


def plan_cluster_figures(
    session: Session, *, plan_id: str, year: int, scope: Scope, settings: Settings, engine: str = "duckdb"
) -> list[ClusterFigures]:
    """The figures of every cluster of plan `plan_id` in `year` (no LQ, no targets): the
    clusters' 效益报表 of a progress review. Empty when the year has no visible facts."""
    clusters = [c for c in list_clusters(session) if c.pack_id == plan_id]
    if not clusters:
        return []
    stamp = data_stamp(session)
    # Kept per scope, data and cluster definitions: the clusters page and the cockpit read it
    # per request, and it reads every enterprise's facts of two years.
    key = None if stamp is None else (plan_id, year, engine, scope.role, scope.township_code,
                                      scope.credit_code, repr(clusters), *stamp)  # fmt: skip
    kept = _PLAN_FIGURES.get_or_compute(
        key,
        lambda: _plan_cluster_figures(
            session, clusters, year=year, scope=scope, settings=settings, engine=engine
        ),
    )
    return [dataclasses.replace(f, targets=list(f.targets), notes=list(f.notes)) for f in kept]


_PLAN_FIGURES: ReadCache[list[ClusterFigures]] = ReadCache(size=32)


def _plan_cluster_figures(
    session: Session, clusters: list[ClusterInfo], *, year: int, scope: Scope, settings: Settings, engine: str
) -> list[ClusterFigures]:
    facts = scoped_facts(session, years=(year - 1, year), scope=scope, settings=settings)
    if facts.filter(pl.col("year") == year).is_empty():
        return []
    titled = titled_members(session, clusters)
    agg, _ = compute_clusters(
        facts,
        definitions_frame(clusters),
        titled=titled if titled.height else None,
        engine=engine,
        postgres_url=settings.database_url,
    )
    return [_figures(c, year, agg, facts) for c in clusters]


def _figures(cluster: ClusterInfo, year: int, agg: pl.DataFrame, facts: pl.DataFrame) -> ClusterFigures:
    rows = agg.filter((pl.col("year") == year) & (pl.col("cluster_id") == cluster.id)).to_dicts()
    if rows:
        r = rows[0]
        return ClusterFigures(
            cluster, year, r["output"], r["value_added"], r["enterprises"], r["enterprises_above_scale"],
            r["output_previous"], r["growth"], r["share"], r["district_output"],
        )  # fmt: skip
    # no member this year: zeros, and the area's output still shown
    this = facts.filter((pl.col("year") == year) & (pl.col("above_scale") == 1))
    district = float(this["output_wan"].fill_null(0).sum()) / 10_000
    previous = agg.filter((pl.col("year") == year - 1) & (pl.col("cluster_id") == cluster.id))[
        "output"
    ].to_list()
    return ClusterFigures(
        cluster, year, 0.0, 0.0, 0, 0, previous[0] if previous else None,
        -1.0 if previous and previous[0] else None, 0.0 if district > 0 else None, district,
        notes=[f"{year} 年没有属于该集群的企业"],
    )  # fmt: skip


def _lq(lq: pl.DataFrame | None, cluster_id: str, year: int, measure: str, name: str) -> LocationQuotient:
    mine = (pl.col("year") == year) & (pl.col("cluster_id") == cluster_id)
    rows = [] if lq is None else lq.filter(mine).to_dicts()
    if not rows:
        return LocationQuotient(measure, name, 0.0, None, None, None, False, None)
    r = rows[0]
    return LocationQuotient(
        measure, name, r["region_value"], r["region_total"], r["reference_value"], r["reference_total"],
        bool(r["reference_covered"]), r["lq"],
    )  # fmt: skip


def _named_lq(named: Any, f: ClusterFigures, measure: str) -> tuple[LocationQuotient, str | None]:
    """A cluster-level LQ against a shipped reference, from the cluster's and the district's
    above-scale output as computed above (亿元, like the reference)."""
    from industry_brain.clusters.references import cluster_lq

    if measure != "output":
        raise IndustryBrainError(f"已提供的参照 {named.id} 只有规上工业总产值 (--measure output)")
    return cluster_lq(
        named,
        cluster_id=f.cluster.id,
        year=f.year,
        measure=measure,
        region_value=f.output,
        region_total=f.district_output,
    )


def _lq_note(lq: LocationQuotient, year: int) -> str:
    if lq.reference_total is None:
        return f"参照文件 {lq.reference} 没有 {year} 年的数据，区位熵无法计算"
    if not lq.reference_covered:
        return f"参照文件 {lq.reference} 的行业代码比集群定义粗（或缺少集群的行业），区位熵无法计算"
    return "区位熵的分母为零，无法计算"


def cluster_targets(
    session: Session, *, cluster: ClusterInfo, year: int, scope: Scope, settings: Settings
) -> list[dict[str, Any]]:
    """The progress rows (plans.service.progress, as of the end of `year`) of the indicators of
    the cluster's plan whose `concerns.cluster` is the cluster."""
    pack = next((p for p in _catalogue(session).packs if p.id == cluster.pack_id), None)
    indicators = getattr(pack, "indicators", None) or []
    ids = {i.id for i in indicators if getattr(i.concerns, "cluster", None) == cluster.id}
    if not ids:
        return []
    from industry_brain.plans.service import progress

    result = progress(session, plan_id=cluster.pack_id, as_of=str(year), scope=scope, settings=settings)
    return [row for row in (_as_dict(r) for r in result.indicators) if row.get("id") in ids]


def _as_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, dict):
        return row
    import dataclasses

    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return dataclasses.asdict(row)
    return dict(vars(row))
