"""Sign-in and sign-out: plain HTML forms (they work before any script loads), protected by
a double-submit CSRF token, in Chinese with English a click away (?lang=en, kept in a cookie)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from industry_brain.core.auth import SignInFailed, audit, end_session, sign_in
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    LANG_COOKIE,
    LOGIN_PATH,
    LOGOUT_PATH,
    SESSION_COOKIE,
    client_address,
    context,
    csrf_token,
    csrf_valid,
    current_scope,
    safe_next,
    set_cookie,
)

TEXT = {
    "zh": {
        "title": "产业大脑 · 登录",
        "heading": "产业大脑",
        "username": "用户名",
        "password": "密码",
        "submit": "登录",
        "switch": "English",
        "expired": "表单已过期，请重新登录。",
        "logout_title": "退出登录",
        "logout_ask": "确定要退出登录吗？",
        "logout": "退出",
    },
    "en": {
        "title": "Industry Brain · Sign in",
        "heading": "Industry Brain",
        "username": "Username",
        "password": "Password",
        "submit": "Sign in",
        "switch": "中文",
        "expired": "The form expired; please sign in again.",
        "logout_title": "Sign out",
        "logout_ask": "Sign out now?",
        "logout": "Sign out",
    },
}
STYLE = (
    "body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;background:#f3f5f8;margin:0}"
    "main{max-width:360px;margin:12vh auto;background:#fff;padding:32px;border-radius:8px;"
    "box-shadow:0 2px 12px #0002}h1{font-size:22px;margin:0 0 24px}label{display:block;margin:12px 0 4px}"
    "input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:15px}"
    "button{margin-top:20px;width:100%;padding:10px;font-size:16px;background:#1565c0;color:#fff;"
    "border:0;border-radius:4px}.error{color:#b71c1c;margin-top:12px}.lang{float:right;font-size:13px}"
)


def language(request: Request) -> str:
    """zh unless ?lang=en or the ib_lang cookie says en (pages share the cookie)."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if asked.lower().startswith("en") else "zh"


def _page(lang: str, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def _login_html(lang: str, token: str, next_path: str, error: str | None, username: str = "") -> str:
    t = TEXT[lang]
    other = "zh" if lang == "en" else "en"
    switch = (
        f'<a class="lang" href="{LOGIN_PATH}?lang={other}&amp;next={escape(next_path)}">{t["switch"]}</a>'
    )
    err = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    form = (
        f'<form method="post" action="{LOGIN_PATH}">'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        f'<label for="username">{t["username"]}</label>'
        f'<input type="text" id="username" name="username" value="{escape(username)}" '
        'autocomplete="username" required>'
        f'<label for="password">{t["password"]}</label>'
        f'<input type="password" id="password" name="password" autocomplete="current-password" required>'
        f'<button type="submit">{t["submit"]}</button></form>'
    )
    return _page(lang, t["title"], f"{switch}<h1>{t['heading']}</h1>{form}{err}")


def _render(
    request: Request, error: str | None = None, status: int = 200, username: str = ""
) -> HTMLResponse:
    lang = language(request)
    token = csrf_token(request)
    next_path = safe_next(request.query_params.get("next"))
    response = HTMLResponse(_login_html(lang, token, next_path, error, username), status_code=status)
    set_cookie(response, request, CSRF_COOKIE, token, max_age=None)
    set_cookie(response, request, LANG_COOKIE, lang, max_age=365 * 86400)
    response.headers["Cache-Control"] = "no-store"
    return response


router = APIRouter(include_in_schema=False)


@router.get(LOGIN_PATH)
def login_form(request: Request) -> Response:
    return _render(request)


@router.post(LOGIN_PATH)
def login_submit(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=2000),
    csrf_token_field: str = Form("", alias=CSRF_FIELD),
    next_path: str = Form("/", alias="next"),
) -> Response:
    if not csrf_valid(request, csrf_token_field):
        return _render(request, TEXT[language(request)]["expired"], status=403)
    address = client_address(request)
    ctx = context()
    try:
        _user, token = sign_in(
            ctx.engine,
            username=username,
            password=password,
            address=address,
            settings=ctx.settings,
            kind="page",
        )
    except SignInFailed as failure:
        refusal = _render(request, str(failure), status=429 if failure.refused else 401, username=username)
        if failure.refused:
            refusal.headers["Retry-After"] = str(failure.retry_after)
        return refusal
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_cookie(response, request, SESSION_COOKIE, token, max_age=3600 * int(ctx.settings.session_hours))
    return response


@router.get(LOGOUT_PATH)
def logout_form(request: Request) -> Response:
    """A confirmation form: signing out changes state, so it is a POST with a CSRF token."""
    lang = language(request)
    t = TEXT[lang]
    token = csrf_token(request)
    body = (
        f"<h1>{t['logout_title']}</h1><p>{t['logout_ask']}</p>"
        f'<form method="post" action="{LOGOUT_PATH}"><input type="hidden" name="{CSRF_FIELD}" '
        f'value="{escape(token)}"><button type="submit">{t["logout"]}</button></form>'
    )
    response = HTMLResponse(_page(lang, t["logout_title"], body))
    set_cookie(response, request, CSRF_COOKIE, token, max_age=None)
    return response


@router.post(LOGOUT_PATH)
def logout_submit(request: Request, csrf_token_field: str = Form("", alias=CSRF_FIELD)) -> Response:
    if not csrf_valid(request, csrf_token_field):
        return _render(request, TEXT[language(request)]["expired"], status=403)
    scope: Scope | None = current_scope(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    with transaction(context().engine) as session:
        if token:
            end_session(session, token=token)
        if scope is not None:
            audit(
                session,
                scope=scope,
                action="sign_out",
                target=scope.username,
                address=client_address(request),
            )
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
