"""The headers every response carries: a Content-Security-Policy the pages' own scripts satisfy,
Permissions-Policy, nosniff, Referrer-Policy and framing refused; over HTTPS (the request's own
scheme, or X-Forwarded-Proto from a proxy named in `forwarded_allow_ips`) also HSTS, and every
cookie, NiceGUI's storage cookie included, marked Secure.

Why the CSP allows 'unsafe-inline' and 'unsafe-eval' for scripts: NiceGUI renders each page as
an inline script that creates its Vue app, Vue compiles the elements' templates at run time
(new Function), and pages run JavaScript sent over the websocket (ui.run_javascript). What the
policy does forbid: scripts, styles, fonts and connections to any other origin, plugins
(object-src), a <base> elsewhere, forms posting elsewhere, and being framed by any site.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self' blob:",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()"
HSTS = b"max-age=31536000; includeSubDomains"
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"permissions-policy", PERMISSIONS.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def _secure_cookie(value: bytes) -> bytes:
    attributes = {a.strip().lower() for a in value.split(b";")[1:]}
    return value if b"secure" in attributes else value + b"; Secure"


class SecurityHeaders:
    """A plain ASGI middleware (no per-request task or body buffering, unlike
    BaseHTTPMiddleware); outermost, so it sees every response and every cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in HEADERS if n not in present]
                if https:
                    headers.append((b"strict-transport-security", HSTS))
                    headers = [
                        (n, _secure_cookie(v) if n.lower() == b"set-cookie" else v) for n, v in headers
                    ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
