"""Export as Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): the categories as
services, the cases in the caller's scope as service requests, for other systems (a province's
涉企问题 pool, a 12345 hotline). Times carry the Beijing offset; an enterprise's name and credit
code are not part of a service request (GeoReport requests are meant to be shareable)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.requests import clock
from industry_brain.requests.models import EnterpriseRequest
from industry_brain.requests.service import rules_for, visible_clause


def services(settings: Settings) -> list[dict[str, Any]]:
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": f"{c.group}：主办 {c.lead_unit}"
            + (f"，协办 {'、'.join(c.co_units)}" if c.co_units else ""),
            "metadata": False,
            "type": "realtime",
            "keywords": c.group,
            "group": c.group,
        }
        for c in rules_for(settings).classification.categories.values()
    ]


def _stamp(stored: dt.datetime) -> str:
    return stored.replace(tzinfo=dt.UTC).astimezone(clock.BEIJING).isoformat(timespec="seconds")


def service_requests(session: Session, *, scope: Scope, settings: Settings) -> list[dict[str, Any]]:
    from industry_brain.reference.divisions import township_name

    rules = rules_for(settings)
    cases = session.scalars(
        select(EnterpriseRequest).where(visible_clause(scope)).order_by(EnterpriseRequest.id)
    )
    out = []
    for c in cases:
        category = rules.classification.categories[c.category]
        closed = rules.machine.closed(c.state)
        expected = dt.datetime.combine(c.due, dt.time(23, 59, 59), tzinfo=clock.BEIJING)
        out.append(
            {
                "service_request_id": str(c.id),
                "status": "closed" if closed else "open",
                "status_notes": c.state + (f"：{c.close_reason}" if c.close_reason else ""),
                "service_name": category.name,
                "service_code": c.category,
                "description": c.text,
                "agency_responsible": c.lead_unit,
                "service_notice": "",
                "requested_datetime": _stamp(c.opened_at),
                "updated_datetime": _stamp(c.updated_at),
                "expected_datetime": expected.isoformat(timespec="seconds"),
                "address": township_name(c.township_code),
                "address_id": c.township_code,
                "zipcode": None,
                "lat": None,
                "long": None,
                "media_url": None,
            }
        )
    return out
