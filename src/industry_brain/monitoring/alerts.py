"""Enterprise alerts: evaluated from the monthly panel by the rules, kept with their months and
traces, acknowledged, dismissed and silenced by their receivers. The one place their queries
and logic live (CLI, pages, API and the bulletin call these).

`evaluate` computes a month's states (monitoring.alert_rules) and stores them: an alert
continues while its condition holds (one row per episode, one row per month of it). `replay`
computes a month with the data as known at a past moment (the panel's `as_of`) and stores
nothing. Every change is audited (core/audit.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from industry_brain.core.audit import audit, now
from industry_brain.core.auth import NotFound
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.ingest.models import ImportBatch
from industry_brain.monitoring import explain
from industry_brain.monitoring.alerts_compute import compute_states
from industry_brain.monitoring.festival import calendar_frame
from industry_brain.monitoring.models import MonitoringAlert, MonitoringAlertMonth, MonitoringSilence
from industry_brain.monitoring.rules import RuleSet, current_rules

DISMISS_REASONS = {
    "maintenance": "检修",
    "seasonal": "季节性",
    "relocation": "搬迁",
    "data_error": "数据错误",
    "other": "其他",
}
STATES = tuple(explain.STATES)
HISTORY_YEARS = 4  # the seasonal norm looks back 3 years; the year before the first is its base


class AlertNotFound(NotFound):
    """No such alert, or not in the caller's scope (the same answer, so scope leaks nothing)."""


def _check_month(month: str) -> None:
    try:
        dt.datetime.strptime(month, "%Y-%m")
    except ValueError as exc:
        raise IndustryBrainError(f"月份“{month}”应写作 YYYY-MM") from exc


def _panel(session: Session, *, month: str, as_of: dt.datetime | None) -> pl.DataFrame:
    from industry_brain.monitoring.panel import monthly_panel

    first = f"{int(month[:4]) - HISTORY_YEARS}-01"
    return monthly_panel(session, as_of=as_of, months=(first, month))


def compute_month(
    session: Session, *, month: str, as_of: dt.datetime | None = None, rules: RuleSet | None = None
) -> list[dict[str, Any]]:
    """`month`'s alert states with their traces and sentences, computed, not stored."""
    _check_month(month)
    rules = rules or current_rules()
    panel = _panel(session, month=month, as_of=as_of)
    if panel.is_empty():
        return []
    states = compute_states(panel, rules.rules, month=month)
    years = [int(month[:4])]
    cal = {(r["year"], r["month_no"]): r for r in calendar_frame(years).to_dicts()}
    batch_ids = {b for c in ("obs_batch_id", "exp_batch_id") for b in states[c].drop_nulls().to_list()}
    files = (
        dict(
            session.execute(
                select(ImportBatch.id, ImportBatch.file_name).where(ImportBatch.id.in_(batch_ids))
            ).all()
        )
        if batch_ids
        else {}
    )
    out = []
    for row in states.to_dicts():
        rule = rules.rule(row["rule"])
        trace = explain.build_trace(row, rule, cal.get((int(month[:4]), int(month[5:]))), files)
        out.append(
            {
                **row,
                "severity": rule.severity,
                "receivers": [r.as_dict() for r in rule.receivers],
                "trace": trace,
                "explanation": explain.sentence(trace),
            }
        )
    return out


def replay(session: Session, *, month: str, as_of: dt.datetime) -> list[dict[str, Any]]:
    """The month's alerts as they would have been computed with the data as known at `as_of`."""
    return compute_month(session, month=month, as_of=as_of)


