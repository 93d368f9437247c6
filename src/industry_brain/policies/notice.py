"""政策兑现告知书 and 公示名单 of the 免申即享 workflow, as Word, PDF (and the list as Excel).

A notice is one stored match read back (`workflow.stored_match`): the policy as the run froze
it (文号, issuing body, the article of each condition), the enterprise's own figures against
each condition and the amount in 万元 with its cap and rounding, in the words the trace dialog
uses (policies.explain), where the
match stands (部门确认 / 企业确认 / 已拨付) and what the enterprise does next. Nothing is
recomputed. Only a match the department confirmed has a notice; scope is `stored_match`'s (an
enterprise its own, a department the policies it runs), anything else reads as absent.
core.document lays the blocks out in Word and PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.document import Block, write_pages
from industry_brain.core.labels import moment
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.policies import workflow as wf
from industry_brain.policies.explain import CONDITION_HEAD, amount_lines, condition_rows
from industry_brain.policies.format import Policy, parse_policy
from industry_brain.policies.workflow import COMMITTED, WorkflowError, publicity, stored_match

NOTICE_TITLE = "政策兑现告知书"
LIST_TITLE = "政策兑现公示名单"
FORMATS = ("docx", "pdf")
LIST_FORMATS = ("docx", "pdf", "xlsx")
NUMERALS = "一二三四五六七八九十"
LIST_HEAD = ("序号", "企业名称", "统一社会信用代码", "所属镇街", "核定金额（万元）", "办理状态")


def _day(d: dt.date | str | None) -> str:
    """A date as officials write it; a stored moment (UTC) is first read as its Beijing day."""
    if d is None:
        return "—"
    if isinstance(d, dt.datetime):
        d = dt.date.fromisoformat(moment(d)[:10])
    d = dt.date.fromisoformat(d[:10]) if isinstance(d, str) else d
    return f"{d.year}年{d.month}月{d.day}日"


def _wan(v: float | None) -> str:
    return "—" if v is None else f"{v:,.2f} 万元"


def _policy(row: dict[str, Any]) -> Policy:
    return parse_policy(row["policy_text"], f"{row['policy']}.yaml")


def notice_row(session: Session, *, scope: Scope, match_id: int) -> dict[str, Any]:
    """The stored match of a notice with its payments; NotFound when `scope` does not see it,
    WorkflowError when the department has not confirmed it (nothing to tell the enterprise yet)."""
    from industry_brain.core.auth import NotFound
    from industry_brain.policies.models import PolicyMatch, PolicyPayment

    try:
        row = stored_match(session, scope=scope, match_id=match_id)
    except WorkflowError:  # absent or another's: read the same, as a 404
        raise NotFound(f"匹配记录 {match_id} 不存在") from None
    if row["status"] not in COMMITTED:
        raise WorkflowError(f"匹配记录 {match_id} 当前为“{row['status_name']}”，部门确认后才有兑现告知书")
    m = session.get(PolicyMatch, match_id)
    assert m is not None
    pays = session.scalars(
        select(PolicyPayment).where(PolicyPayment.match_id == match_id).order_by(PolicyPayment.id)
    ).all()
    row["payments"] = [(p.paid_on, p.amount_wan, p.voucher) for p in pays]
    row["department_at"], row["enterprise_at"] = m.department_at, m.enterprise_at
    return row


def notice_file_name(row: dict[str, Any], fmt: str) -> str:
    return f"{NOTICE_TITLE}_{row['policy_name']}_{row['name'] or row['credit_code']}.{fmt}"


def _state(row: dict[str, Any], p: Policy) -> list[str]:
    lines = [
        f"{_day(row['department_at'])}，{p.department}确认贵单位符合条件，"
        f"核定金额 {_wan(row['amount_wan'])}。"
    ]
    if row["status"] == "confirmed":
        lines += [
            "请登录产业大脑平台“惠企政策”页面，在本政策下选择“确认享受”或“放弃”。确认享受后，"
            f"由{p.department}按核定金额拨付；放弃后本年度不再拨付这项资金。",
            f"确认或放弃都记入审计日志，不能撤销；如对所列数据有异议，请在确认前与{p.department}联系核实。",
        ]
    if row["status"] in ("accepted", "paid"):
        lines.append(f"{_day(row['enterprise_at'])}，贵单位确认享受。")
    if row["status"] == "accepted":
        lines.append(f"{p.department}将在贵单位确认后 {p.payment_deadline_days} 日内拨付，请留意到账情况。")
    for paid_on, amount, voucher in row["payments"]:
        lines.append(f"{_day(paid_on)}，已拨付 {_wan(amount)}（拨付凭证号 {voucher}）。")
    return lines


def _conditions(trace: dict[str, Any]) -> Block:
    """The conditions table; without the 数据来源 column when no value names its source."""
    rows, head = condition_rows(trace), list(CONDITION_HEAD)
    at = head.index("数据来源")
    if all(r[at] == "—" for r in rows):
        rows, head = [r[:at] + r[at + 1 :] for r in rows], head[:at] + head[at + 1 :]
    return Block("table", head=tuple(head), rows=rows)


def notice_blocks(row: dict[str, Any], *, today: dt.date) -> list[Block]:
    """One enterprise's notice, top to bottom."""
    p, trace = _policy(row), row["trace"]
    who = row["name"] or row["credit_code"]
    sections: list[tuple[str, list[Block]]] = [
        ("政策依据", [Block("kv", rows=[
            ["政策名称", p.name], ["文号", p.document_no], ["发文单位", p.issuer],
            ["负责部门", p.department], ["兑现方式", p.payment_mode],
            ["有效期", f"{_day(p.effective_from)}至{_day(p.effective_to) if p.effective_to else '长期'}"],
        ])]),
        ("贵单位数据与政策条件比对", [
            Block("p", f"按 {trace['figures_year']} 年度数据，于 {_day(trace['as_of'])} 比对，结果："
                  f"{trace['result_name']}。"),
            _conditions(trace),
        ]),
        ("核定金额", [Block("list", items=amount_lines(p, trace))]),
        ("办理情况", [Block("kv", rows=[["当前状态", row["status_name"]]]),
                      Block("list", items=_state(row, p))]),
    ]  # fmt: skip
    out = [
        Block("title", NOTICE_TITLE),
        Block("subtitle", f"{p.name}（{p.document_no}）"),
        Block("p", f"{who}（统一社会信用代码 {row['credit_code']}）："),
        Block("p", f"根据{p.issuer}《{p.name}》（{p.document_no}），经数据比对和{p.department}审核，"
              "贵单位符合该政策条件，现将比对结果和核定金额告知如下。"),
    ]  # fmt: skip
    for i, (heading, body) in enumerate(sections):
        out += [Block("h", f"{NUMERALS[i]}、{heading}"), *body]
    out.append(Block("small", f"{p.department} · 产业大脑 · 生成于 {_day(today)}"))
    return out


