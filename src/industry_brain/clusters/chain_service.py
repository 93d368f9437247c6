"""Chains: who is on each node, the figures per node, 链主, gaps, and whom to attract.

The one place the chain logic meets the database. Figures come from the per-year enterprise
facts (ingest.facts.resolve_year) joined to the master record's township, narrowed by the
caller's scope before anything is computed, then computed by chain_analytics / complexity on
an Ibis engine (DuckDB in-process by default). Services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Any

import ibis
import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from industry_brain.clusters import chain_analytics as ca
from industry_brain.clusters import complexity as cx
from industry_brain.clusters.chains import STAGE_NAMES, Chain, class_name, get_chain, shipped_chains
from industry_brain.clusters.models import ChainMembershipOverride
from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.evaluation.engines import connect
from industry_brain.ingest.facts import resolve_year
from industry_brain.ingest.models import ImportBatch

FACTS_SCHEMA = {
    "credit_code": pl.String,
    "name": pl.String,
    "industry_code": pl.String,
    "township_code": pl.String,
    "year": pl.Int32,
    "output_wan": pl.Float64,
}
DISTRICT_AREA = "本区"
EDITORS = frozenset({"admin", "analyst", "system"})


def list_chains() -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "version": c.version,
            "name": c.name,
            "scope": c.scope,
            "nodes": len(c.nodes),
            "classes": len(c.classes()),
            "source": asdict(c.source),
        }
        for c in shipped_chains()
    ]


def latest_year(session: Session) -> int:
    """The newest year with an active batch; an error when nothing has been imported."""
    period = session.scalar(select(func.max(ImportBatch.period)).where(ImportBatch.status == "active"))
    if not period:
        raise IndustryBrainError("数据库中还没有企业数据：请先导入 (industry-brain import)")
    return int(str(period)[:4])


def chain_facts(session: Session, *, year: int, settings: Settings, scope: Scope) -> pl.DataFrame:
    """The facts of `year` and `year - 1` the scope may see, with each enterprise's township."""
    if not (scope.district_wide or scope.role in ("town", "enterprise")):
        raise IndustryBrainError(f"角色“{scope.role}”不能查看企业数据 (no access to enterprise figures)")
    towns = dict(session.execute(select(Enterprise.credit_code, Enterprise.township_code)).all())
    frames = []
    for y in (year - 1, year):
        facts, _ = resolve_year(session, year=y, tolerance=settings.conflict_tolerance)
        frames.append(
            facts.select("credit_code", "name", "industry_code", "year", "output_wan").with_columns(
                pl.col("credit_code")
                .replace_strict(towns, default=None, return_dtype=pl.String)
                .alias("township_code")
            )
        )
    facts = pl.concat(frames).select(list(FACTS_SCHEMA)).cast(FACTS_SCHEMA)  # type: ignore[arg-type]
    seen = [
        scope.sees_enterprise(credit_code=c, township_code=t)
        for c, t in facts.select("credit_code", "township_code").iter_rows()
    ]
    return facts.filter(pl.Series(seen, dtype=pl.Boolean))


