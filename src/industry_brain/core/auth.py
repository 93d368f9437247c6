"""Users, passwords, sign-in, sessions and API tokens: the one place access is decided.

Passwords are argon2 hashes (argon2-cffi defaults). Sign-in is rate-limited per username and
client address: each attempt is counted in the database, atomically and before its password is
checked, so the limit holds under parallel requests and across server processes.
Sessions (page cookies and short-lived API access tokens) and long-lived API tokens are
random 256-bit strings stored as sha256 digests. The service flushes; the boundary commits,
and it must commit after a failed sign-in too (the attempt is what the rate limit counts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session

from industry_brain.core.audit import audit, now, search_audit
from industry_brain.core.auth_models import (
    ApiToken,
    AppSecret,
    AuthSession,
    SignInAttempt,
    SignInCounter,
    User,
)
from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.core.scope import ROLES, Scope

__all__ = ["audit", "search_audit"]  # re-exported: the audit log is part of access control

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 8
# Throttle last-used writes: one per token per minute keeps a busy client from turning every
# read into a write (which SQLite serialises).
_LAST_USED_EVERY = dt.timedelta(minutes=1)


class NotFound(IndustryBrainError):
    """Nothing of that name in the caller's scope. Deliberately the same for "does not exist"
    and "exists but is not yours", so the answer leaks nothing."""

    def __init__(self, what: str = "未找到 (not found)") -> None:
        super().__init__(what)


class Forbidden(IndustryBrainError):
    """The caller's role may not do this at all."""


class SignInFailed(IndustryBrainError):
    """Wrong username or password, a disabled user, or too many failures (`refused`)."""

    def __init__(self, message: str, *, refused: bool = False, retry_after: int = 0) -> None:
        self.refused = refused
        self.retry_after = retry_after  # seconds until a refused address may try again
        super().__init__(message)


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return str(_hasher().hash(secrets.token_hex(16)))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ConfigurationError(
            f"密码至少 {MIN_PASSWORD} 个字符 (password needs {MIN_PASSWORD}+ characters)"
        )
    return str(_hasher().hash(password))


def _verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    return secrets.token_urlsafe(12)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


CREDIT_CODE_SHAPE = re.compile(r"[0-9A-Z]{18}")


