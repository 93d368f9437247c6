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

from industry_brain.clusters import attract as at
from industry_brain.clusters import chain_analytics as ca
from industry_brain.clusters.chains import STAGE_NAMES, Chain, get_chain, shipped_chains
from industry_brain.clusters.models import ChainMembershipOverride
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.readcache import ReadCache
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
DISTRICT_AREA = at.DISTRICT_AREA
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


# The chain figures of the same facts, chain and confirmations are the same: the cockpit's tile,
# the chains page and the API read them again and again (compiling the Ibis expressions alone
# takes about 0.3 s a chain).
_CHAINS: ReadCache[dict[str, pl.DataFrame]] = ReadCache(size=64)


def cached_chain(
    facts: pl.DataFrame, chain: Chain, said: pl.DataFrame, *, year: int, params: ca.ChainParams
) -> dict[str, pl.DataFrame]:
    """compute_chain on DuckDB, reused for the same facts, chain, confirmations and parameters."""
    key = (
        chain.id,
        chain.version,
        year,
        repr(params),
        facts.height,
        int(facts.hash_rows().sum()) if facts.height else 0,
        tuple(said.rows()),
    )
    return _CHAINS.get_or_compute(key, lambda: compute_chain(facts, chain, said, year=year, params=params))


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
    result = cached_chain(facts, chain, overrides(session, chain), year=year, params=params)
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
        return "本地无企业"
    if node["enterprises"] < params.weak_min_enterprises:
        return f"企业 {node['enterprises']} 家，少于 {params.weak_min_enterprises} 家"
    share = node["chain_share"] or 0.0
    return f"产值占全链 {share:.1%}，低于 {params.weak_max_share:.0%}"


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


def district_chains(settings: Settings) -> list[Chain]:
    """The chains whose plan names the served district (scope = its name, e.g. 奉化区); all
    shipped chains when none does."""
    from industry_brain.reference.divisions import divisions

    place = divisions().get(settings.district_code[:6])
    own = [c for c in shipped_chains() if place is not None and c.scope == place.name]
    return own or list(shipped_chains())


def gap_summary(
    session: Session, *, year: int, scope: Scope, settings: Settings, chains: list[Chain]
) -> list[dict[str, Any]]:
    """Per chain: its nodes present, weak and missing in `year` and its first 链主, over the
    enterprises `scope` sees (the cockpit's tile); the facts are read once for every chain."""
    facts = chain_facts(session, year=year, settings=settings, scope=scope)
    params = ca.ChainParams()
    out = []
    for chain in chains:
        result = cached_chain(facts, chain, overrides(session, chain), year=year, params=params)
        status = result["nodes"]["status"].to_list()
        leaders = result["leaders"]["name"].to_list()
        out.append(
            {
                "id": chain.id,
                "name": chain.name,
                "nodes": len(status),
                **{s: status.count(s) for s in ("present", "weak", "missing")},
                "leader": leaders[0] if leaders else None,
            }
        )
    return out


# ---- whom to attract (招商): the ranking lives in clusters.attract ---------------------------


def chain_candidates(chain: Chain, level: int) -> pl.DataFrame:
    """The chain's node classes cut to `level` digits, each with the node it would fill."""
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for n in chain.nodes:
        for c in n.classes:
            rows.setdefault((c[:level], n.id), (c[:level], n.id, n.name, n.stage))
    return pl.DataFrame(list(rows.values()), schema=at.CANDIDATE_SCHEMA, orient="row")


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
    """The investment-attraction list of a chain and the inputs that made it (docs/chains.md);
    clusters.attract.attraction does the ranking, for clusters too."""
    if not scope.district_wide:
        raise IndustryBrainError("招商分析需要全区范围的角色 (district-wide roles only)")
    chain = get_chain(chain_id)
    return at.attraction(
        session,
        candidates_of=lambda lv: chain_candidates(chain, lv),
        subject={"chain_id": chain.id, "chain_version": chain.version},
        year=year,
        scope=scope,
        settings=settings,
        reference=reference,
        area=area,
        level=level,
    )