def chain_inputs(chain: Chain) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(nodes, node_classes, node_keywords) of a chain as frames."""
    nodes = pl.DataFrame(
        [(n.id, i) for i, n in enumerate(chain.nodes)],
        schema={"node_id": pl.String, "seq": pl.Int64},
        orient="row",
    )
    classes = pl.DataFrame(
        [(n.id, c) for n in chain.nodes for c in n.classes],
        schema={"node_id": pl.String, "industry_code": pl.String},
        orient="row",
    )
    words = pl.DataFrame(
        [(n.id, k) for n in chain.nodes for k in n.keywords],
        schema={"node_id": pl.String, "keyword": pl.String},
        orient="row",
    )
    return nodes, classes, words


def overrides(session: Session, chain: Chain) -> pl.DataFrame:
    """The newest word of an analyst per (node, enterprise) on this chain version."""
    rows = session.execute(
        select(
            ChainMembershipOverride.id,
            ChainMembershipOverride.node_id,
            ChainMembershipOverride.credit_code,
            ChainMembershipOverride.action,
        ).where(
            ChainMembershipOverride.chain_id == chain.id,
            ChainMembershipOverride.chain_version == chain.version,
        )
    ).all()
    frame = pl.DataFrame(
        rows,
        schema={"id": pl.Int64, "node_id": pl.String, "credit_code": pl.String, "action": pl.String},
        orient="row",
    )
    return (
        frame.sort("id")
        .unique(["node_id", "credit_code"], keep="last")
        .drop("id")
        .sort("node_id", "credit_code")
    )


def compute_chain(
    facts: pl.DataFrame,
    chain: Chain,
    said: pl.DataFrame,
    *,
    year: int,
    params: ca.ChainParams,
    engine: str = "duckdb",
    postgres_url: str | None = None,
) -> dict[str, pl.DataFrame]:
    """members, nodes and leaders of a chain for `year` on an Ibis engine."""
    nodes, classes, words = chain_inputs(chain)
    con = connect(engine, postgres_url=postgres_url)
    try:
        f = ibis.memtable(facts.cast(FACTS_SCHEMA).to_arrow())  # type: ignore[arg-type]
        members = ca.membership(
            f,
            ibis.memtable(classes.to_arrow()),
            ibis.memtable(words.to_arrow()),
            ibis.memtable(said.to_arrow()),
            year=year,
        )
        exprs = {
            "members": ca.member_figures(members, f, year=year).order_by("node_id", "node_rank"),
            "nodes": ca.node_figures(members, f, ibis.memtable(nodes.to_arrow()), year=year, params=params),
            "leaders": ca.leaders(members, f, year=year, params=params),
        }
        return {k: pl.from_arrow(con.to_pyarrow(e)) for k, e in exprs.items()}  # type: ignore[misc]
    finally:
        if engine != "pyspark":
            con.disconnect()


def _node_rows(chain: Chain, nodes: pl.DataFrame) -> list[dict[str, Any]]:
    figures = {r["node_id"]: r for r in nodes.to_dicts()}
    out = []
    for n in chain.nodes:
        row = figures[n.id]
        out.append(
            {
                "node_id": n.id,
                "name": n.name,
                "stage": n.stage,
                "stage_name": STAGE_NAMES[n.stage],
                "classes": list(n.classes),
                "keywords": list(n.keywords),
                **{k: row[k] for k in row if k not in ("node_id", "seq")},
            }
        )
    return out


def show_chain(
    session: Session,
    *,
    chain_id: str,
    year: int,
    scope: Scope,
    settings: Settings,
    params: ca.ChainParams | None = None,
) -> dict[str, Any]:
    """A chain for `year`: its nodes with figures and gap status, 链主 and members. Enterprise
    lists are given to district-wide roles and to a town (its own township's enterprises);
    an enterprise sees the nodes it sits on."""
    chain = get_chain(chain_id)
    params = params or ca.ChainParams()
    facts = chain_facts(session, year=year, settings=settings, scope=scope)
    result = compute_chain(facts, chain, overrides(session, chain), year=year, params=params)
    members = result["members"].sort("node_id", "node_rank")
    return {
        "chain": {
            "id": chain.id,
            "version": chain.version,
            "name": chain.name,
            "scope": chain.scope,
            "source": asdict(chain.source),
            "edges": [list(e) for e in chain.edges],
        },
        "year": year,
        "params": asdict(params),
        "nodes": _node_rows(chain, result["nodes"]),
        "leaders": result["leaders"].to_dicts(),
        "members": members.select(
            "node_id",
            "node_rank",
            "credit_code",
            "name",
            "township_code",
            "basis",
            "output",
            "output_prev",
            "node_share",
        ).to_dicts(),
    }


def chain_gaps(
    session: Session,
    *,
    chain_id: str,
    year: int,
    scope: Scope,
    settings: Settings,
    params: ca.ChainParams | None = None,
) -> list[dict[str, Any]]:
    """The nodes with no (missing) or weak local presence, each with the reason in words."""
    params = params or ca.ChainParams()
    view = show_chain(session, chain_id=chain_id, year=year, scope=scope, settings=settings, params=params)
    return [{**n, "reason": gap_reason(n, params)} for n in view["nodes"] if n["status"] != "present"]


def gap_reason(node: dict[str, Any], params: ca.ChainParams) -> str:
    if node["status"] == "missing":
        return "本地无企业 (no local enterprise)"
    if node["enterprises"] < params.weak_min_enterprises:
        return f"企业 {node['enterprises']} 家，少于 {params.weak_min_enterprises} 家 (too few enterprises)"
    share = node["chain_share"] or 0.0
    return f"产值占全链 {share:.1%}，低于 {params.weak_max_share:.0%} (small share of chain output)"


def confirm(
    session: Session,
    *,
    chain_id: str,
    node_id: str,
    credit_code: str,
    remove: bool,
    scope: Scope,
    by: str | None = None,
    note: str | None = None,
) -> ChainMembershipOverride:
    """Record an analyst's confirmation (add) or correction (remove) of an enterprise on a node
    of the chain's current version."""
    if scope.role not in EDITORS:
        raise IndustryBrainError(f"角色“{scope.role}”不能修改产业链成员 (only analysts may)")
    chain = get_chain(chain_id)
    chain.node(node_id)
    if session.get(Enterprise, credit_code) is None:
        raise IndustryBrainError(f"企业 {credit_code} 不在企业库中 (unknown enterprise)")
    row = ChainMembershipOverride(
        chain_id=chain.id,
        chain_version=chain.version,
        node_id=node_id,
        credit_code=credit_code,
        action="remove" if remove else "add",
        by=by or scope.username,
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        note=note,
    )
    session.add(row)
    session.flush()
    return row


# ---- whom to attract (招商) ----------------------------------------------------------------

REFERENCE_COLUMNS = ("area", "industry", "value")
LEVELS = {4: "class", 3: "group", 2: "division"}


def read_reference(path: Path, *, level: int) -> pl.DataFrame:
    """A reference matrix file (CSV: area, industry, value), industries cut to `level` digits.
    Refused, naming the file, row and column, when a header, code or value is wrong."""
    from industry_brain.reference.industries import industries

    if not path.exists():
        raise ConfigurationError(f"{path}: 参照文件不存在 (reference file not found)")
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
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigurationError(f"{where} 列 value: “{value}”不是数字") from None
        if number < 0 or number != number:
            raise ConfigurationError(f"{where} 列 value: 不能为负数或非数 ({value})")
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


def _candidates(chain: Chain, level: int) -> pl.DataFrame:
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for n in chain.nodes:
        for c in n.classes:
            rows.setdefault((c[:level], n.id), (c[:level], n.id, n.name, n.stage))
    return pl.DataFrame(
        list(rows.values()),
        schema={"industry": pl.String, "node_id": pl.String, "node_name": pl.String, "stage": pl.String},
        orient="row",
    )


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


def rank_attract(
    matrix: pl.DataFrame, chain: Chain, *, targets: list[str], level: int, engine: str = "duckdb"
) -> pl.DataFrame:
    """For each target area, the chain's industries it lacks (RCA < 1, or absent), ranked by
    relatedness density to what it does well, then PCI, then code: the same input gives the
    same list."""
    dens, prox = relatedness(matrix, engine=engine)
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
    cands = _candidates(chain, level)
    rows = []
    for area in targets:
        here = cands.join(dens.filter(pl.col("area") == area), on="industry", how="left")
        here = here.with_columns(pl.lit(area).alias("area")).filter(pl.col("m").fill_null(0) == 0)
        rows.append(here)
    if not rows:  # no area to rank for: an empty list with the same columns
        rows = [cands.join(dens, on="industry", how="left").head(0)]
    out = pl.concat(rows, how="diagonal_relaxed")
    out = out.join(pci, on="industry", how="left").join(cog, on=["area", "industry"], how="left")
    # NaN (no complexity on too small a matrix) becomes missing: JSON and Excel have no NaN.
    out = out.with_columns(
        pl.col("value").fill_null(0.0), pl.col("rca").fill_null(0.0), pl.col("pci", "cog").fill_nan(None)
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
    return out.select(
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
        "pci",
        "cog",
        "related_industries",
        "explain",
    )


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
    return pl.format(
        "RCA {} < 1（本地 {} 万元）；{}；相关优势行业：{}",
        pl.col("rca").round(3),
        pl.col("value").round(1),
        density,
        pl.col("related_industries"),
    )


def attract(
    session: Session,
    *,
    chain_id: str,
    year: int,
    scope: Scope,
    settings: Settings,
    reference: Path | None = None,
    area: str | None = None,
    level: int = 4,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The investment-attraction list of a chain and the inputs that made it (docs/chains.md).

    With a reference file its areas are the comparison and the district (all its enterprises
    summed, as area 本区) is the target; without one the district's townships are the areas
    and each township is a target (or `area` alone)."""
    import hashlib

    if not scope.district_wide:
        raise IndustryBrainError("招商分析需要全区范围的角色 (district-wide roles only)")
    if level not in LEVELS:
        raise ConfigurationError(f"行业层级应为 {', '.join(map(str, LEVELS))} 位，而非 {level}")
    chain = get_chain(chain_id)
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
    frame = rank_attract(matrix, chain, targets=targets, level=level)
    digest = hashlib.sha256(matrix.write_csv(float_precision=6).encode("utf-8")).hexdigest()
    inputs = {
        "chain_id": chain.id,
        "chain_version": chain.version,
        "year": year,
        "measure": "output_wan",
        "level": LEVELS[level],
        "rca_threshold": cx.RCA_THRESHOLD,
        "reference": str(reference) if reference else None,
        "areas": matrix["area"].n_unique(),
        "industries": matrix["industry"].n_unique(),
        "targets": targets,
        "matrix_sha256": digest,
        **counts,
    }
    return frame, inputs