def write_notices(
    rows: Sequence[dict[str, Any]], path: Path, *, fmt: str, settings: Settings, today: dt.date
) -> Path:
    """Write the notices of `rows` (notice_row's), a page each, as docx or pdf."""
    pages = [notice_blocks(r, today=today) for r in rows]
    return write_pages(pages, path, fmt=fmt, settings=settings, title=NOTICE_TITLE)


# ---- 公示名单 -------------------------------------------------------------------------------


def publicity_list(session: Session, *, scope: Scope, run_id: int) -> dict[str, Any]:
    """The run's department-confirmed enterprises and amounts, with the policy they are under;
    NotFound when `scope` sees no such run (an enterprise sees none), WorkflowError when none
    is confirmed yet."""
    from industry_brain.core.auth import NotFound
    from industry_brain.policies.models import PolicyRun
    from industry_brain.reference.divisions import known_township_name

    run = session.get(PolicyRun, run_id)
    seen = {r["run_id"] for r in wf.runs(session, scope=scope)}  # an enterprise sees no run
    if run is None or run_id not in seen:
        raise NotFound(f"比对批次 {run_id} 不存在")
    rows = publicity(session, run_id=run_id, scope=scope)
    if not rows:
        raise WorkflowError(f"比对批次 {run_id} 还没有部门确认的企业，暂无公示名单")
    towns = _towns(session, run_id)
    for r in rows:
        r["township"] = known_township_name(towns.get(r["credit_code"])) or "—"
    p = parse_policy(run.policy_yaml, f"{run.policy_id}.yaml")
    return {"run_id": run_id, "policy": p, "figures_year": run.figures_year, "rows": rows}


