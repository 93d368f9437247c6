"""A 涉企问题 case with what is known of its enterprise beside it: the master record (names, not
codes), the newest published 亩均 grade, the open enterprise alerts and the policies it
qualifies for or nearly does — so the unit answering the case sees the enterprise whole, each
part linking to the page it comes from.

Who sees the context is who sees the case (requests.service.get_case: the district-wide roles,
the enterprise itself, its town, the units assigned it, the chain chief of its chain); a case
outside the scope is NotFound before anything else is read. The parts are read as the
enterprise itself is shown them (an enterprise scope of the case's credit code), so a unit
assigned the case sees this enterprise's published grade and matches and nothing of any other;
the alerts are officials' early warnings, shown to every role but the enterprise, as the alerts
inbox is. Links are given only to callers who may open the enterprise on those pages (a
department or a chain chief sees no enterprise pages).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise

NEAR_MISS = "差一点符合"
QUALIFIES = ("eligible", "eligible_zero")


def case_detail(
    session: Session,
    *,
    scope: Scope,
    settings: Settings,
    request_id: int,
    as_of: dt.date | None = None,
    with_policies: bool = True,
) -> dict[str, Any]:
    """requests.views.show_request with `context` (case_context) — the case page and
    GET /api/v1/requests/{id}. `with_policies=False` leaves the matches out (None), for a page
    that shows the rest at once and reads them with policy_context afterwards."""
    from industry_brain.requests.views import show_request

    case = show_request(session, scope=scope, settings=settings, request_id=request_id, as_of=as_of)
    case["context"] = case_context(
        session, scope=scope, credit_code=case["credit_code"], as_of=as_of, with_policies=with_policies
    )
    return case


def _reader(session: Session, scope: Scope, credit_code: str) -> tuple[Scope, Enterprise | None, bool]:
    """(the enterprise's own scope, its record, whether the caller may open it on its pages)."""
    firm = session.get(Enterprise, credit_code)
    linked = firm is not None and scope.sees_enterprise(
        credit_code=credit_code, township_code=firm.township_code
    )
    return Scope(role="enterprise", username=scope.username, credit_code=credit_code), firm, linked


def case_context(
    session: Session,
    *,
    scope: Scope,
    credit_code: str,
    as_of: dt.date | None = None,
    with_policies: bool = True,
) -> dict[str, Any]:
    """The enterprise of a case the caller has been shown: `enterprise` (name, township,
    industry, `link`), `grade` (or None), `alerts` ({month, items, link}, None for the
    enterprise itself), `policies` (policy_context). Call it only with a case that get_case
    returned for `scope`."""
    reader, firm, linked = _reader(session, scope, credit_code)
    return {
        "enterprise": _enterprise(credit_code, firm, linked),
        "grade": _grade(session, credit_code, reader, linked),
        "alerts": None if scope.role == "enterprise" else _alerts(session, credit_code, reader, linked),
        "policies": policy_context(session, scope=scope, credit_code=credit_code, as_of=as_of)
        if with_policies
        else None,
    }


def policy_context(
    session: Session, *, scope: Scope, credit_code: str, as_of: dt.date | None = None
) -> dict[str, Any]:
    """{as_of, items, message, link}: the context's policy matches. Matching runs over the
    whole district (a budget's cut depends on who else qualifies) and is kept until the record
    changes, so the first read after an import takes seconds. Only for a case get_case
    returned for `scope`."""
    from industry_brain.requests.clock import today

    reader, _, linked = _reader(session, scope, credit_code)
    return _policies(session, credit_code, reader, as_of or today(), linked)


def _enterprise(code: str, firm: Enterprise | None, linked: bool) -> dict[str, Any]:
    from industry_brain.reference.divisions import township_name
    from industry_brain.reference.industries import industries

    industry = industries().get(firm.industry_code or "") if firm else None
    return {
        "credit_code": code,
        "name": firm.name if firm and firm.name else code,
        "township": township_name(firm.township_code if firm else None),
        "industry": industry.name if industry else "未标注行业",
        "link": f"/profile?code={code}" if linked else None,
    }


def _grade(session: Session, code: str, reader: Scope, linked: bool) -> dict[str, Any] | None:
    """The newest published run's grade (a superseded run's only when there is no other)."""
    from industry_brain.views.profile import evaluations

    found = evaluations(session, credit_code=code, scope=reader)
    current = [e for e in found if e["status"] != "superseded"] or found
    if not current:
        return None
    e = current[0]
    return {
        "year": e["year"],
        "grade": e["grade"],
        "grade_label": e["grade_label"],
        "status_label": e["status_label"],
        "link": f"/profile?code={code}" if linked else None,
    }


def _alerts(session: Session, code: str, reader: Scope, linked: bool) -> dict[str, Any]:
    from industry_brain.monitoring.overview import open_alerts

    found = open_alerts(session, scope=reader, credit_code=code)
    month = found["month"]
    link = f"/monitoring/alerts?month={month}" if linked and month else None
    return {"month": month, "items": found["alerts"], "link": link}


def _policies(session: Session, code: str, reader: Scope, day: dt.date, linked: bool) -> dict[str, Any]:
    """The policies in force on `day` the enterprise qualifies for (符合, 符合但为零) or misses
    by one numeric condition within 20% of its threshold (差一点符合)."""
    import polars as pl

    from industry_brain.policies.service import chosen, scoped_frame
    from industry_brain.policies.trace import RESULT_NAMES

    out: dict[str, Any] = {
        "as_of": day.isoformat(),
        "items": [],
        "message": None,
        "link": f"/policies?code={code}" if linked else None,
    }
    policies = chosen(None)
    try:
        frame = scoped_frame(session, as_of=day, scope=reader, policies=policies, code=code)
    except IndustryBrainError as exc:
        out["message"] = str(exc)
        return out
    if frame.is_empty():
        return out
    names = {p.id: p.name for p in policies}
    qualifies = pl.col("result").is_in(list(QUALIFIES))
    kept = frame.filter(qualifies | pl.col("near_miss"))
    out["items"] = [
        {
            "policy": r["policy"],
            "policy_name": names.get(r["policy"], r["policy"]),
            "result": r["result"],
            "result_name": RESULT_NAMES[r["result"]] if r["result"] in QUALIFIES else NEAR_MISS,
            "near_miss": bool(r["near_miss"]),
            "amount_wan": r["amount_wan"],
        }
        for r in kept.select("policy", "result", "near_miss", "amount_wan").to_dicts()
    ]
    return out
