"""How pages answer what they cannot show: an invalid parameter (400), a page the role may not
open or a scope it does not cover (403), something that does not exist (404) and an unexpected
failure (500), each as a page in Chinese (English with the language cookie) with a way back,
never an exception's text. The JSON API keeps its JSON answers.

Pages parse their query parameters with the helpers here (`whole_number`, `year`, `one_of`,
`matching`, `own_township`), which raise `BadParameter` or `OutOfScope`; `install(app)` turns
those, core.auth's NotFound and Forbidden, the 403 of web.security.require_login and any other
exception raised while a page is built into these pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from html import escape
from pathlib import PurePosixPath
from typing import Any

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from industry_brain.core.auth import Forbidden, NotFound
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope

log = logging.getLogger(__name__)
MAX_ID = 2**31 - 1  # the largest id a database integer column holds
# paths that are not pages: their errors stay JSON (the API) or NiceGUI's own
NOT_PAGES = ("/api/", "/_nicegui", "/openapi.json", "/ib-static")


class BadParameter(IndustryBrainError):
    """A page parameter that cannot be read: `message` in Chinese, `english` for ?lang=en."""

    def __init__(self, message: str, english: str = "") -> None:
        self.english = english or message
        super().__init__(message)


class OutOfScope(IndustryBrainError):
    """A parameter asking for a part of the district the caller's scope does not cover."""


TEXT = {
    "zh": {
        400: ("参数无效", "页面地址中的参数无法识别。"),
        403: ("无权访问此页面", "您的账号无权查看此页面或此范围的数据。"),
        404: ("未找到", "您要找的内容不存在，或不在您的权限范围内。"),
        500: ("页面出错", "页面暂时无法显示，错误已记录。请稍后再试，或联系系统管理员。"),
        "home": "返回首页",
        "login": "登录",
        "other": "换个账号登录",
        "role": "当前账号",
    },
    "en": {
        400: ("Invalid parameter", "A parameter in the page address could not be read."),
        403: ("You may not open this page", "Your account may not see this page or this part of the data."),
        404: ("Not found", "What you asked for does not exist, or is outside what you may see."),
        500: ("Page error", "The page cannot be shown just now; the error is logged. Try again later."),
        "home": "Back to the home page",
        "login": "Sign in",
        "other": "Sign in as someone else",
        "role": "Signed in as",
    },
}


