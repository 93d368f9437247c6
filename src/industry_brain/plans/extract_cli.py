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
    file: Annotated[Path, typer.Argument(help="规划文件 .txt 或 .docx (plan document)", show_default=False)],
    output: Annotated[
        Path | None, typer.Option("--output", help="把建议的规划包写入此 YAML 文件 (write the draft pack)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """从规划文本抽取指标目标，生成待人工确认的规划包草稿 (propose a plan pack)."""
    from industry_brain.plans.extract import extract, proposed_pack

    proposals = extract(file)
    if as_json:
        print_json({"file": file.name, "proposals": [dataclasses.asdict(p) for p in proposals]})
        return
    text = yaml.safe_dump(proposed_pack(file, proposals), allow_unicode=True, sort_keys=False, width=200)
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    tables = sum(p.kind == "table" for p in proposals)
    prose = len(proposals) - tables
    out.print(f"已写出 {output}：{len(proposals)} 项待确认目标（表格 {tables} 项，正文 {prose} 项）")
