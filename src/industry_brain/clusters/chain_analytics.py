"""A chain's figures as Ibis expressions: facts in, tables out, alike on every Ibis backend.

Pure: no I/O. Inputs are Ibis tables:
- facts: credit_code, name, industry_code, township_code, year, output_wan (one row per
  enterprise and year; the year asked for and the year before);
- node_classes: node_id, industry_code; node_keywords: node_id, keyword (from the chain file);
- overrides: node_id, credit_code, action ('add' | 'remove'), the newest word per pair.
docs/chains.md states every rule and parameter in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir


@dataclass(frozen=True)
class ChainParams:
    """The documented parameters of the chain figures (docs/chains.md, "Parameters")."""

    top_n: int = 3  # concentration: share of a node's output held by its N largest enterprises
    leader_top_n: int = 3  # 链主: at most this many enterprises, largest chain output first
    leader_min_share: float = 0.05  # 链主: each holds at least this share of the chain's output
    weak_min_enterprises: int = 3  # gap: a node with fewer enterprises than this is weak
    weak_max_share: float = 0.05  # gap: a node with less than this share of chain output is weak


def membership(
    facts: ir.Table, node_classes: ir.Table, node_keywords: ir.Table, overrides: ir.Table, *, year: int
) -> ir.Table:
    """credit_code, name, township_code, node_id, basis: who sits on which node in `year`.

    basis is 'class' (industry code is one of the node's classes), 'keyword' (the name contains
    one of its keywords) or 'confirmed' (an analyst added the enterprise). An analyst's
    'remove' takes the enterprise off the node whatever matched."""
    f = facts.filter(facts.year == year).select("credit_code", "name", "township_code", "industry_code")
    by_class = f.join(node_classes, "industry_code").select(
        "credit_code", "node_id", basis=ibis.literal("class")
    )
    pairs = f.cross_join(node_keywords)
    by_word = pairs.filter(pairs.name.contains(pairs.keyword)).select(
        "credit_code", "node_id", basis=ibis.literal("keyword")
    )
    # 'class' sorts before 'keyword': a class match is the stated basis when both hold.
    auto = by_class.union(by_word).group_by("credit_code", "node_id").agg(basis=lambda t: t.basis.min())
    said = overrides.select("credit_code", "node_id", "action")
    auto = auto.anti_join(said, ["credit_code", "node_id"])
    added = said.filter(said.action == "add").select(
        "credit_code", "node_id", basis=ibis.literal("confirmed")
    )
    members = auto.union(added)
    return members.join(f.select("credit_code", "name", "township_code"), "credit_code")


def _figures(facts: ir.Table, year: int) -> ir.Table:
    cur = facts.filter(facts.year == year).select("credit_code", output=facts.output_wan.cast("float64"))
    prev = facts.filter(facts.year == year - 1).select(
        "credit_code", output_prev=facts.output_wan.cast("float64")
    )
    return cur.left_join(prev, "credit_code").select("credit_code", "output", "output_prev")


def member_figures(members: ir.Table, facts: ir.Table, *, year: int) -> ir.Table:
    """The members with their output this year and last year, ranked within their node
    (largest output first, then credit code, so ties are ordered the same way everywhere)."""
    t = members.join(_figures(facts, year), "credit_code")
    rank = ibis.row_number().over(
        group_by="node_id", order_by=[ibis.desc(t.output.fill_null(0)), t.credit_code]
    )
    node_total = t.output.sum().over(group_by="node_id")
    share = ibis.ifelse(node_total > 0, t.output / node_total, ibis.null("float64"))
    return t.mutate(node_rank=rank + 1, node_share=share)


def node_figures(
    members: ir.Table, facts: ir.Table, nodes: ir.Table, *, year: int, params: ChainParams
) -> ir.Table:
    """One row per node (nodes: node_id, seq): enterprises, output, growth, HHI, top-N share,
    share of the chain's output, and its gap status (present | weak | missing)."""
    m = member_figures(members, facts, year=year)
    per = m.group_by("node_id").agg(
        enterprises=m.credit_code.nunique(),
        output_wan=m.output.sum(),
        output_prev_wan=m.output_prev.sum(),
        hhi=(m.node_share * m.node_share).sum(),
        top_n_output=ibis.ifelse(m.node_rank <= params.top_n, m.output, 0.0).sum(),
    )
    t = nodes.left_join(per, "node_id").select(nodes, *[per[c] for c in per.columns if c != "node_id"])
    chain_total = _chain_output(m)
    t = t.cross_join(chain_total)
    enterprises = t.enterprises.fill_null(0)
    output = t.output_wan
    positive = output.notnull() & (output > 0)
    growth = ibis.ifelse(
        t.output_prev_wan.notnull() & (t.output_prev_wan > 0),
        output.fill_null(0) / t.output_prev_wan - 1,
        ibis.null("float64"),
    )
    share = ibis.ifelse(
        t.chain_output_wan > 0, output.fill_null(0) / t.chain_output_wan, ibis.null("float64")
    )
    status = ibis.cases(
        (enterprises == 0, "missing"),
        (enterprises < params.weak_min_enterprises, "weak"),
        (share.fill_null(0) < params.weak_max_share, "weak"),
        else_="present",
    )
    return t.select(
        "node_id",
        "seq",
        enterprises=enterprises,
        output_wan=output,
        output_prev_wan=t.output_prev_wan,
        growth=growth,
        hhi=ibis.ifelse(positive, t.hhi, ibis.null("float64")),
        top_n_share=ibis.ifelse(positive, t.top_n_output / output, ibis.null("float64")),
        chain_share=share,
        status=status,
    ).order_by("seq")


def _chain_output(m: ir.Table) -> ir.Table:
    """The chain's output, each enterprise counted once even if it sits on two nodes."""
    once = m.select("credit_code", "output").distinct()
    return once.aggregate(chain_output_wan=once.output.sum())


def leaders(members: ir.Table, facts: ir.Table, *, year: int, params: ChainParams) -> ir.Table:
    """链主: the chain's enterprises by output (each once), the top `leader_top_n` of them that
    each hold at least `leader_min_share` of the chain's output."""
    m = member_figures(members, facts, year=year)
    per = m.group_by("credit_code", "name", "township_code").agg(
        output_wan=m.output.max(), nodes=m.node_id.nunique()
    )
    total = per.output_wan.sum().over()
    rank = ibis.row_number().over(order_by=[ibis.desc(per.output_wan.fill_null(0)), per.credit_code])
    t = per.mutate(
        rank=rank + 1,
        chain_share=ibis.ifelse(total > 0, per.output_wan / total, ibis.null("float64")),
    )
    return t.filter(
        (t.rank <= params.leader_top_n) & (t.chain_share.fill_null(0) >= params.leader_min_share)
    ).order_by("rank")