def _store(session: Session, row: dict[str, Any], scope: Scope, stamp: dt.datetime) -> None:
    key = (row["credit_code"], row["rule"], row["first_month"])
    alert = session.scalars(
        select(MonitoringAlert).where(
            MonitoringAlert.credit_code == key[0],
            MonitoringAlert.rule == key[1],
            MonitoringAlert.first_month == key[2],
        )
    ).one_or_none()
    if alert is None:
        alert = MonitoringAlert(
            credit_code=key[0],
            rule=key[1],
            first_month=key[2],
            last_month=row["month"],
            state=row["state"],
            severity=row["severity"],
            township_code=row["township_code"],
            receivers=json.dumps(row["receivers"], ensure_ascii=False),
        )
        session.add(alert)
        session.flush()
        audit(
            session,
            scope=scope,
            action="monitoring.alert.open",
            target=key[0],
            detail={"alert_id": alert.id, "rule": key[1], "month": row["month"], "state": row["state"]},
        )
    elif row["month"] >= alert.last_month:
        if alert.state != row["state"]:
            audit(
                session,
                scope=scope,
                action="monitoring.alert.state",
                target=key[0],
                detail={"alert_id": alert.id, "from": alert.state, "to": row["state"], "month": row["month"]},
            )
        alert.last_month, alert.state = row["month"], row["state"]
    month = session.scalars(
        select(MonitoringAlertMonth).where(
            MonitoringAlertMonth.alert_id == alert.id, MonitoringAlertMonth.month == row["month"]
        )
    ).one_or_none()
    if month is None:
        month = MonitoringAlertMonth(alert_id=alert.id, month=row["month"])
        session.add(month)
    month.state, month.observed, month.expected = row["state"], row["observed"], row["expected"]
    month.trace = json.dumps(row["trace"], ensure_ascii=False, default=str)
    month.evaluated_at = stamp


def evaluate(session: Session, *, month: str, scope: Scope) -> int:
    """Compute `month` with the data as known now and store it; the number of alert rows."""
    rows = compute_month(session, month=month)
    stamp = now()
    for row in rows:
        _store(session, row, scope, stamp)
    audit(
        session, scope=scope, action="monitoring.alerts.evaluate", target=month, detail={"alerts": len(rows)}
    )
    session.flush()
    return len(rows)


def _silenced(session: Session, month: str) -> set[tuple[str, str]]:
    last_day = (dt.date(int(month[:4]), int(month[5:]), 28) + dt.timedelta(days=4)).replace(
        day=1
    ) - dt.timedelta(days=1)
    # A silence covers the months from the one it was given in to its end date; the months
    # before it stay as they were shown.
    first_day = last_day.replace(day=1)
    rows = session.execute(
        select(MonitoringSilence.credit_code, MonitoringSilence.rule, MonitoringSilence.created_at).where(
            MonitoringSilence.until >= last_day
        )
    )
    return {(c, r) for c, r, at in rows if at.date().replace(day=1) <= first_day}


def evaluated(session: Session, *, month: str) -> bool:
    """Whether `month` has stored alerts (listing it again shows what was stored, unchanged)."""
    from industry_brain.monitoring.models import MonitoringAlertMonth

    return (
        session.scalar(select(MonitoringAlertMonth.id).where(MonitoringAlertMonth.month == month).limit(1))
        is not None
    )


def _receiver_text(unit: str) -> str:
    """How a unit receiver is written in monitoring_alert.receivers (json.dumps, ensure_ascii off)."""
    return json.dumps({"name": unit}, ensure_ascii=False)[1:-1]


def chain_codes(session: Session, chain_id: str) -> list[str]:
    """The credit codes of a chain's enterprises, as the chains domain resolves its membership
    (a node's class or keyword, an analyst's confirmation, less a removal)."""
    from industry_brain.clusters.chains import shipped_chains
    from industry_brain.monitoring.indicators import members_of

    chains = [c for c in shipped_chains() if c.id == chain_id]
    frame, _ = members_of(session, chains)
    return frame["credit_code"].to_list() if chains else []


def visible_clause(session: Session, scope: Scope) -> Any:
    """Who sees an alert: district-wide roles all; a town its township's; an enterprise its own;
    a department the alerts its unit receives (receivers are data, not roles); a chain chief
    (链长) the alerts of its chain's enterprises."""
    if scope.role == "department" and scope.unit:
        return MonitoringAlert.receivers.contains(_receiver_text(scope.unit), autoescape=True)
    if scope.role == "chain_chief" and scope.chain:
        return MonitoringAlert.credit_code.in_(chain_codes(session, scope.chain))
    return scope.enterprise_clause(MonitoringAlert.credit_code, MonitoringAlert.township_code)


