"""The layers of DESIGN.md hold: a package imports only from the layers above it, core imports no
domain, and the analytic domains do not import each other except through the edges listed here,
each with its reason. A new edge fails this test until it is either removed or listed."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "industry_brain"
ANALYTIC = (
    "evaluation",
    "plans",
    "clusters",
    "cultivation",
    "projects",
    "policies",
    "requests",
    "monitoring",
)
# The lower the rank, the higher the layer: a package imports only from lower ranks (and itself).
RANK = {
    "core": 0,
    "reference": 1,
    "enterprises": 2,
    "ingest": 3,
    **{name: 4 for name in ANALYTIC},
    "reports": 5,
    "views": 6,
    "registry": 6,  # the platform assembled: every domain's tables and job kinds
    "job_kinds": 6,
    # the entry points, which may use each other (the CLI serves the web app and builds the demo)
    "web": 7,
    "cli": 7,
    "demo": 7,
    "migrations": 7,
}
# Shared by every analytic domain: the engine connections and the facts schema they register.
SHARED = ("industry_brain.evaluation.engines", "industry_brain.evaluation.inputs")
# A domain's command modules are renderers at the boundary, like the CLI itself.
RENDERERS = ("industry_brain.cli.support", "industry_brain.reports.tables")
# Edges between analytic domains that exist today, each with its reason; none may be added here
# without one.
KNOWN = {
    ("clusters/service.py", "industry_brain.plans.store"): "clusters are declared in the current plans",
    ("clusters/service.py", "industry_brain.plans.service"): "a cluster's targets are plan indicators",
    ("plans/derive.py", "industry_brain.clusters.analytics"): "derived indicators sum cluster output",
    ("plans/report.py", "industry_brain.clusters.service"): "the progress report's cluster table",
    ("projects/totals.py", "industry_brain.plans.store"): "projects are counted against plan targets",
    ("evaluation/files.py", "industry_brain.reports.tables"): "evaluate --output writes the results table",
    ("plans/actuals.py", "industry_brain.reports.tables"): "the actuals template is written as Excel",
    ("monitoring/indicators.py", "industry_brain.clusters.chain_service"): "areas: the chains' members",
    ("monitoring/indicators.py", "industry_brain.clusters.models"): "areas: the clusters' members",
    ("monitoring/indicators.py", "industry_brain.plans.store"): "areas: the plans' clusters",
    ("requests/attachments.py", "industry_brain.evaluation.evidence"): "one file store (debt)",
    ("requests/rules.py", "industry_brain.clusters.chains"): "a chain-wide problem goes to its 专班",
    ("requests/service.py", "industry_brain.clusters.chains"): "a chain-wide problem goes to its 专班",
    ("policies/record.py", "industry_brain.evaluation.models"): "a condition on the 亩均 grade",
    ("monitoring/alerts.py", "industry_brain.clusters.chains"): "a chain chief's alerts: its chain's",
    ("policies/sandbox.py", "industry_brain.clusters.service"): "the sandbox's diff by cluster",
    ("policies/sandbox.py", "industry_brain.cultivation.service"): "the sandbox's diff by tier; scope",
    ("policies/service.py", "industry_brain.cultivation.service"): "visible_codes (debt: to core.scope)",
    ("policies/service.py", "industry_brain.evaluation.models"): "a published run changes the grades",
}


def _imports(path: Path) -> set[str]:
    """Every industry_brain module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("industry_brain"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("industry_brain"))
    return found


def _allowed(rel: Path, module: str) -> bool:
    package, target = rel.parts[0].removesuffix(".py"), module.split(".")[1]
    if target == package or package not in RANK or target not in RANK:
        return True
    if RANK[target] < RANK[package] and not (package in ANALYTIC and target in ANALYTIC):
        return True
    if RANK[package] == RANK[target] == 7:
        return True
    if package in ANALYTIC and module.startswith(SHARED):
        return True
    command_module = rel.name == "cli.py" or rel.name.endswith("_cli.py")
    if command_module and module.startswith(RENDERERS):
        return True
    return (rel.as_posix(), module) in KNOWN


def test_every_import_goes_to_a_layer_above() -> None:
    wrong = sorted(
        f"{rel.as_posix()} imports {module}"
        for path in SRC.rglob("*.py")
        for rel in [path.relative_to(SRC)]
        for module in _imports(path)
        if module != "industry_brain" and not _allowed(rel, module)
    )
    assert not wrong, "\n".join(wrong)


def test_core_imports_no_domain() -> None:
    for path in (SRC / "core").rglob("*.py"):
        outside = {m for m in _imports(path) if m.split(".")[1:2] != ["core"] and m != "industry_brain"}
        assert not outside, f"{path.name}: {outside}"


def test_the_known_edges_still_exist() -> None:
    """A listed edge that is gone is taken off the list, so the list stays the debt that is left."""
    for rel, module in KNOWN:
        assert module in _imports(SRC / rel), f"{rel} no longer imports {module}: remove it from KNOWN"
