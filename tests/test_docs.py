"""Docs that cannot drift: every command, option, setting, field, alias and source is documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.core import TyperArgument, TyperOption

from industry_brain.cli.main import build_app
from industry_brain.core.settings import ENV_PREFIX, Settings
from industry_brain.core.units import known_units
from industry_brain.ingest.templates import FIELDS, PRECEDENCE, SOURCES, TEMPLATES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _cli_reference() -> str:
    """docs/cli.md and the per-domain parts it links to (docs/cli-*.md), as one text."""
    parts = [DOCS / "cli.md", *sorted(DOCS.glob("cli-*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in parts)


def _commands() -> list[tuple[str, Any]]:
    """Every command, with its full name; groups are walked to any depth (monitoring rules list)."""

    def walk(prefix: str, group: Any) -> list[tuple[str, Any]]:
        found: list[tuple[str, Any]] = []
        for name, cmd in group.commands.items():
            full = f"{prefix} {name}".strip()
            found += walk(full, cmd) if hasattr(cmd, "commands") else [(full, cmd)]
        return found

    return walk("", typer.main.get_command(build_app()))


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_and_option_is_in_the_cli_reference(name: str, command: Any) -> None:
    text = _cli_reference()
    assert f"## `industry-brain {name}" in text, f"docs/cli.md has no section for {name}"
    section = text.split(f"## `industry-brain {name}", 1)[1].split("\n## ", 1)[0]
    for param in command.params:
        if isinstance(param, TyperOption):
            for opt in param.opts:
                if opt != "--help":
                    assert f"`{opt}" in section, f"{name}: option {opt} is not in docs/cli.md"
        elif isinstance(param, TyperArgument):
            assert f"`{param.name.upper()}" in section, f"{name}: argument {param.name} undocumented"


def test_every_documented_command_exists() -> None:
    text = _cli_reference()
    documented = set(re.findall(r"^## `industry-brain ([a-z -]+?)(?: [A-Z_]+)*`", text, re.M))
    assert documented == {name for name, _ in _commands()}


def test_every_setting_is_documented_with_its_variable_and_default() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(Settings):
        row = next((line for line in text.splitlines() if line.startswith(f"| `{f.name}` |")), None)
        assert row, f"setting {f.name} is not in docs/settings.md"
        assert f"`{ENV_PREFIX}{f.name.upper()}`" in row
        default = str(f.default).split(".0")[0].replace(",", "")  # "7000,10,10" as "7000,10,10"
        assert default in row.replace(",", ""), f"default of {f.name}"  # 536,870,912 as 536870912


def test_every_source_template_field_alias_and_unit_is_documented() -> None:
    text = (DOCS / "sources.md").read_text(encoding="utf-8")
    for source in SOURCES:
        assert f"`{source}`" in text
    for t in TEMPLATES:
        assert f"### `{t.name}`: {t.title}" in text
        section = text.split(f"### `{t.name}`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        for name in t.fields:
            assert f"`{name}`" in section, f"template {t.name} lacks {name} in docs"
    for f in FIELDS:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{f.name}` | {f.header} |"))
        for alias in f.aliases:
            assert alias in row, f"alias {alias} of {f.name} is not documented"
        if f.dimension:
            for unit in known_units(f.dimension):
                assert unit in row, f"unit {unit} of {f.name} is not documented"
    for figure, order in PRECEDENCE.items():
        assert f"| `{figure}` | {' > '.join(order)} |" in text


def test_readme_quick_start_names_the_two_scripts_and_ci_calls_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "./scripts/demo.sh" in quick and "./scripts/test.sh" in quick
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_doc_the_readme_links_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link


def test_generated_source_tables_are_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "gen_sources_doc.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = (DOCS / "sources.md").read_text(encoding="utf-8")
    assert gen.render(text) == text, "run: uv run python scripts/gen_sources_doc.py"


def test_every_api_route_is_documented(settings: Settings) -> None:
    """Each route of the JSON API (as /openapi.json lists it) is named in docs/, its path
    parameters in any spelling ({id} for {request_id})."""
    from industry_brain.web.app import create_app

    paths = create_app(settings).openapi()["paths"]

    def norm(text: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", text)

    docs = norm("".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")))
    missing = [f"{m.upper()} {p}" for p, ops in paths.items() for m in ops if norm(p) not in docs]
    assert missing == []
