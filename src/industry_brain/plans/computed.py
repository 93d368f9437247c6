"""Plan indicators computed from the enterprise record: resolved facts → plans.derive on DuckDB."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.settings import Settings
from industry_brain.plans.pack import Cluster, Pack, all_clusters

TITLE_SCHEMA = {"credit_code": pl.String, "title": pl.String, "title_year": pl.Int64}


def facts_of_years(session: Session, *, years: Iterable[int], settings: Settings) -> pl.DataFrame:
    """The resolved enterprise facts of the given years (those with data), one frame."""
    from industry_brain.evaluation.inputs import SCHEMA
    from industry_brain.ingest.facts import resolve_year

    frames = []
    for year in sorted(set(years)):
        facts, _ = resolve_year(session, year=year, tolerance=settings.conflict_tolerance)
        if not facts.is_empty():
            frames.append(facts.cast(SCHEMA))
    return pl.concat(frames) if frames else pl.DataFrame()


def titles_frame(session: Session) -> pl.DataFrame:
    """(credit_code, title, title_year) from the active titles lists (企业荣誉称号认定名单)."""
    from industry_brain.ingest.models import ImportBatch, Record

    stmt = (
        select(Record.credit_code, Record.title, Record.title_year)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(ImportBatch.status == "active", Record.title.is_not(None), Record.credit_code.is_not(None))
    )
    return pl.DataFrame(session.execute(stmt).all(), schema=TITLE_SCHEMA, orient="row").unique()


def definitions_frame(clusters: Mapping[str, Cluster] | None = None) -> pl.DataFrame:
    """(cluster_id, industry_prefix) of the catalogue's clusters (the shipped ones by default)."""
    rows = [(c.id, code) for c in (clusters or all_clusters()).values() for code in c.industries]
    return pl.DataFrame(rows, schema={"cluster_id": pl.String, "industry_prefix": pl.String}, orient="row")


def titled_frame(titles: pl.DataFrame, clusters: Mapping[str, Cluster] | None = None) -> pl.DataFrame:
    """(cluster_id, credit_code) for clusters that also take enterprises by title."""
    rows = [(c.id, t) for c in (clusters or all_clusters()).values() for t in c.titles]
    by_title = pl.DataFrame(rows, schema={"cluster_id": pl.String, "title": pl.String}, orient="row")
    return by_title.join(titles, on="title").select("cluster_id", "credit_code").unique()


def computed_values(
    facts: pl.DataFrame, pack: Pack, titles: pl.DataFrame, clusters: Mapping[str, Cluster] | None = None
) -> dict[str, dict[int, float]]:
    """{indicator id: {year: value}} for the pack's derivable indicators (DuckDB, in process);
    `clusters` are the catalogue's (plans.store.current_clusters), the shipped ones by default."""
    import ibis

    from industry_brain.evaluation.inputs import drop_facts, facts_table_name, to_backend
    from industry_brain.plans.derive import derive

    wanted = [i for i in pack.indicators if i.derive]
    if facts.is_empty() or not wanted:
        return {}
    con = ibis.duckdb.connect()
    name = facts_table_name()
    try:
        table = to_backend(facts, con, name)
        definitions = ibis.memtable(definitions_frame(clusters))
        titled_rows = titled_frame(titles, clusters)
        titled = ibis.memtable(titled_rows) if not titled_rows.is_empty() else None
        title_table = ibis.memtable(titles)
        result: dict[str, dict[int, float]] = {}
        for ind in wanted:
            assert ind.derive is not None
            expr = derive(
                table,
                ind.derive,
                cluster_id=ind.concerns.cluster,
                definitions=definitions,
                titled=titled,
                title=ind.concerns.title,
                titles=title_table,
            )
            rows = con.to_pyarrow(expr).to_pylist()
            result[ind.id] = {int(r["year"]): float(r["value"]) for r in rows if r["value"] is not None}
        return result
    finally:
        with contextlib.suppress(Exception):
            drop_facts(con, name)
        con.disconnect()