def whole_number(
    value: str | int | None, label: str, *, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """`value` as a whole number within [minimum, maximum]; None when empty."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]{1,19}", text) or not minimum <= int(text) <= maximum:
        raise BadParameter(
            f"“{label}”应为 {minimum} 到 {maximum} 之间的整数，收到“{text[:40]}”。",
            f"'{label}' must be a whole number from {minimum} to {maximum}; got '{text[:40]}'.",
        )
    return int(text)


def year(value: str | int | None, label: str = "年度") -> int | None:
    """A plausible year, or None when empty."""
    return whole_number(value, label, minimum=1949, maximum=2100)


def one_of(value: str | None, choices: Iterable[str], label: str) -> str | None:
    """`value` when it is one of `choices`; None when empty."""
    if not value:
        return None
    options = list(choices)
    if value not in options:
        shown = "、".join(options[:12])
        raise BadParameter(
            f"“{label}”无法识别“{value[:40]}”，可选：{shown}。",
            f"'{label}' does not know '{value[:40]}'; choose one of {', '.join(options[:12])}.",
        )
    return value


def matching(value: str | None, pattern: str, label: str, what: str) -> str | None:
    """`value` when it fully matches `pattern` (a regular expression); None when empty. `what`
    says in Chinese what is expected (如“9 位数字”)."""
    if not value:
        return None
    if not re.fullmatch(pattern, value, re.ASCII):  # ASCII: \d is 0-9, not ０-９
        raise BadParameter(
            f"“{label}”应为{what}，收到“{value[:40]}”。", f"'{label}' is not valid: '{value[:40]}'."
        )
    return value


def iso_date(value: str | None, label: str = "日期") -> dt.date | None:
    """A date written 2024-06-30 within 1949-2100, or None when empty."""
    text = matching(value, r"\d{4}-\d{2}-\d{2}", label, "日期（如 2024-06-30）")
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise BadParameter(
            f"“{label}”不是有效日期：“{text}”。", f"'{label}' is not a date: '{text}'."
        ) from None
    year(day.year, label)
    return day


def period(value: str | None, label: str = "截至期间") -> str | None:
    """A period written 2024 or 2024-06 (a year and month within 1949-2100), or None when empty."""
    text = matching(value, r"\d{4}(-\d{2})?", label, "年份或年月（如 2024 或 2024-06）")
    if text is None:
        return None
    year(text[:4], label)
    if len(text) > 4:
        whole_number(text[5:], label, minimum=1, maximum=12)
    return text


def credit_code(value: str | None, label: str = "统一社会信用代码") -> str | None:
    """A credit code of the right form (18 characters of the code's alphabet), or None when empty."""
    return matching(value, r"[0-9A-HJ-NPQRTUWXY]{18}", label, "18 位统一社会信用代码")


def upload_name(name: str | None) -> str:
    """An uploaded file's own name, without folders, to save it under in a fresh temporary
    folder; a name that is only dots (`..`) or empty after that is refused."""
    base = PurePosixPath((name or "upload").replace("\\", "/")).name.replace("\x00", "")[-200:]
    if base.strip(". ") == "":
        raise BadParameter(
            f"文件名“{(name or '')[:40]}”无效：请上传带扩展名的文件（如 .xlsx 或 .csv）。",
            f"The file name '{(name or '')[:40]}' is not valid: upload a file with its extension.",
        )
    return base


def own_township(scope: Scope, township_code: str | None) -> str | None:
    """A township code the caller may ask for: a town only its own (OutOfScope otherwise)."""
    code = matching(township_code, r"\d{9}", "镇街", "9 位镇街代码")
    if code is not None and not scope.district_wide and code != scope.township_code:
        raise OutOfScope("该镇街不在您的权限范围内")
    return code


def _language(request: Request) -> str:
    from industry_brain.web.login import language

    return language(request)


def error_page(request: Request, status: int, detail: str = "") -> HTMLResponse:
    """The page for `status` (400, 403, 404 or 500), with `detail` under the heading and links
    back to the role's home page (or to sign-in)."""
    from industry_brain.web.login import STYLE
    from industry_brain.web.security import LOGIN_PATH, LOGOUT_PATH, current_scope

    lang = _language(request)
    text = TEXT[lang]
    heading, explanation = text[status if status in (400, 403, 404) else 400 if status < 500 else 500]
    try:
        scope = current_scope(request)
    except Exception:  # the error page must not fail on the database that made the error
        scope = None
    links = [f'<a href="{LOGIN_PATH}">{text["login"]}</a>']
    who = ""
    if scope is not None:
        from industry_brain.web.pages.layout import ROLE_NAMES, home_of

        role = ROLE_NAMES.get(scope.role, scope.role) if lang == "zh" else scope.role
        who = f'<p class="who">{text["role"]}：{escape(scope.username)}（{escape(role)}）</p>'
        links = [f'<a href="{escape(home_of(scope))}">{text["home"]}</a>']
        if status == 403:
            links.append(f'<a href="{LOGOUT_PATH}">{text["other"]}</a>')
    body = (
        f'<h1>{escape(str(heading))}</h1><p role="alert">{escape(detail or str(explanation))}</p>'
        f"{who}<nav>{' · '.join(links)}</nav>"
    )
    html = (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(str(heading))} · {'Industry Brain' if lang == 'en' else '产业大脑'}</title>"
        f"<style>{STYLE}nav{{margin-top:24px}}.who{{color:#555;font-size:14px}}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code < 400 or not is_page(request):
        return await http_exception_handler(request, exc)
    return error_page(request, exc.status_code)  # 405, 413...: the 400 page's words, its own status


async def _not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": "未找到 (not found)"}, status_code=404)
    if not is_page(request) and isinstance(exc, StarletteHTTPException):
        return await http_exception_handler(request, exc)
    return error_page(request, 404)


async def _domain_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotFound):
        return error_page(request, 404)
    if isinstance(exc, Forbidden | OutOfScope):
        return error_page(request, 403, str(exc) if isinstance(exc, OutOfScope) else "")
    if isinstance(exc, BadParameter) and _language(request) == "en":
        return error_page(request, 400, exc.english)
    return error_page(request, 400, str(exc))


async def _invalid_request(request: Request, exc: Exception) -> Response:
    if not is_page(request):
        from fastapi.exception_handlers import request_validation_exception_handler

        assert isinstance(exc, RequestValidationError)
        return await request_validation_exception_handler(request, exc)
    return error_page(request, 400)


async def _unexpected(request: Request, exc: Exception) -> Response:
    if not is_page(request):
        raise exc
    log.error("page %s failed", request.url.path, exc_info=exc)
    return error_page(request, 500)


def install(app: Any) -> None:
    """Put the page answers on NiceGUI's app (where the pages run); call it after
    ui.run_with, which has added NiceGUI's own handlers these replace."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(404, _not_found)
    app.add_exception_handler(IndustryBrainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)
