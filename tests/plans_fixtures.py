"""A small plan pack and its 'seed' for the plans tests, and the seed lookup the pack tests use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from industry_brain.plans.pack import seed_dir

SAMPLE_SEED = """
示例区制造业发展规划
三、发展目标
到2025年，全区规上工业总产值达到1200亿元，规上工业总产值760.5亿元（2020年）。
单位工业增加值能耗下降15%。高新技术产业增加值占比
    52.4
    60
规上工业企业 800 家，到2025年突破1000家。工业增加值翻一番。
完成上级下达的节能减排任务。
打造千亿级智能装备产业集群。
任务一：实施平台创优工程，牵头单位：区经信局。
"""

SAMPLE_PACK = """
id: sample-plan
title: 示例区制造业发展规划
area: {code: "330213", name: 奉化区}
period: {start: 2021, end: 2025}
baseline_year: 2020
source: {file: sample.txt, title: 示例区制造业发展规划}
version: 1
indicators:
  - id: output-above-scale
    name: 规上工业总产值
    category: 产业规模
    unit: 亿元
    direction: at_least
    baseline: {year: 2020, value: 760.5, quote: "规上工业总产值760.5亿元"}
    target: {year: 2025, value: 1200, quote: "到2025年，全区规上工业总产值达到1200亿元"}
    responsible: [区经信局]
    derive: output_above_scale
    where: 三、发展目标
  - id: energy-intensity-drop
    name: 单位工业增加值能耗下降
    category: 绿色发展
    unit: "%"
    direction: decrease_by
    change: percent
    target: {year: 2025, value: 15, quote: "单位工业增加值能耗下降15%"}
    responsible: [区发改局]
    where: 三、发展目标
  - id: hi-tech-share
    name: 高新技术产业增加值占比
    category: 创新能力
    unit: "%"
    direction: at_least
    baseline: {value: 52.4, quote: "高新技术产业增加值占比 52.4 60"}
    target: {value: 60, quote: "高新技术产业增加值占比 52.4 60"}
    responsible: [区科技局, 区经信局]
    table: 表1
    where: 三、发展目标
  - id: enterprises-above-scale
    name: 规上工业企业
    category: 企业主体
    unit: 家
    direction: at_least
    baseline: {value: 800, quote: "规上工业企业 800 家"}
    target: {value: 1000, quote: "到2025年突破1000家"}
    derive: count_above_scale
    where: 三、发展目标
  - id: value-added-double
    name: 工业增加值
    category: 产业规模
    unit: 亿元
    direction: increase_by
    change: times
    target: {value: 2, quote: "工业增加值翻一番"}
    where: 三、发展目标
  - id: energy-task
    name: 完成上级下达的节能减排任务
    category: 绿色发展
    direction: qualitative
    target: {quote: "完成上级下达的节能减排任务"}
    responsible: [区发改局]
    where: 三、发展目标
  - id: cluster-equipment
    name: 智能装备产业集群产值
    category: 产业集群
    unit: 亿元
    direction: at_least
    target: {value: 1000, quote: "打造千亿级智能装备产业集群"}
    concerns: {cluster: sample-plan/equipment}
    derive: cluster_output
    where: 三、发展目标
actuals:
  - {indicator: output-above-scale, year: 2020, value: 760.5, quote: "规上工业总产值760.5亿元"}
clusters:
  - id: sample-plan/equipment
    name: 智能装备
    group: "154"
    level: 千亿级
    industries: ["34", "351"]
    reason: 通用设备和专用设备
    quote: 打造千亿级智能装备产业集群
    version: 1
tasks:
  - id: task-01
    name: 实施平台创优工程
    lead_units: [区经信局]
    due: 2025
    quote: "任务一：实施平台创优工程，牵头单位：区经信局。"
"""


def write_sample(directory: Path, text: str = SAMPLE_PACK, name: str = "sample-plan") -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def seed_text_for_test(file_name: str) -> str:
    """The seed's text; skips when the seeds are absent, except under CI=true where it fails."""
    path = seed_dir() / file_name
    if not path.is_file():
        message = f"seed {path} not found (set INDUSTRY_BRAIN_SEEDS)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")
