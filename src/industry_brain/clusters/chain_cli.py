"""Commands: list chains, show one with its figures, its gaps, whom to attract, and confirm or
correct an enterprise on a node. The CLI acts as Scope.system()."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    friendly_errors,
    out,
    print_json,
    settings_for,
)
from industry_brain.core.scope import Scope

chains_app = typer.Typer(
    help="产业链：节点、企业、链主、缺链补链、招商 (industrial chains)", no_args_is_help=True
)

ChainArg = Annotated[str, typer.Argument(help="产业链标识 (chain id, see `chains list`)")]
# The options of an attraction list, shared by `chains attract` and `clusters attract`.
ReferenceOption = Annotated[
    Path | None,
    typer.Option("--reference", help="参照矩阵 CSV（area,industry,value）；不给则以本区各镇街为地区"),
]
AreaOption = Annotated[
    str | None, typer.Option("--area", help="只列这一个地区（镇街代码或参照文件中的地区名）")
]
LevelOption = Annotated[int, typer.Option("--level", help="行业层级位数：4 小类，3 中类，2 大类")]
AttractOutputOption = Annotated[Path | None, typer.Option("--output", help="招商清单写出为 xlsx/csv")]
YearOption = Annotated[
    int | None, typer.Option("--year", help="数据年度；默认取最新导入年度 (data year)", show_default=False)
]
STATUS_NAMES = {"present": "有", "weak": "薄弱", "missing": "缺失"}


def _num(value: Any, fmt: str = ",.0f") -> str:
    return "" if value is None else format(value, fmt)


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:.1%}"


@chains_app.command("list")
@friendly_errors
def chains_list_command(as_json: JsonOption = False) -> None:
    """列出已提供的产业链及其来源 (list the shipped chains and their sources)."""
    from industry_brain.clusters.chain_service import list_chains

    chains = list_chains()
    if as_json:
        print_json(chains)
        return
    table = Table("标识", "名称", "范围", "版本", "节点", "来源")
    for c in chains:
        table.add_row(
            c["id"], c["name"], c["scope"], str(c["version"]), str(c["nodes"]), c["source"]["document"]
        )
    out.print(table)


def _year(session: Any, year: int | None) -> int:
    from industry_brain.clusters.chain_service import latest_year

    return year if year is not None else latest_year(session)


@chains_app.command("show")
@friendly_errors
def chains_show_command(
    id: ChainArg, year: YearOption = None, as_json: JsonOption = False, db: DbOption = None
) -> None:
    """产业链各节点的企业、产值、增速、集中度与链主 (nodes, figures, leaders of a chain)."""
    from industry_brain.clusters.chain_service import show_chain

    settings = settings_for(db)
    with boundary(settings) as session:
        view = show_chain(
            session, chain_id=id, year=_year(session, year), scope=Scope.system(), settings=settings
        )
    if as_json:
        print_json(view)
        return
    c = view["chain"]
    out.print(f"[bold]{c['name']}[/bold]（{c['id']} 第 {c['version']} 版，{c['scope']}）{view['year']} 年")
    out.print(f"来源：{c['source']['document']}：“{c['source']['quote']}”", highlight=False)
    table = Table("节点", "环节", "企业数", "产值(万元)", "增速", "HHI", "前3占比", "占全链", "状况")
    for n in view["nodes"]:
        table.add_row(
            f"{n['name']} ({n['node_id']})",
            n["stage_name"],
            str(n["enterprises"]),
            _num(n["output_wan"]),
            _pct(n["growth"]),
            _num(n["hhi"], ".3f"),
            _pct(n["top_n_share"]),
            _pct(n["chain_share"]),
            STATUS_NAMES[n["status"]],
        )
    out.print(table)
    for leader in view["leaders"]:
        out.print(
            f"链主 {leader['rank']}：{leader['name']}（{leader['credit_code']}）"
            f"产值 {_num(leader['output_wan'])} 万元，占全链 {_pct(leader['chain_share'])}",
            highlight=False,
        )


@chains_app.command("gaps")
@friendly_errors
def chains_gaps_command(
    id: ChainArg, year: YearOption = None, as_json: JsonOption = False, db: DbOption = None
) -> None:
    """缺失或薄弱的节点及原因 (nodes with no or weak local presence)."""
    from industry_brain.clusters.chain_service import chain_gaps

    settings = settings_for(db)
    with boundary(settings) as session:
        gaps = chain_gaps(
            session, chain_id=id, year=_year(session, year), scope=Scope.system(), settings=settings
        )
    if as_json:
        print_json(gaps)
        return
    if not gaps:
        out.print("各节点均有本地企业 (no gaps)")
        return
    table = Table("节点", "环节", "状况", "企业数", "原因", "行业小类")
    for g in gaps:
        table.add_row(
            f"{g['name']} ({g['node_id']})",
            g["stage_name"],
            STATUS_NAMES[g["status"]],
            str(g["enterprises"]),
            g["reason"],
            " ".join(g["classes"]),
        )
    out.print(table)


@chains_app.command("attract")
@friendly_errors
def chains_attract_command(
    id: ChainArg,
    year: YearOption = None,
    reference: ReferenceOption = None,
    area: AreaOption = None,
    level: LevelOption = 4,
    output: AttractOutputOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """按关联密度排序的招商清单 (rank the industries to attract by relatedness)."""
    from industry_brain.clusters.chain_service import attract

    settings = settings_for(db)
    with boundary(settings) as session:
        frame, inputs = attract(
            session,
            chain_id=id,
            year=_year(session, year),
            scope=Scope.system(),
            settings=settings,
            reference=reference,
            area=area,
            level=level,
        )
    render_attraction(frame, inputs, label=inputs["chain_id"], output=output, as_json=as_json)


def render_attraction(
    frame: Any, inputs: dict[str, Any], *, label: str, output: Path | None, as_json: bool
) -> None:
    """Print an attraction list (chains attract, clusters attract) and write it to `output`."""
    from industry_brain.reports.tables import write_table

    if output is not None:
        digest = inputs["matrix_sha256"][:12]
        title = f"{label} 招商清单（{inputs['year']} 年，矩阵校验值 {digest}）"
        from industry_brain.clusters.attract import for_excel

        written = for_excel(frame) if output.suffix.lower() == ".xlsx" else frame
        write_table(written, output, sheet="招商清单", title=title)
    if as_json:
        print_json({"inputs": inputs, "candidates": frame.to_dicts()})
        return
    out.print(
        f"{label} {inputs['year']} 年：{inputs['areas']} 个地区 × "
        f"{inputs['industries']} 个行业，"
        f"矩阵校验值 {inputs['matrix_sha256'][:12]}",
        highlight=False,
    )
    table = Table("地区", "名次", "行业", "节点", "RCA", "关联密度", "PCI", "相关优势行业")
    for r in frame.to_dicts():
        table.add_row(
            r["area"],
            str(r["rank"]),
            f"{r['industry']} {r['industry_name']}",
            r["node_name"],
            _num(r["rca"], ".2f"),
            _num(r["density"], ".3f"),
            _num(r["pci"], ".2f"),
            r["related_industries"],
        )
    out.print(table)
    if output is not None:
        out.print(f"已写出到 {output}")


@chains_app.command("confirm")
@friendly_errors
def chains_confirm_command(
    id: ChainArg,
    node: Annotated[str, typer.Argument(help="节点标识 (node id)")],
    credit_code: Annotated[str, typer.Argument(help="统一社会信用代码 (credit code)")],
    remove: Annotated[bool, typer.Option("--remove", help="从节点移除（否则确认加入）")] = False,
    by: Annotated[str | None, typer.Option("--by", help="确认人 (who says so)")] = None,
    note: Annotated[str | None, typer.Option("--note", help="说明 (why)")] = None,
    db: DbOption = None,
) -> None:
    """分析员确认或纠正企业所在节点 (confirm or correct an enterprise on a node)."""
    from industry_brain.clusters.chain_service import confirm

    settings = settings_for(db)
    with boundary(settings) as session:
        row = confirm(
            session,
            chain_id=id,
            node_id=node,
            credit_code=credit_code,
            remove=remove,
            scope=Scope.system(),
            by=by,
            note=note,
        )
        action = "移除" if row.action == "remove" else "确认加入"
        out.print(f"已记录：{credit_code} {action} {id}/{node}（第 {row.chain_version} 版）")
