"""Users, sign-in, sessions, API tokens and the audit log as services and as `industry-brain users`,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from helpers import code
from industry_brain.cli.main import build_app
from industry_brain.core.auth import (
    SignInFailed,
    authenticate,
    create_demo_accounts,
    create_user,
    disable_user,
    issue_token,
    reset_password,
    revoke_token,
    scope_of,
    search_audit,
    start_session,
    verify_token,
)
from industry_brain.core.auth_models import AuthSession, SignInCounter, User
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings

PASSWORD = "a-long-password"


def _sign_in(
    engine: Engine, settings: Settings, username: str, password: str, address: str = "10.0.0.1"
) -> User:
    """One sign-in in its own transaction, committed even when it fails (as the web boundary does)."""
    with transaction(engine) as session:
        try:
            return authenticate(
                session, username=username, password=password, address=address, settings=settings
            )
        except SignInFailed as exc:
            failure = exc
    raise failure


def test_users_are_created_with_their_scope_and_a_hash_not_the_password(engine: Engine) -> None:
    with transaction(engine) as session:
        user = create_user(
            session, username="zhen", role="town", password=PASSWORD, township_code="330213001"
        )
        assert scope_of(user) == Scope(role="town", username="zhen", township_code="330213001")
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        ent = create_user(session, username="qiye", role="enterprise", password=PASSWORD, credit_code=code(5))
        assert scope_of(ent).credit_code == code(5)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "mayor"}, "未知角色"),
        ({"role": "town"}, "镇街代码"),
        ({"role": "town", "township_code": "33021300"}, "镇街代码"),
        ({"role": "department"}, "责任单位"),
        ({"role": "enterprise", "credit_code": "91330213000000000"}, "无效"),
        ({"role": "admin", "password": "short"}, "至少 8"),
        ({"role": "admin", "username": "bad name"}, "用户名"),
    ],
)
def test_users_with_an_incomplete_scope_or_a_weak_password_are_refused(
    engine: Engine, fields: dict[str, str], message: str
) -> None:
    args = {"username": "x1", "password": PASSWORD, **fields}
    with transaction(engine) as session, pytest.raises(ConfigurationError, match=message):
        create_user(session, **args)  # type: ignore[arg-type]


def test_sign_in_is_rate_limited_per_username_and_address_within_the_window(
    engine: Engine, settings: Settings
) -> None:
    settings = settings.replace(login_max_failures=2)
    with transaction(engine) as session:
        create_user(session, username="ana", role="analyst", password=PASSWORD)
    for _ in range(2):
        with pytest.raises(SignInFailed) as wrong:
            _sign_in(engine, settings, "ana", "wrong-password")
        assert not wrong.value.refused
    with pytest.raises(SignInFailed, match="次数过多") as refused:
        _sign_in(engine, settings, "ana", PASSWORD)
    assert refused.value.refused
    assert _sign_in(engine, settings, "ana", PASSWORD, address="10.0.0.2").username == "ana"
    # failures older than the window no longer count
    with transaction(engine) as session:
        session.execute(
            update(SignInCounter).values(window_start=SignInCounter.window_start - dt.timedelta(minutes=16))
        )
    assert _sign_in(engine, settings, "ana", PASSWORD).username == "ana"


def test_disabling_and_resetting_end_sessions_and_tokens(engine: Engine, settings: Settings) -> None:
    with transaction(engine) as session:
        user = create_user(session, username="lead", role="leader", password=PASSWORD)
        page = start_session(session, user=user, kind="page", settings=settings, address=None)
        api = issue_token(session, username="lead", name="oa")
    with transaction(engine) as session:
        assert verify_token(session, token=page, kinds=("page",)).username == "lead"  # type: ignore[union-attr]
        assert verify_token(session, token=page, kinds=("access", "api")) is None  # a cookie is not a bearer
        assert verify_token(session, token=api).username == "lead"  # type: ignore[union-attr]
        new = reset_password(session, username="lead")
    with transaction(engine) as session:
        assert verify_token(session, token=page) is None
        assert verify_token(session, token=api) is not None  # API tokens outlive a password reset
    assert _sign_in(engine, settings, "lead", new).username == "lead"
    with transaction(engine) as session:
        disable_user(session, username="lead")
    with transaction(engine) as session:
        assert verify_token(session, token=api) is None
    with pytest.raises(SignInFailed, match="用户名或密码错误"):
        _sign_in(engine, settings, "lead", new)


def test_expired_sessions_and_revoked_tokens_are_refused(engine: Engine, settings: Settings) -> None:
    with transaction(engine) as session:
        user = create_user(session, username="sys", role="analyst", password=PASSWORD)
        access = start_session(session, user=user, kind="access", settings=settings, address="1.2.3.4")
        token = issue_token(session, username="sys", name="bi")
        session.execute(update(AuthSession).values(expires_at=AuthSession.created_at))
        assert revoke_token(session, username="sys", name="bi") == 1
    with transaction(engine) as session:
        assert verify_token(session, token=access) is None
        assert verify_token(session, token=token) is None


def test_the_demo_gets_one_account_per_role_and_a_rerun_resets_them(
    engine: Engine, settings: Settings
) -> None:
    args = {"township_code": "330213001", "credit_code": code(7), "unit": "区经信局"}
    with transaction(engine) as session:
        first = create_demo_accounts(session, **args)
    assert [a["role"] for a in first] == ["admin", "analyst", "leader", "department", "town", "enterprise"]
    assert first[4]["scope"] == {"township_code": "330213001", "unit": None, "credit_code": None}
    with transaction(engine) as session:
        second = create_demo_accounts(session, **args)
    for a in second:
        assert _sign_in(engine, settings, a["username"], a["password"]).role == a["role"]
    with pytest.raises(SignInFailed):
        _sign_in(engine, settings, "admin", first[0]["password"])


def test_sign_ins_are_audited_and_the_log_is_searchable(engine: Engine, settings: Settings) -> None:
    with transaction(engine) as session:
        create_user(session, username="au", role="admin", password=PASSWORD)
    _sign_in(engine, settings, "au", PASSWORD)
    with pytest.raises(SignInFailed):
        _sign_in(engine, settings, "au", "nope-nope-nope")
    with transaction(engine) as session:
        entries = search_audit(session, username="au", action="sign_in")
        assert [e["action"] for e in entries] == ["sign_in_failed", "sign_in"]
        assert entries[0]["address"] == "10.0.0.1"
        assert search_audit(session, since=dt.datetime(2100, 1, 1)) == []


def test_the_users_commands_add_list_token_disable_and_search_the_audit_log(db_url: str) -> None:
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(build_app(), [*args, "--db", db_url])
        assert result.exit_code == 0, result.output
        return result.output

    added = run("users", "add", "zhang", "--role", "town", "--township", "330213002", "--generate")
    generated = added.split("shown once): ")[1].strip()
    listed = json.loads(run("users", "list", "--json"))
    assert listed[0]["username"] == "zhang" and listed[0]["township_code"] == "330213002"
    token = run("users", "token", "zhang", "--name", "gis").strip()
    assert token.startswith("ibt_") and generated not in run("users", "list")
    run("users", "disable", "zhang")
    reset = run("users", "reset", "zhang", "--password", "given-password-1")
    assert "given-password-1" not in reset
    audit = json.loads(run("users", "audit", "--action", "users.", "--json"))
    assert [e["action"] for e in audit] == ["users.reset", "users.disable", "users.token.issue", "users.add"]
    failed = runner.invoke(build_app(), ["users", "add", "li", "--role", "enterprise", "--db", db_url])
    assert failed.exit_code == 2 and "credit-code" in failed.output
    # The check character is checked where a person types the code.
    wrong = runner.invoke(
        build_app(),
        [
            "users",
            "add",
            "li",
            "--role",
            "enterprise",
            "--credit-code",
            "913302130000000001",
            "--generate",
            "--db",
            db_url,
        ],
    )
    assert wrong.exit_code == 2 and "无效" in wrong.output


def test_passwords_are_stored_only_as_hashes(engine: Engine) -> None:
    with transaction(engine) as session:
        create_user(session, username="h", role="admin", password=PASSWORD)
        stored = session.scalar(select(User.password_hash))
    assert stored and PASSWORD not in stored


def test_without_a_secret_key_one_is_generated_once_and_kept_in_the_database(
    engine: Engine, settings: Settings
) -> None:
    from industry_brain.core.auth import signing_key

    generated = signing_key(engine, settings)
    assert len(generated) == 64 and signing_key(engine, settings) == generated
    assert signing_key(engine, settings.replace(secret_key="configured")) == b"configured"