def _check_scope_fields(
    role: str, township_code: str | None, unit: str | None, credit_code: str | None
) -> None:
    if role not in ROLES:
        raise ConfigurationError(f"未知角色“{role}”；可用：{', '.join(ROLES)}")
    if role == "town" and not (township_code and re.fullmatch(r"\d{9}", township_code)):
        raise ConfigurationError("角色 town 需要 9 位镇街代码 (--township)")
    if role == "department" and not unit:
        raise ConfigurationError("角色 department 需要责任单位 (--unit)")
    if role == "chain_chief" and not (unit and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", unit)):
        raise ConfigurationError("角色 chain_chief 需要产业链代码 (--chain)，如 fenghua-auto-parts")
    if role == "enterprise":
        if not credit_code:
            raise ConfigurationError("角色 enterprise 需要统一社会信用代码 (--credit-code)")
        # The shape only: core knows no reference data. The boundary that takes a code from a
        # person (the users command) checks its check character first.
        if not CREDIT_CODE_SHAPE.fullmatch(credit_code):
            raise ConfigurationError(f"统一社会信用代码“{credit_code}”无效：应为 18 位数字或大写字母")


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise IndustryBrainError(f"用户“{username}”不存在 (no such user)")
    return user


def people(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Each account's name as a page shows it: its display name where it has one, else the
    account name; an account not (or no longer) on the platform keeps the name given."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    found = session.execute(select(User.username, User.display_name).where(User.username.in_(wanted)))
    named = {username: display or username for username, display in found}
    return {u: named.get(u, u) for u in wanted}


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
    township_code: str | None = None,
    unit: str | None = None,
    credit_code: str | None = None,
) -> User:
    if not USERNAME.fullmatch(username):
        raise ConfigurationError(f"用户名“{username}”无效：字母或数字开头，可含 _ . @ -，最多 64 个字符")
    _check_scope_fields(role, township_code, unit, credit_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConfigurationError(f"用户“{username}”已存在 (user exists)")
    stamp = now()
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        township_code=township_code if role == "town" else None,
        unit=unit if role in ("department", "chain_chief") else None,  # a chain chief's: its chain id
        credit_code=credit_code if role == "enterprise" else None,
        password_hash=hash_password(password),
        disabled=False,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(user)
    session.flush()
    return user


def _end_sessions(session: Session, user: User) -> None:
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


def disable_user(session: Session, *, username: str) -> User:
    """Refuses every later sign-in and ends the user's sessions; API tokens stop working too."""
    user = get_user(session, username)
    user.disabled = True
    user.updated_at = now()
    _end_sessions(session, user)
    session.flush()
    return user


def reset_password(session: Session, *, username: str, password: str | None = None) -> str:
    """Sets a new password (generated when None; returned so it can be shown once) and ends
    the user's sessions."""
    user = get_user(session, username)
    password = password or new_password()
    user.password_hash = hash_password(password)
    user.updated_at = now()
    _end_sessions(session, user)
    session.flush()
    return password


def scope_of(user: User) -> Scope:
    return Scope(
        role=user.role,
        username=user.username,
        township_code=user.township_code,
        unit=user.unit if user.role != "chain_chief" else None,
        credit_code=user.credit_code,
        chain=user.unit if user.role == "chain_chief" else None,
    )


def user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "township_code": user.township_code,
        "unit": user.unit,
        "credit_code": user.credit_code,
        "disabled": bool(user.disabled),
        "created_at": user.created_at.isoformat(timespec="seconds"),
        "updated_at": user.updated_at.isoformat(timespec="seconds"),
    }


def list_users(session: Session) -> list[dict[str, Any]]:
    return [user_json(u) for u in session.scalars(select(User).order_by(User.username))]


WRONG = "用户名或密码错误 (wrong username or password)"


def _claim_attempt(session: Session, *, username: str, address: str, settings: Any) -> int:
    """Counts this attempt before its password is checked; returns 0 when it may be checked,
    else the seconds until the window ends. One upsert returning the new count: the database
    gives every parallel attempt (any thread, any server process) its own number."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    table: Any = SignInCounter.__table__
    stamp = now()
    window = dt.timedelta(seconds=max(1, int(settings.login_window_seconds)))
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    expired = table.c.window_start < stamp - window
    stmt = (
        insert(table)
        .values(username=username, address=address[:64], window_start=stamp, attempts=1)
        .on_conflict_do_update(
            index_elements=[table.c.username, table.c.address],
            set_={
                "attempts": case((expired, 1), else_=table.c.attempts + 1),
                "window_start": case((expired, stamp), else_=table.c.window_start),
            },
        )
        .returning(table.c.attempts, table.c.window_start)
    )
    attempts, started = session.execute(stmt).one()
    if int(attempts) <= int(settings.login_max_failures):
        return 0
    # A parallel attempt may have opened the window a moment after this one took its stamp;
    # the wait is never longer than the window itself.
    remaining = math.ceil((started + window - stamp).total_seconds())
    return max(1, min(int(window.total_seconds()), remaining))


def _refused(retry_after: int) -> SignInFailed:
    minutes = max(1, math.ceil(retry_after / 60))
    return SignInFailed(
        f"登录失败次数过多，请 {minutes} 分钟后再试 "
        f"(too many failed sign-ins; try again in {minutes} minutes)",
        refused=True,
        retry_after=retry_after,
    )


def _check_password(session: Session, *, username: str, password: str, address: str) -> User:
    """Checks a claimed attempt: records and audits it; a success gives its claim back, so only
    failures fill the window."""
    user = session.scalar(select(User).where(User.username == username))
    # Verify against a dummy hash for unknown users, so timing does not reveal who exists.
    ok = _verify_password(user.password_hash if user else _dummy_hash(), password)
    ok = ok and user is not None and not user.disabled
    session.add(SignInAttempt(username=username, address=address[:64], at=now(), succeeded=ok))
    scope = scope_of(user) if user else Scope(role="anonymous", username=username)
    audit(
        session, scope=scope, action="sign_in" if ok else "sign_in_failed", target=username, address=address
    )
    if not ok or user is None:
        raise SignInFailed(WRONG)
    session.execute(
        update(SignInCounter)
        .where(
            SignInCounter.username == username,
            SignInCounter.address == address[:64],
            SignInCounter.attempts > 0,
        )
        .values(attempts=SignInCounter.attempts - 1)
    )
    return user


def authenticate(session: Session, *, username: str, password: str, address: str, settings: Any) -> User:
    """The user, if the password is right, the user enabled and the address not refused, in one
    transaction (the counter's row stays locked until it commits; `sign_in` does not hold it).

    Raises SignInFailed with one message for every wrong username/password/disabled case (no
    hint which); `refused=True` once the attempts of the window pass the limit."""
    if not USERNAME.fullmatch(username) or len(password) > 1024:
        raise SignInFailed(WRONG)
    if retry_after := _claim_attempt(session, username=username, address=address, settings=settings):
        raise _refused(retry_after)
    return _check_password(session, username=username, password=password, address=address)


def sign_in(
    engine: Any, *, username: str, password: str, address: str, settings: Any, kind: str
) -> tuple[User, str]:
    """What the sign-in form and the token route do: the attempt is counted and committed first
    (so parallel requests see it before any password is checked, and the slow check holds no
    lock), then checked in a second transaction that also starts the session (`kind`). A
    failure is committed too: the audit log keeps it. Returns the user and the new token."""
    from industry_brain.core.db import transaction

    if not USERNAME.fullmatch(username) or len(password) > 1024:
        raise SignInFailed(WRONG)
    with transaction(engine) as session:
        retry_after = _claim_attempt(session, username=username, address=address, settings=settings)
    if retry_after:
        raise _refused(retry_after)
    failure: SignInFailed | None = None
    with transaction(engine) as session:
        try:
            user = _check_password(session, username=username, password=password, address=address)
        except SignInFailed as exc:
            failure = exc
        else:
            token = start_session(session, user=user, kind=kind, settings=settings, address=address)
            session.expunge(user)
    if failure is not None:
        raise failure
    return user, token


def start_session(session: Session, *, user: User, kind: str, settings: Any, address: str | None) -> str:
    """A new page session (kind "page") or API access token (kind "access"); returns the token."""
    minutes = 60 * int(settings.session_hours)
    token = ("ibs_" if kind == "page" else "iba_") + secrets.token_urlsafe(32)
    stamp = now()
    session.add(
        AuthSession(
            token_hash=digest(token),
            user_id=user.id,
            kind=kind,
            created_at=stamp,
            expires_at=stamp + dt.timedelta(minutes=minutes),
            address=None if address is None else address[:64],
        )
    )
    session.flush()
    return token


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_hash == digest(token)))


def issue_token(session: Session, *, username: str, name: str) -> str:
    """A new long-lived API token for `username`; shown once, stored only as its digest."""
    user = get_user(session, username)
    if not name or len(name) > 100:
        raise ConfigurationError("令牌名称须为 1-100 个字符 (--name)")
    token = "ibt_" + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=digest(token), user_id=user.id, name=name, created_at=now()))
    session.flush()
    return token


def revoke_token(session: Session, *, username: str, name: str) -> int:
    """Revokes the user's live tokens called `name`; returns how many."""
    user = get_user(session, username)
    tokens = session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    ).all()
    for t in tokens:
        t.revoked_at = now()
    session.flush()
    return len(tokens)


def verify_token(
    session: Session, *, token: str, kinds: Sequence[str] = ("page", "access", "api")
) -> User | None:
    """The enabled user a live token of one of `kinds` belongs to, or None."""
    if not token or len(token) > 200:
        return None
    hashed = digest(token)
    stamp = now()
    user: User | None = None
    if token.startswith("ibt_") and "api" in kinds:
        api = session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hashed, ApiToken.revoked_at.is_(None))
        )
        if api is not None:
            user = session.get(User, api.user_id)
            if api.last_used_at is None or stamp - api.last_used_at > _LAST_USED_EVERY:
                api.last_used_at = stamp
    else:
        user = session.scalar(
            select(User)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(
                AuthSession.token_hash == hashed,
                AuthSession.expires_at > stamp,
                AuthSession.kind.in_(list(kinds)),
            )
        )
    return None if user is None or user.disabled else user


