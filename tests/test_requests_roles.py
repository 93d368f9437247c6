"""The chain_chief (链长) role: the users command takes it with its chain, refuses it without one
or with an unknown chain, and the scope it signs in with is that chain."""

from __future__ import annotations

from typer.testing import CliRunner

from industry_brain.cli.main import build_app
from industry_brain.core.auth import get_user, scope_of
from industry_brain.core.db import transaction
from industry_brain.core.scope import ROLES


def test_the_users_command_adds_a_chain_chief_with_its_chain(db_url, engine) -> None:  # type: ignore[no-untyped-def]
    assert "chain_chief" in ROLES
    runner, app = CliRunner(), build_app()
    base = ["users", "add", "chief", "--role", "chain_chief", "--password", "correct-horse-9", "--db", db_url]
    missing = runner.invoke(app, base)
    assert missing.exit_code == 2 and "需要产业链代码 (--chain)" in missing.output
    unknown = runner.invoke(app, [*base, "--chain", "nowhere-chain"])
    assert unknown.exit_code == 2 and "没有产业链“nowhere-chain”" in unknown.output
    added = runner.invoke(app, [*base, "--chain", "fenghua-auto-parts"])
    assert added.exit_code == 0, added.output
    with transaction(engine) as session:
        scope = scope_of(get_user(session, "chief"))
    assert (scope.role, scope.chain, scope.unit, scope.district_wide) == (
        "chain_chief",
        "fenghua-auto-parts",
        None,
        False,
    )
    assert scope.sees_enterprise(credit_code="913302130000000196", township_code="330213001") is False
