"""Whom to attract (招商): rank the industries an area lacks by how related they are to what it
already does well, for a chain (its nodes' classes) or a cluster (its GB/T codes).

One ranking for both: the caller names the candidate industries (`candidates`: industry,
node_id, node_name, stage) and everything else — the area × industry matrix from the
enterprise record or a reference file, RCA, proximity, density (complexity.py, Ibis), ECI/PCI/
COG (numpy), the order and the explanation of each row — is the same. docs/chains.md states
the method; docs/clusters.md what changes for a cluster. Services flush, never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import polars as pl
from sqlalchemy.orm import Session

from industry_brain.clusters import complexity as cx
from industry_brain.clusters.chains import class_name
from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.core.figures import finite_figure
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.evaluation.engines import connect

REFERENCE_COLUMNS = ("area", "industry", "value")
LEVELS = {4: "class", 3: "group", 2: "division"}
DISTRICT_AREA = "本区"
CANDIDATE_SCHEMA = {"industry": pl.String, "node_id": pl.String, "node_name": pl.String, "stage": pl.String}
COLUMNS = (
    "area",
    "rank",
    "industry",
    "industry_name",
    "node_id",
    "node_name",
    "stage",
    "value",
    "rca",
    "density",
    "related",
    "reach",
    "eci",
    "pci",
    "cog",
    "related_industries",
    "explain",
)


def check_level(level: int) -> None:
    if level not in LEVELS:
        raise ConfigurationError(f"行业层级应为 {', '.join(map(str, LEVELS))} 位，而非 {level}")


def read_reference(path: Path, *, level: int) -> pl.DataFrame:
    """A reference matrix file (CSV: area, industry, value), industries cut to `level` digits.
    Refused, naming the file, row and column, when a header, code or value is wrong."""
    from industry_brain.reference.industries import industries

    if not path.exists():
        hint = ""
        if path.suffix == "" and "/" not in str(path):
            # a shipped cluster-level reference (clusters/references) is not a matrix
            hint = "；已提供的参照（如 ningbo-2020）是集群级数据，只用于 clusters show 的区位熵"
        raise ConfigurationError(f"{path}: 参照文件不存在 (reference file not found){hint}")
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except Exception as exc:  # polars names the problem; the file is not a CSV we can read
        raise ConfigurationError(f"{path.name}: 无法读取CSV：{exc}") from None
    if tuple(raw.columns) != REFERENCE_COLUMNS:
        raise ConfigurationError(
            f"{path.name}: 表头应为 {','.join(REFERENCE_COLUMNS)}，实为 {','.join(raw.columns)}"
        )
    known = industries()
    rows = []
    for i, (area, code, value) in enumerate(raw.iter_rows(), start=2):
        where = f"{path.name} 第{i}行"
        if not area or not area.strip():
            raise ConfigurationError(f"{where} 列 area: 地区为空")
        code = (code or "").strip()
        if len(code) < level or code not in known or known[code].level < 2:
            raise ConfigurationError(
                f"{where} 列 industry: “{code}”不是至少 {level} 位的 GB/T 4754-2017 代码"
            )
        try:
            number = finite_figure(value)
        except ValueError as exc:
            raise ConfigurationError(f"{where} 列 value: {exc}") from None
        if number < 0:
            raise ConfigurationError(f"{where} 列 value: 不能为负数 ({value})")
        rows.append((area.strip(), code[:level], number))
    return pl.DataFrame(
        rows, schema={"area": pl.String, "industry": pl.String, "value": pl.Float64}, orient="row"
    )


def district_matrix(facts: pl.DataFrame, *, year: int, level: int) -> tuple[pl.DataFrame, dict[str, int]]:
    """Output by township and industry from the enterprise record, and what was left out."""
    f = facts.filter(pl.col("year") == year)
    usable = f.filter(
        pl.col("township_code").is_not_null()
        & pl.col("industry_code").is_not_null()
        & (pl.col("output_wan").fill_null(0) > 0)
    )
    matrix = (
        usable.group_by(
            pl.col("township_code").alias("area"),
            pl.col("industry_code").str.slice(0, level).alias("industry"),
        )
        .agg(pl.col("output_wan").sum().alias("value"))
        .sort("area", "industry")
    )
    return matrix, {"enterprises": f.height, "used": usable.height, "left_out": f.height - usable.height}


def relatedness(
    matrix: pl.DataFrame, *, engine: str = "duckdb", postgres_url: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(density table, proximity table) of a long matrix, computed on an Ibis engine."""
    con = connect(engine, postgres_url=postgres_url)
    try:
        t = ibis.memtable(matrix.select("area", "industry", "value").to_arrow())
        m = cx.rca(t)
        phi = cx.proximity(m)
        dens = pl.DataFrame(pl.from_arrow(con.to_pyarrow(cx.density(m, phi))))
        prox = pl.DataFrame(pl.from_arrow(con.to_pyarrow(phi)))
    finally:
        if engine != "pyspark":
            con.disconnect()
    return dens.sort("area", "industry"), prox.sort("industry_i", "industry_j")


