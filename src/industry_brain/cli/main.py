"""The `industry-brain` command: every domain's commands on one Typer app."""

from __future__ import annotations

from typing import Any

import typer

from industry_brain import __version__


def build_app() -> typer.Typer:
    from industry_brain.cli.jobs import jobs_app
    from industry_brain.cli.users import users_app
    from industry_brain.clusters.chain_cli import chains_app
    from industry_brain.clusters.cli import clusters_app
    from industry_brain.commitments.cli import commitments_app
    from industry_brain.cultivation.cli import pools_app, tiers_app
    from industry_brain.demo.cli import demo_command
    from industry_brain.evaluation.cli import evaluate_command, methods_app
    from industry_brain.evaluation.report_cli import report_app
    from industry_brain.evaluation.workflow_cli import workflow_app
    from industry_brain.ingest.cli import batches_app, import_command, rejects_command
    from industry_brain.ingest.facts_cli import conflicts_command, export_app
    from industry_brain.monitoring.cli import monitoring_app
    from industry_brain.plans.cli import actuals_app, plans_app
    from industry_brain.plans.extract_cli import extract_command
    from industry_brain.plans.pack_cli import pack_app
    from industry_brain.plans.report_cli import report_command
    from industry_brain.policies.cli import policies_app
    from industry_brain.policies.workflow_cli import policies_app as _  # noqa: F401 (registers)
    from industry_brain.projects.cli import projects_app
    from industry_brain.requests.cli import requests_app
    from industry_brain.web.cli import serve_command

    wrap_help_text()
    app = typer.Typer(
        name="industry-brain",
        help="产业大脑 industry-brain：企业数据归集、亩均评价、规划指标跟踪。",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.command("import")(import_command)
    app.add_typer(batches_app, name="batches")
    app.command("rejects")(rejects_command)
    app.command("conflicts")(conflicts_command)
    app.add_typer(export_app, name="export")
    app.command("evaluate")(evaluate_command)
    app.add_typer(methods_app, name="methods")
    evaluation_app = typer.Typer(
        help="评价批次：公示、申诉、复核、终审 (evaluation runs)", no_args_is_help=True
    )
    evaluation_app.registered_commands.extend(workflow_app.registered_commands)
    evaluation_app.registered_commands.extend(report_app.registered_commands)
    app.add_typer(evaluation_app, name="evaluation")
    plans_group = typer.Typer(help=plans_app.info.help, no_args_is_help=True)
    plans_group.registered_commands.extend(plans_app.registered_commands)
    plans_group.command("report")(report_command)
    plans_group.command("extract")(extract_command)
    plans_group.registered_commands.extend(pack_app.registered_commands)
    app.add_typer(plans_group, name="plans")
    app.add_typer(actuals_app, name="actuals")
    app.add_typer(clusters_app, name="clusters")
    app.add_typer(chains_app, name="chains")
    app.add_typer(tiers_app, name="tiers")
    app.add_typer(pools_app, name="pools")
    app.add_typer(projects_app, name="projects")
    app.add_typer(requests_app, name="requests")
    app.add_typer(policies_app, name="policies")
    app.add_typer(commitments_app, name="commitments")
    app.add_typer(users_app, name="users")
    app.command("serve")(serve_command)
    app.add_typer(jobs_app, name="jobs")
    app.add_typer(monitoring_app, name="monitoring")
    app.command("demo")(demo_command)

    @app.command("version")
    def version() -> None:
        """显示版本 (show the version)."""
        typer.echo(__version__)

    return app


def wrap_help_text() -> None:
    """Make --help wrap Chinese instead of cutting it with "…".

    Typer prints help through Rich tables whose columns crop a word wider than the column with
    an ellipsis; a run of Chinese has no spaces, so to Rich it is one long word and an
    80-column terminal lost the end of most option help. Text that folds instead is wrapped at
    any character. Typer has no setting for this, so its text factory is wrapped once."""
    from typer import rich_utils

    make = rich_utils._make_rich_text
    if getattr(make, "folds", False):
        return

    def folding(*args: Any, **kwargs: Any) -> Any:
        text = make(*args, **kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    folding.folds = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = folding


def main() -> None:
    build_app()()