def signing_key(engine: Any, settings: Any) -> bytes:
    """settings.secret_key, or the key generated once and kept in the database."""
    from sqlalchemy.exc import IntegrityError

    from industry_brain.core.db import transaction

    if settings.secret_key:
        return str(settings.secret_key).encode()
    for _ in range(2):  # two processes starting together: the loser reads the winner's key
        try:
            with transaction(engine) as session:
                row = session.get(AppSecret, "secret_key")
                if row is None:
                    row = AppSecret(name="secret_key", value=secrets.token_hex(32), created_at=now())
                    session.add(row)
                return row.value.encode()
        except IntegrityError:
            continue
    raise IndustryBrainError("无法生成签名密钥 (could not create the signing key)")


def prune(session: Session, *, older_than_days: int = 30) -> None:
    """Drops expired sessions and old sign-in attempts (the audit log keeps the history)."""
    stamp = now()
    session.execute(delete(AuthSession).where(AuthSession.expires_at <= stamp))
    cutoff = stamp - dt.timedelta(days=older_than_days)
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < cutoff))
    session.execute(delete(SignInCounter).where(SignInCounter.window_start < cutoff))


def create_demo_accounts(
    session: Session, *, township_code: str, credit_code: str, unit: str
) -> list[dict[str, Any]]:
    """One account per role for the demo, each with a fresh password (returned, never stored
    in clear). Accounts left from an earlier demo run get a new password instead."""
    specs = [
        ("admin", "admin", "系统管理员", {}),
        ("analyst", "analyst", "经信局分析员", {}),
        ("leader", "leader", "区领导", {}),
        ("department", "department", unit, {"unit": unit}),
        ("town", "town", "镇街用户", {"township_code": township_code}),
        ("enterprise", "enterprise", "企业用户", {"credit_code": credit_code}),
    ]
    accounts = []
    for username, role, display, fields in specs:
        password = new_password()
        existing = session.scalar(select(User).where(User.username == username))
        if existing is None:
            user = create_user(
                session, username=username, role=role, password=password, display_name=display, **fields
            )
        else:
            reset_password(session, username=username, password=password)
            user = existing
            user.role, user.disabled = role, False
            user.township_code = fields.get("township_code")
            user.unit = fields.get("unit")
            user.credit_code = fields.get("credit_code")
        scope = scope_of(user)
        accounts.append(
            {
                "username": username,
                "password": password,
                "role": role,
                "scope": {
                    "township_code": scope.township_code,
                    "unit": scope.unit,
                    "credit_code": scope.credit_code,
                },
            }
        )
    return accounts