def list_alerts(
    session: Session, *, month: str, scope: Scope, state: str | None = None, include_closed: bool = False
) -> list[dict[str, Any]]:
    """The stored alerts of `month` that `scope` sees: a town its own township's, an enterprise
    its own. Dismissed and silenced alerts are left out unless `include_closed`."""
    _check_month(month)
    if state is not None and state not in STATES:
        raise IndustryBrainError(f"未知的预警状态“{state}”；可用：{'、'.join(STATES)}")
    stmt = (
        select(MonitoringAlert, MonitoringAlertMonth)
        .join(MonitoringAlertMonth, MonitoringAlertMonth.alert_id == MonitoringAlert.id)
        .where(MonitoringAlertMonth.month == month, visible_clause(session, scope))
        .order_by(MonitoringAlert.credit_code, MonitoringAlert.rule)
    )
    if state is not None:
        stmt = stmt.where(MonitoringAlertMonth.state == state)
    silenced = _silenced(session, month)
    out = []
    for alert, m in session.execute(stmt).all():
        closed = alert.dismissed_at is not None or (alert.credit_code, alert.rule) in silenced
        if closed and not include_closed:
            continue
        trace = json.loads(m.trace)
        out.append(
            {
                "alert_id": alert.id,
                "credit_code": alert.credit_code,
                "rule": alert.rule,
                "rule_name": trace["rule_name"],
                "severity": alert.severity,
                "state": m.state,
                "first_month": alert.first_month,
                "month": m.month,
                "observed": m.observed,
                "expected": m.expected,
                "explanation": explain.sentence(trace),
                "sources": trace["sources"],
                "township_code": alert.township_code,
                "receivers": json.loads(alert.receivers),
                "acked": alert.acked_at is not None,
                "ack_comment": alert.ack_comment,
                "dismissed": alert.dismiss_reason,
                "silenced": (alert.credit_code, alert.rule) in silenced,
                "trace": trace,
            }
        )
    audit(session, scope=scope, action="monitoring.alerts.read", target=month, detail={"rows": len(out)})
    return out


# Who acts on an alert: its receivers (the town, the department) and the bureau. An enterprise
# does not close the alert about itself, and the leader reads without acting.
ACTORS = frozenset({"admin", "analyst", "department", "town", "chain_chief", "system"})


def _alert(session: Session, alert_id: int, scope: Scope) -> MonitoringAlert:
    if scope.role not in ACTORS:
        raise AlertNotFound("您的角色只能查看预警，确认、排除与静默由预警的接收单位和经信局办理")
    alert = session.scalar(
        select(MonitoringAlert).where(MonitoringAlert.id == alert_id, visible_clause(session, scope))
    )
    if alert is None:
        raise AlertNotFound(f"没有编号为 {alert_id} 的预警（或不在您的范围内）")
    return alert


def ack(session: Session, *, alert_id: int, comment: str, scope: Scope) -> MonitoringAlert:
    """Acknowledge: the receiver has seen it and says what is being done."""
    if not comment.strip():
        raise IndustryBrainError("确认预警须填写说明")
    alert = _alert(session, alert_id, scope)
    alert.acked_at, alert.acked_by, alert.ack_comment = now(), scope.username, comment.strip()
    audit(
        session,
        scope=scope,
        action="monitoring.alert.ack",
        target=alert.credit_code,
        detail={"alert_id": alert_id, "comment": comment},
    )
    session.flush()
    return alert


def dismiss(
    session: Session, *, alert_id: int, reason: str, comment: str = "", scope: Scope
) -> MonitoringAlert:
    """Dismiss as a false alert with a reason code (counted against the rule's precision)."""
    codes = {**DISMISS_REASONS, **{v: v for v in DISMISS_REASONS.values()}}
    if reason not in codes:
        known = "、".join(DISMISS_REASONS.values())
        raise IndustryBrainError(f"未知的驳回原因“{reason}”；可用：{known}")
    code = next(k for k, v in DISMISS_REASONS.items() if reason in (k, v))
    if code == "other" and not comment.strip():
        raise IndustryBrainError("驳回原因为“其他”时须填写说明")
    alert = _alert(session, alert_id, scope)
    alert.dismissed_at, alert.dismissed_by = now(), scope.username
    alert.dismiss_reason, alert.dismiss_comment = code, comment.strip() or None
    audit(
        session,
        scope=scope,
        action="monitoring.alert.dismiss",
        target=alert.credit_code,
        detail={"alert_id": alert_id, "reason": code, "comment": comment},
    )
    session.flush()
    return alert


