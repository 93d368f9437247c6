"""A small district for the 涉企问题 tests: enterprises in two townships, some on the auto-parts
chain (GB/T 3670), and a helper that drives a case to a state through the state machine."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from helpers import code
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.requests.models import EnterpriseRequest
from industry_brain.requests.schemas import Step
from industry_brain.requests.service import act, open_request

TOWN_A, TOWN_B = "330213001", "330213002"
# credit code -> (name, township, industry class); 3670 is a node of fenghua-auto-parts
FIRMS = {
    code(1): ("锦屏甲汽配有限公司", TOWN_A, "3670"),
    code(2): ("锦屏乙汽配有限公司", TOWN_A, "3670"),
    code(3): ("岳林丙汽配有限公司", TOWN_B, "3670"),
    code(4): ("岳林丁纺织有限公司", TOWN_B, "1711"),
}
ANALYST = Scope(role="analyst", username="analyst")
ADMIN = Scope(role="admin", username="admin")
LEADER = Scope(role="leader", username="leader")
NATURAL = "区自然资源和规划局"  # lead unit of category land
ECONOMY = "区经信局"  # its co-unit
AUTO_CHIEF_UNIT = "汽车零部件产业链链长专班"


def enterprise(credit_code: str) -> Scope:
    return Scope(role="enterprise", username=f"e{credit_code[-4:]}", credit_code=credit_code)


def town(township: str) -> Scope:
    return Scope(role="town", username=f"t{township[-3:]}", township_code=township)


def department(unit: str) -> Scope:
    return Scope(role="department", username=f"d-{len(unit)}-{unit[:2]}", unit=unit)


def chief(chain: str = "fenghua-auto-parts") -> Scope:
    return Scope(role="chain_chief", username=f"c-{chain}", chain=chain)


def seed_firms(session: Session) -> None:
    for credit_code, (name, township, industry) in FIRMS.items():
        session.add(
            Enterprise(credit_code=credit_code, name=name, township_code=township, industry_code=industry)
        )
    session.flush()


def at(day: str, hour: int = 10) -> dt.datetime:
    """A Beijing-time moment on `day` (YYYY-MM-DD)."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))


# the steps that take a fresh case (lead unit NATURAL, co-unit ECONOMY) to each state
PATHS: dict[str, list[tuple[str, str, Step]]] = {
    "待受理": [],
    "已受理": [("analyst", "", Step("accept"))],
    "已交办": [("analyst", "", Step("accept")), ("analyst", "", Step("assign"))],
}
PATHS["办理中"] = [*PATHS["已交办"], ("lead", "", Step("start"))]
PATHS["待企业补充"] = [*PATHS["办理中"], ("lead", "", Step("request_info", text="请补充用地红线图"))]
PATHS["已答复"] = [*PATHS["办理中"], ("lead", "", Step("reply", text="已协调落实用地指标"))]
PATHS["企业评价"] = [*PATHS["已答复"], ("enterprise", "", Step("rate", rating="满意"))]
PATHS["办结"] = [*PATHS["企业评价"], ("analyst", "", Step("close"))]
PATHS["不予受理"] = [("analyst", "", Step("refuse", reason="不属于涉企问题"))]
PATHS["非职责"] = [*PATHS["已受理"], ("analyst", "", Step("not_ours", reason="属市级事权"))]


def actor(who: str, case: EnterpriseRequest) -> Scope:
    if who == "analyst":
        return ANALYST
    if who == "enterprise":
        return enterprise(case.credit_code)
    if case.chain_id:
        return chief(case.chain_id)
    return department(case.lead_unit)


def drive(
    session: Session, settings: Settings, case: EnterpriseRequest, state: str, *, day: str = "2024-03-04"
) -> EnterpriseRequest:
    """Take `case` to `state` along PATHS (重复: marked a duplicate of a second case), one step an hour."""
    if state == "重复":
        other = open_request(
            session,
            scope=ANALYST,
            settings=settings,
            credit_code=case.credit_code,
            category="land",
            text="同一问题",
            opened_at=at(day, 8),
        )
        return act(
            session,
            scope=ANALYST,
            settings=settings,
            request_id=case.id,
            step=Step("duplicate", reason="与前件相同", of=other.id),
            at=at(day, 9),
        )
    for hour, (who, _, step) in enumerate(PATHS[state], start=9):
        case = act(
            session,
            scope=actor(who, case),
            settings=settings,
            request_id=case.id,
            step=step,
            at=at(day, hour),
        )
    assert case.state == state
    return case
