"""A policy's test cases (policies/data/tests/<id>.yaml, docs/policies.md “测试用例”): inputs,
the date, the expected result and amount. `run_cases` evaluates them on an engine and returns
what disagrees, so the suite (and `policies check`) shows a policy doing what its text says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from industry_brain.core.errors import IndustryBrainError
from industry_brain.policies.engine import TITLE_SCHEMA, evaluate
from industry_brain.policies.format import Policy, PolicyError


@dataclass(frozen=True)
class Case:
    name: str
    as_of: dt.date
    record: dict[str, Any]
    titles: tuple[tuple[str, str, int], ...]
    result: str  # or "not_in_force": no match at all
    amount_wan: float | None


def parse_cases(text: str, file: str) -> tuple[str, list[Case]]:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) != {"policy", "cases"}:
        raise PolicyError(file, 1, "测试用例文件应有且只有 policy 与 cases 两个键")
    out = []
    for i, c in enumerate(data["cases"]):
        if set(c) - {"name", "as_of", "record", "titles", "expect"} or "expect" not in c:
            raise PolicyError(file, 1, f"cases[{i}]：键应为 name as_of record titles expect")
        titles = tuple((t["title"], t["level"], int(t["year"])) for t in c.get("titles") or [])
        out.append(
            Case(
                str(c["name"]),
                c["as_of"],
                dict(c.get("record") or {}),
                titles,
                c["expect"]["result"],
                c["expect"].get("amount_wan"),
            )
        )
    return str(data["policy"]), out


def shipped_cases() -> dict[str, list[Case]]:
    folder = resources.files("industry_brain.policies") / "data" / "tests"
    found: dict[str, list[Case]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            pid, cases = parse_cases(entry.read_text(encoding="utf-8"), entry.name)
            found.setdefault(pid, []).extend(cases)
    return found


def run_cases(
    policy: Policy, cases: list[Case], *, engine: str = "duckdb", postgres_url: str | None = None
) -> list[str]:
    """The cases whose result or amount differs from what was expected, one line each."""
    failures = []
    by_date: dict[dt.date, list[tuple[int, Case]]] = {}
    for i, c in enumerate(cases):
        by_date.setdefault(c.as_of, []).append((i, c))
    for day, group in by_date.items():
        year = policy.figures_year_for(day)
        rows = [{**c.record, "credit_code": f"CASE{i}", "name": c.name, "year": year} for i, c in group]
        titles = pl.DataFrame(
            [(f"CASE{i}", t, lv, y) for i, c in group for t, lv, y in c.titles],
            schema=TITLE_SCHEMA,
            orient="row",
        )
        got = evaluate(
            [policy],
            pl.DataFrame(rows, infer_schema_length=None),
            titles,
            as_of=day,
            engine=engine,
            postgres_url=postgres_url,
        )
        by_code = {r["credit_code"]: r for r in got.to_dicts()}
        for i, c in group:
            row = by_code.get(f"CASE{i}")
            result = row["result"] if row else "not_in_force"
            amount = row["amount_wan"] if row else None
            ok_amount = c.amount_wan is None or (amount is not None and abs(amount - c.amount_wan) < 1e-9)
            if result != c.result or not ok_amount:
                failures.append(
                    f"{policy.id} / {c.name}：应为 {c.result} {c.amount_wan}，得到 {result} {amount}"
                )
    return failures


def run_case_file(policy: Policy, path: Path) -> tuple[int, list[str]]:
    """Run a test-case file (YAML) against `policy`: how many cases, and the failing ones; a
    file written for another policy is refused."""
    pid, found = parse_cases(path.read_text(encoding="utf-8"), path.name)
    if pid != policy.id:
        raise IndustryBrainError(f"{path.name}: 测试用例属于政策“{pid}”，不是“{policy.id}”")
    return len(found), run_cases(policy, found)