def silence(
    session: Session, *, alert_id: int, until: dt.date, reason: str = "", scope: Scope
) -> MonitoringSilence:
    """Silence the alert's enterprise and rule until `until` (inclusive)."""
    alert = _alert(session, alert_id, scope)
    if until <= now().date():
        raise IndustryBrainError(f"静默截止日期 {until} 应晚于今天")
    entry = MonitoringSilence(
        credit_code=alert.credit_code,
        rule=alert.rule,
        until=until,
        reason=reason.strip() or None,
        created_at=now(),
        created_by=scope.username,
    )
    session.add(entry)
    audit(
        session,
        scope=scope,
        action="monitoring.alert.silence",
        target=alert.credit_code,
        detail={"alert_id": alert_id, "rule": alert.rule, "until": until.isoformat()},
    )
    session.flush()
    return entry


def rule_stats(session: Session, *, rules: RuleSet | None = None) -> list[dict[str, Any]]:
    """Per rule: alerts raised, dismissed (by reason), and precision = 1 − dismissed / raised."""
    rules = rules or current_rules()
    raised = dict(
        session.execute(select(MonitoringAlert.rule, func.count()).group_by(MonitoringAlert.rule)).all()
    )
    reasons: dict[str, Counter[str]] = {}
    q = select(MonitoringAlert.rule, MonitoringAlert.dismiss_reason, func.count()).where(
        MonitoringAlert.dismiss_reason.is_not(None)
    )
    for rule, reason, n in session.execute(q.group_by(MonitoringAlert.rule, MonitoringAlert.dismiss_reason)):
        reasons.setdefault(rule, Counter())[DISMISS_REASONS[str(reason)]] = n
    out = []
    for r in rules.rules:
        n, dismissed = raised.get(r.id, 0), sum(reasons.get(r.id, Counter()).values())
        out.append(
            {
                "rule": r.id,
                "name": r.name,
                "kind": r.kind,
                "severity": r.severity,
                "min_months": r.min_months,
                "receivers": [x.label() for x in r.receivers],
                "params": [{"from": p.start, **p.values} for p in r.params],
                "raised": n,
                "dismissed": dismissed,
                "dismissed_by_reason": dict(reasons.get(r.id, Counter())),
                "precision": None if n == 0 else round(1 - dismissed / n, 4),
            }
        )
    return out


def summary(session: Session, *, month: str, scope: Scope | None = None, top: int = 10) -> dict[str, Any]:
    """For the bulletin: counts of `month`'s open alerts (firing, no_data) by rule, severity and
    town, how many are pending, and the top alerts (most severe first, then the largest
    deviation)."""
    # open alerts only: firing, or firing with the month's data missing (pending ones wait for
    # their minimum run, resolved ones are over)
    listed = list_alerts(session, month=month, scope=scope or Scope.system())
    rows = [r for r in listed if r["state"] in ("firing", "no_data")]
    rank = {"critical": 0, "warning": 1, "info": 2}

    def deviation(r: dict[str, Any]) -> float:
        c = r["trace"]["comparison"]
        return -abs(c) if isinstance(c, int | float) else 0.0

    ordered = sorted(rows, key=lambda r: (rank.get(r["severity"], 3), deviation(r), r["credit_code"]))
    return {
        "month": month,
        "total": len(rows),
        "pending": sum(r["state"] == "pending" for r in listed),
        "by_rule": dict(Counter(r["rule"] for r in rows)),
        "by_severity": dict(Counter(r["severity"] for r in rows)),
        "by_town": dict(Counter(r["township_code"] or "" for r in rows)),
        "top": [
            {
                k: r[k]
                for k in ("alert_id", "credit_code", "rule", "rule_name", "severity", "state", "explanation")
            }
            for r in ordered[:top]
        ],
    }