def _towns(session: Session, run_id: int) -> dict[str, str | None]:
    from industry_brain.policies.models import PolicyMatch

    got = session.execute(
        select(PolicyMatch.credit_code, PolicyMatch.township_code).where(PolicyMatch.run_id == run_id)
    ).all()
    return {c: t for c, t in got}


def list_file_name(got: dict[str, Any], fmt: str) -> str:
    return f"{LIST_TITLE}_{got['policy'].name}_批次{got['run_id']}.{fmt}"


def list_rows(got: dict[str, Any]) -> list[list[str]]:
    return [
        [
            str(i),
            r["name"] or "—",
            r["credit_code"],
            r["township"],
            f"{r['amount_wan'] or 0:,.2f}",
            r["status_name"],
        ]
        for i, r in enumerate(got["rows"], start=1)
    ]


def list_blocks(got: dict[str, Any], *, today: dt.date) -> list[Block]:
    p = got["policy"]
    total = sum(r["amount_wan"] or 0.0 for r in got["rows"])
    return [
        Block("title", f"{p.name}兑现公示名单"),
        Block("subtitle", f"{p.issuer}《{p.name}》（{p.document_no}）· {got['figures_year']} 年度数据"),
        Block("p", f"经数据比对和{p.department}审核，下列 {len(got['rows'])} 家企业符合政策条件，"
              f"核定金额合计 {total:,.2f} 万元，现予公示。"),
        Block("table", head=LIST_HEAD, rows=list_rows(got)),
        Block("p", f"公示期间，如对名单有异议，请向{p.department}实名反映，并提供相关证明材料。"),
        Block("small", f"金额单位：万元，四舍五入保留 2 位小数。{p.department} · 生成于 {_day(today)}"),
    ]  # fmt: skip


def write_list(got: dict[str, Any], path: Path, *, fmt: str, settings: Settings, today: dt.date) -> Path:
    """The 公示名单 as docx, pdf or xlsx."""
    if fmt == "xlsx":
        return _write_xlsx(got, path, today=today)
    return write_pages([list_blocks(got, today=today)], path, fmt=fmt, settings=settings, title=LIST_TITLE)


def _write_xlsx(got: dict[str, Any], path: Path, *, today: dt.date) -> Path:
    """The list as one sheet: the title, the head and a row per enterprise, amounts as numbers."""
    from industry_brain.core.cells import XlsxCells, xlsx_workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with xlsx_workbook(partial) as book:
            cells, ws = XlsxCells(book), book.add_worksheet("公示名单")
            bold = book.add_format({"bold": True, "font_name": "宋体"})
            cells.write(ws, 0, 0, list_blocks(got, today=today)[0].text, bold)
            cells.write_row(ws, 2, 0, LIST_HEAD, bold)
            for i, (r, shown) in enumerate(zip(got["rows"], list_rows(got), strict=True), start=3):
                cells.write_row(ws, i, 0, [int(shown[0]), *shown[1:4], r["amount_wan"] or 0.0, shown[5]])
            ws.set_column(1, 1, 36)
            ws.set_column(2, 5, 20)
            ws.freeze_panes(3, 0)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path
