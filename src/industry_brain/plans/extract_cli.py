"""Command: propose a plan pack from a plan document (registered by the lead as `plans extract`)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml

from industry_brain.cli.support import JsonOption, friendly_errors, out, print_json


@friendly_errors
def extract_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="规划、政府工作报告或统计公报 .txt、.docx 或 .pdf (document)", show_default=False
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", help="把建议的规划包写入此 YAML 文件 (write the draft pack)")
    ] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="文件的年份，用于换算“今年”“明年”“力争5年”等相对日期；默认取文中日期"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """从规划、报告或统计公报抽取指标目标与实绩，生成待人工确认的规划包草稿 (propose a plan pack)."""
    from industry_brain.plans.extract import extract, proposed_pack

    proposals = extract(file, year=year)
    why = None if proposals else _nothing_found(file, year)
    if as_json:
        print_json({"file": file.name, "proposals": [dataclasses.asdict(p) for p in proposals], "why": why})
        return
    if why is not None:
        out.print(f"{file.name}：未找到任何目标。{why}", highlight=False)
        raise typer.Exit(1)
    text = yaml.safe_dump(proposed_pack(file, proposals), allow_unicode=True, sort_keys=False, width=200)
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    targets = [p for p in proposals if p.figure == "target"]
    tables = sum(p.kind == "table" for p in targets)
    actuals = len(proposals) - len(targets)
    out.print(
        f"已写出 {output}：{len(targets)} 项待确认目标（表格 {tables} 项，正文 {len(targets) - tables} 项），"
        f"{actuals} 项文中实绩",
        highlight=False,
    )


def _nothing_found(file: Path, year: int | None) -> str:
    """Why a document gave no target, in words the user can act on."""
    from industry_brain.plans.extract import read_document
    from industry_brain.plans.extract_shapes import document_year

    paragraphs, tables = read_document(file)
    hints = []
    if year is None and document_year(paragraphs) is None:
        hints.append(
            "文中没有“到20XX年”等目标年份，也找不到文件日期；"
            "如用“今年”“力争5年”等相对日期，请用 --year 给出文件年份"
        )
    if not tables:
        hints.append("没有识别出指标表（支持 Word 表格、制表符单元格、“ | ”分隔的单元格）")
    hints.append("目标句须含指标名、动词（达到、突破、增长、下降、控制在等）和带单位的数值")
    return "；".join(hints) + "。"
