"""A district's own policy files: `policies add` checks a file, runs its cases, shows who gains
and loses on the loaded record, asks, and keeps the file it replaces; the files then run beside
the shipped policies everywhere (CLI, service), and a broken one is refused, never skipped."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from industry_brain.cli.main import build_app
from test_policies_workflow import E, loaded  # noqa: F401  (the fixture: E1-E4 on the record)

SHIPPED = resources.files("industry_brain.policies") / "data" / "scale_up_reward.yaml"


def _variant(tmp_path: Path, name: str, *, version: int, growth: int) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace("version: 1\n", f"version: {version}\n", 1)
    text = text.replace("- {from: 2025-01-01, value: 15}", f"- {{from: 2025-01-01, value: {growth}}}", 1)
    assert f"value: {growth}}}" in text
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "district_policies"
    path.mkdir()
    monkeypatch.setenv("INDUSTRY_BRAIN_POLICIES_DIR", str(path))
    return path


def _cli(*args: str, input_: str | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(build_app(), list(args), input=input_)
    return res.exit_code, res.output.replace("\n", "")  # the console wraps long lines


def _match(db_url: str) -> dict[str, str]:
    code, out = _cli(
        "policies", "match", "--policy", "scale_up_reward", "--as-of", "2025-03-01", "--json", "--db", db_url
    )
    assert code == 0, out
    return {r["credit_code"]: r["result"] for r in json.loads(out)}


def test_a_lower_threshold_shows_who_gains_then_applies(loaded, db_url, folder, tmp_path):  # noqa: F811
    assert _match(db_url)[E[2]] == "not_eligible"  # E2 grew 10%, the shipped floor is 15%
    draft = _variant(tmp_path, "mine.yaml", version=2, growth=10)
    code, out = _cli("policies", "add", str(draft), "--as-of", "2025-03-01", "--db", db_url, input_="n\n")
    assert code == 2 and "新增符合 1 家，不再符合 0 家" in out and "未确认" in out
    assert not (folder / "scale_up_reward.yaml").exists()  # refused: nothing written
    code, out = _cli("policies", "add", str(draft), "--as-of", "2025-03-01", "--yes", "--db", db_url)
    assert code == 0, out
    assert "替换现行第 1 版" in out and "金额 20.00 → 30.00 万元（+10.00）" in out
    assert _match(db_url)[E[2]] == "eligible"
    code, out = _cli("policies", "list", "--json")
    (row,) = [r for r in json.loads(out) if r["id"] == "scale_up_reward"]
    assert (row["version"], row["source"]) == (2, "district")


def test_a_replaced_district_file_is_kept_and_versions_must_rise(loaded, db_url, folder, tmp_path):  # noqa: F811
    v2 = _variant(tmp_path, "v2.yaml", version=2, growth=10)
    assert _cli("policies", "add", str(v2), "--yes", "--db", db_url)[0] == 0
    code, out = _cli("policies", "add", str(v2), "--yes", "--db", db_url)
    assert code == 2 and "现行为第 2 版；新文件的 version 应大于 2" in out
    v3 = _variant(tmp_path, "v3.yaml", version=3, growth=12)
    code, out = _cli("policies", "add", str(v3), "--as-of", "2025-03-01", "--yes", "--json", "--db", db_url)
    assert code == 0, out
    got = json.loads(out)
    kept = Path(got["replaced"])
    assert kept.parent == folder / ".replaced" and "version: 2" in kept.read_text(encoding="utf-8")
    assert "version: 3" in (folder / "scale_up_reward.yaml").read_text(encoding="utf-8")
    assert got["replaces_shipped"] is True and got["change"]["lost"] == 1  # E2's 10% is below v3's 12%


def test_failing_cases_keep_the_file_out(db_url, folder, tmp_path):
    draft = _variant(tmp_path, "mine.yaml", version=2, growth=10)
    shipped_cases = resources.files("industry_brain.policies") / "data" / "tests" / "scale_up_reward.yaml"
    cases = tmp_path / "cases.yaml"
    cases.write_text(shipped_cases.read_text(encoding="utf-8"), encoding="utf-8")
    code, out = _cli("policies", "add", str(draft), "--cases", str(cases), "--yes", "--db", db_url)
    assert code == 2 and "测试用例未通过" in out  # the shipped cases pin the 15% floor
    assert not any(folder.glob("*.yaml"))


def test_a_broken_district_file_is_refused_with_its_line(folder):
    (folder / "bad.yaml").write_text("id: x\nversion: 1\nname: 示例\ncolour: red\n", encoding="utf-8")
    code, out = _cli("policies", "list")
    assert code == 2 and "bad.yaml:4" in out and "colour" in out


def test_without_the_setting_add_says_which_to_set(tmp_path, monkeypatch, db_url):
    monkeypatch.delenv("INDUSTRY_BRAIN_POLICIES_DIR", raising=False)
    draft = _variant(tmp_path, "mine.yaml", version=2, growth=10)
    code, out = _cli("policies", "add", str(draft), "--yes", "--db", db_url)
    assert code == 2 and "INDUSTRY_BRAIN_POLICIES_DIR" in out
