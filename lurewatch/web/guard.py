"""The outer layer of every response: other-origin writes refused, security headers set, refusals audited.

A plain ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs a task and a stream per request).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lurewatch.web import errors
from lurewatch.web.sessions import UNSAFE_METHODS, foreign_origin

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")  # fmt: skip
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # "no-referrer" would make browsers send "Origin: null" on our own form posts; this still sends nothing elsewhere.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
REFUSALS = (400, 401, 403)


class Guard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)  # a route may set a stricter one (evidence files: sandbox)
            await send(message)

        request = Request(scope, receive)
        if scope["method"] in UNSAFE_METHODS and (origin := foreign_origin(request)):
            request.state.refusal = {"reason": f"cross-origin {scope['method']} from {origin}"}
            response = errors.refused(request, 403, "requests from another site are refused")
            await response(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)
        if status in REFUSALS:
            errors.audit_refusal(request, status)
