"""Rewrite the generated tables of docs/sources.md from ingest/templates.py.

uv run python scripts/gen_sources_doc.py   (tests/test_docs.py fails while they differ)
"""

from __future__ import annotations

import sys
from pathlib import Path

from industry_brain.core.units import known_units
from industry_brain.ingest.templates import FIELD_BY_NAME, FIELDS, PRECEDENCE, TEMPLATES, Field, Kind

DOC = Path(__file__).resolve().parents[1] / "docs" / "sources.md"
BEGIN, END = "<!-- generated from templates.py: begin -->", "<!-- generated from templates.py: end -->"


def tables() -> str:
    out = ["## The templates", ""]
    for t in TEMPLATES:
        key = " + ".join(f"`{k}`" for k in t.key)
        out += [
            f"### `{t.name}`: {t.title}（{t.department}）",
            "",
            f"Source `{t.source}`; period: `{t.period.value}`; a row is identified by {key} "
            "(and its period).",
            "",
            "| column (standard header) | field | required |",
            "|---|---|---|",
        ]
        out += [
            f"| {FIELD_BY_NAME[n].template_header} | `{n}` | {'yes' if n in t.required else ''} |"
            for n in t.fields
        ]
        out.append("")
    out += [
        "## Fields, aliases and units",
        "",
        "| field | standard header | aliases accepted | canonical unit | units accepted in brackets "
        "| may be negative | plausible range (beyond: a reject) |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in FIELDS:
        units = "、".join(known_units(f.dimension)) if f.dimension else ""
        neg = "" if f.kind is not Kind.quantity else ("no" if f.nonnegative else "yes")
        out.append(
            f"| `{f.name}` | {f.header} | {'、'.join(f.aliases)} | {f.unit or ''} | {units} | {neg} "
            f"| {_range(f)} |"
        )
    out += ["", "## Precedence between sources", "", "| figure | sources, first wins |", "|---|---|"]
    out += [f"| `{k}` | {' > '.join(v)} |" for k, v in PRECEDENCE.items()]
    return "\n".join(out)


def _range(f: Field) -> str:
    if f.bounds:
        low, high = f.bounds
        return f"{low:,.0f} to {high:,.0f} {f.unit}"
    if f.window:
        late = "" if f.window.future else ", not after today"
        return f"from {f.window.earliest.isoformat()}{late}; before {f.window.usual.year}: a warning"
    return ""


def render(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{tables()}\n{END}{tail}"


if __name__ == "__main__":
    current = DOC.read_text(encoding="utf-8")
    DOC.write_text(render(current), encoding="utf-8")
    sys.stdout.write("docs/sources.md: tables regenerated\n")
