"""涉企问题' typed inputs and the names officials read for its codes."""

from __future__ import annotations

from dataclasses import dataclass

ACTION_NAMES = {
    "open": "提出问题",
    "accept": "受理",
    "refuse": "不予受理",
    "duplicate": "重复件",
    "assign": "交办",
    "not_ours": "非职责",
    "dispute": "交办异议",
    "start": "签收办理",
    "reassign": "改派",
    "request_info": "请企业补充",
    "supply": "企业补充",
    "co_reply": "协办意见",
    "extend": "申请延期",
    "approve_extension": "批准延期",
    "reject_extension": "不批准延期",
    "reply": "答复",
    "rate": "企业评价",
    "close": "办结",
    "redo": "重办",
    "note": "备注",
    "common_link": "归入共性问题",
    "common_unlink": "移出共性问题",
}
CLOCK_LABELS = {"accept": "受理时限", "reply": "答复时限", "close": "办结时限", "co_unit": "协办时限"}
ROLE_NAMES = {
    "admin": "系统管理员",
    "analyst": "企业综合服务中心",
    "leader": "区领导",
    "department": "部门",
    "town": "镇街",
    "enterprise": "企业",
    "chain_chief": "链长专班",
    "system": "系统",
}
CHANNELS = {
    "enterprise": "企业自报",
    "town": "镇街代报",
    "analyst": "服务专员",
    "admin": "服务专员",
    "system": "批量导入",
}


@dataclass(frozen=True)
class Step:
    """One action on a case and what it carries; which fields it needs is in states.yaml."""

    action: str
    text: str | None = None
    reason: str | None = None
    unit: str | None = None
    days: int | None = None
    rating: str | None = None
    of: int | None = None

    def given(self, need: str) -> bool:
        value = getattr(self, need)
        return value is not None and (not isinstance(value, str) or bool(value.strip()))

    def detail(self) -> dict[str, object]:
        keys = ("reason", "unit", "days", "rating", "of")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}