def _related_text(prox: pl.DataFrame, dens: pl.DataFrame, area: str, industry: str, top: int = 3) -> str:
    present = dens.filter((pl.col("area") == area) & (pl.col("m") == 1))["industry"].to_list()
    near = (
        prox.filter(
            (pl.col("industry_i") == industry) & pl.col("industry_j").is_in(present) & (pl.col("phi") > 0)
        )
        .sort(["phi", "industry_j"], descending=[True, False])
        .head(top)
    )
    return "、".join(
        f"{j} {class_name(j)}(φ={p:.2f})" for j, p in near.select("industry_j", "phi").iter_rows()
    )


def _complexity(dens: pl.DataFrame, prox: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(industry, pci), (area, industry, cog) and (area, eci) frames of the matrix."""
    idx = cx.complexity_indices(dens.select("area", "industry", "m"), prox)
    # typed: on a small district the matrix may hold no industry, and an untyped empty column
    # could not be joined
    pci = pl.DataFrame(
        {"industry": list(idx.industries), "pci": [float(v) for v in idx.pci.tolist()]},
        schema={"industry": pl.String, "pci": pl.Float64},
    )
    cog = pl.DataFrame(
        [(a, i, float(idx.cog[r, c])) for r, a in enumerate(idx.areas) for c, i in enumerate(idx.industries)],
        schema={"area": pl.String, "industry": pl.String, "cog": pl.Float64},
        orient="row",
    )
    eci = pl.DataFrame(
        {"area": list(idx.areas), "eci": [float(v) for v in idx.eci.tolist()]},
        schema={"area": pl.String, "eci": pl.Float64},
    )
    return pci, cog, eci


def rank_attract(
    matrix: pl.DataFrame, candidates: pl.DataFrame, *, targets: list[str], engine: str = "duckdb"
) -> pl.DataFrame:
    """For each target area, the candidate industries it lacks (RCA < 1, or absent), ranked by
    relatedness density to what it does well, then PCI, then code: the same input gives the
    same list. `candidates`: industry, node_id, node_name, stage (CANDIDATE_SCHEMA)."""
    dens, prox = relatedness(matrix, engine=engine)
    pci, cog, eci = _complexity(dens, prox)
    cands = candidates.cast(CANDIDATE_SCHEMA)  # type: ignore[arg-type]
    rows = []
    for area in targets:
        here = cands.join(dens.filter(pl.col("area") == area), on="industry", how="left")
        here = here.with_columns(pl.lit(area).alias("area")).filter(pl.col("m").fill_null(0) == 0)
        rows.append(here)
    if not rows:  # no area to rank for: an empty list with the same columns
        rows = [cands.join(dens, on="industry", how="left").head(0)]
    out = pl.concat(rows, how="diagonal_relaxed")
    out = out.join(pci, on="industry", how="left").join(cog, on=["area", "industry"], how="left")
    out = out.join(eci, on="area", how="left")
    # NaN (no complexity on too small a matrix) becomes missing: JSON and Excel have no NaN.
    out = out.with_columns(
        pl.col("value").fill_null(0.0),
        pl.col("rca").fill_null(0.0),
        pl.col("pci", "cog", "eci").fill_nan(None),
    )
    out = out.sort(
        ["area", "density", "pci", "industry", "node_id"],
        descending=[False, True, True, False, False],
        nulls_last=True,
    )
    out = out.with_columns(pl.int_range(1, pl.len() + 1).over("area").alias("rank"))
    related = [_related_text(prox, dens, a, i) for a, i in out.select("area", "industry").iter_rows()]
    out = out.with_columns(
        pl.Series("related_industries", related, dtype=pl.String),
        pl.col("industry").map_elements(class_name, return_dtype=pl.String).alias("industry_name"),
    )
    out = out.with_columns(_explain().alias("explain"))
    return out.select(COLUMNS)


def _explain() -> pl.Expr:
    density = (
        pl.when(pl.col("density").is_null())
        .then(pl.lit("参照区域无此行业，关联密度无法计算"))
        .otherwise(
            pl.format(
                "关联密度 {} = Σφ(本地优势行业) {} / Σφ(全部) {}",
                pl.col("density").round(4),
                pl.col("related").round(4),
                pl.col("reach").round(4),
            )
        )
    )
    complexity = (
        pl.when(pl.col("pci").is_null())
        .then(pl.lit("地区或行业太少，行业复杂度与机会增益不计算"))
        .otherwise(
            # a null inside pl.format would blank the whole explanation
            pl.format(
                "地区经济复杂度 {}，行业复杂度 {}，机会增益 {}",
                pl.col("eci").round(3).cast(pl.String).fill_null("—"),
                pl.col("pci").round(3),
                pl.col("cog").round(3).cast(pl.String).fill_null("—"),
            )
        )
    )
    return pl.format(
        "区位熵 {} < 1（本地 {} 万元）；{}；{}；相关优势行业：{}",
        pl.col("rca").round(3),
        pl.col("value").round(1),
        density,
        complexity,
        pl.col("related_industries"),
    )


def attraction(
    session: Session,
    *,
    candidates_of: Callable[[int], pl.DataFrame],
    subject: dict[str, Any],
    year: int,
    scope: Scope,
    settings: Settings,
    reference: Path | None = None,
    area: str | None = None,
    level: int = 4,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The investment-attraction list of `candidates_of(level)` and the inputs that made it;
    `subject` (chain_id/chain_version or cluster_id/cluster_version ...) leads the inputs.

    With a reference file its areas are the comparison and the district (all its enterprises
    summed, as area 本区) is the target; without one the district's townships are the areas
    and each township is a target (or `area` alone)."""
    from industry_brain.clusters.chain_service import chain_facts

    if not scope.district_wide:
        raise IndustryBrainError("招商分析需要全区范围的角色 (district-wide roles only)")
    check_level(level)
    candidates = candidates_of(level)
    facts = chain_facts(session, year=year, settings=settings, scope=scope)
    local, counts = district_matrix(facts, year=year, level=level)
    if reference is not None:
        ref = read_reference(reference, level=level).filter(pl.col("area") != DISTRICT_AREA)
        mine = (
            local.group_by("industry")
            .agg(pl.col("value").sum())
            .with_columns(pl.lit(DISTRICT_AREA).alias("area"))
        )
        matrix = pl.concat([ref, mine.select("area", "industry", "value")])
        targets = [area or DISTRICT_AREA]
    else:
        matrix = local
        targets = [area] if area else sorted(local["area"].unique().to_list())
    matrix = matrix.group_by("area", "industry").agg(pl.col("value").sum()).sort("area", "industry")
    if area is not None and area not in set(matrix["area"].to_list()):
        raise IndustryBrainError(f"地区“{area}”不在矩阵中 (area not in the matrix)")
    frame = rank_attract(matrix, candidates, targets=targets)
    digest = hashlib.sha256(matrix.write_csv(float_precision=6).encode("utf-8")).hexdigest()
    inputs = {
        **subject,
        "year": year,
        "measure": "output_wan",
        "level": LEVELS[level],
        "rca_threshold": cx.RCA_THRESHOLD,
        "reference": str(reference) if reference else None,
        "areas": matrix["area"].n_unique(),
        "industries": matrix["industry"].n_unique(),
        "candidates": candidates["industry"].n_unique(),
        "targets": targets,
        "matrix_sha256": digest,
        **counts,
    }
    return frame, inputs


# ---- a cluster's candidates ----------------------------------------------------------------


def cluster_candidates(codes: list[str], *, level: int) -> pl.DataFrame:
    """The industries at `level` digits a cluster's GB/T codes make up, each with the cluster
    code it comes from as its node: a code coarser than the level takes every industry of the
    level under it (`36` at class level: 3611 … 3670), a finer one is cut to the level (`3446`
    at group level: 344, node 344). A code under another code of the cluster adds nothing."""
    from industry_brain.reference.industries import industries

    known = industries()
    kept = [c for c in sorted(set(codes)) if not any(c != o and c.startswith(o) for o in codes)]
    rows: dict[str, tuple[str, str, str, None]] = {}
    for code in kept:
        if len(code) > level:
            cut = code[:level]
            rows.setdefault(cut, (cut, cut, class_name(cut), None))
            continue
        under = [i for i, info in known.items() if info.level == level and i.startswith(code)]
        for industry in sorted(under):
            rows.setdefault(industry, (industry, code, class_name(code), None))
    return pl.DataFrame(list(rows.values()), schema=CANDIDATE_SCHEMA, orient="row")


def attract_cluster(
    session: Session,
    *,
    cluster_id: str,
    year: int,
    scope: Scope,
    settings: Settings,
    reference: Path | None = None,
    area: str | None = None,
    level: int = 4,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The investment-attraction list of a cluster (docs/clusters.md, "Whom to attract"): the
    same ranking as a chain's, over the industries the cluster's GB/T codes make up."""
    from industry_brain.clusters.service import get_cluster

    cluster = get_cluster(session, cluster_id)
    subject = {
        "cluster_id": cluster.id,
        "cluster_name": cluster.name,
        "cluster_version": cluster.version,
        "cluster_codes": list(cluster.industries),
    }
    return attraction(
        session,
        candidates_of=lambda lv: cluster_candidates(cluster.industries, level=lv),
        subject=subject,
        year=year,
        scope=scope,
        settings=settings,
        reference=reference,
        area=area,
        level=level,
    )


# the Excel an analyst opens: each column by its Chinese name
EXCEL_HEADERS = {
    "area": "地区",
    "rank": "名次",
    "industry": "行业代码",
    "industry_name": "行业",
    "node_name": "节点",
    "stage": "环节",
    "value": "本地产值（万元）",
    "rca": "区位熵",
    "density": "关联密度",
    "related": "本地优势行业关联度",
    "reach": "全部行业关联度",
    "eci": "地区经济复杂度",
    "pci": "行业复杂度",
    "cog": "机会增益",
    "related_industries": "相关优势行业",
    "explain": "说明",
}


def for_excel(frame: pl.DataFrame) -> pl.DataFrame:
    """The attraction list as officials read it: township names, 上游/中游/下游, Chinese headers."""
    from industry_brain.clusters.chains import STAGE_NAMES
    from industry_brain.reference.divisions import divisions

    named = {code: d.name for code, d in divisions().items()}
    out = frame
    if "area" in out.columns:
        out = out.with_columns(pl.col("area").replace(named))
    if "stage" in out.columns:
        out = out.with_columns(pl.col("stage").replace(STAGE_NAMES))
    out = out.drop("node_id", strict=False)  # the node's name says it; its id is the file's key
    return out.rename({k: v for k, v in EXCEL_HEADERS.items() if k in out.columns})
