"""Logging in and out of the web UI: a CSRF-protected form, a server-side session, never the key in a cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from lurewatch.web.pages import render
from lurewatch.web.sessions import csrf_ok

pages = APIRouter(include_in_schema=False)
# The only texts /login?error= shows: anything else in the parameter is ignored.
MESSAGES = {
    "expired": "Your session has ended; log in again.",
    "logged_out": "You are logged out.",
    "form": "The form had expired; please try again.",
}


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another host, never a scheme)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n\t"):
        return "/"
    return target


@pages.get("/login")
def login_page(request: Request, next: str = "/", error: str = "") -> Response:
    return render(request, "login.html", {"next": safe_next(next), "error": MESSAGES.get(error, "")})


@pages.post("/login")
def login(
    request: Request,
    key: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=4000)] = "/",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    target = safe_next(next)
    if not csrf_ok(request, csrf):
        request.state.refusal = {"reason": "login form without a valid CSRF token"}
        return render(request, "login.html", {"next": target, "error": MESSAGES["form"]}, status_code=403)
    state = request.app.state
    found = state.keys.check(key.strip())
    if found is None:
        request.state.refusal = {"reason": "login with a key that is not valid"}
        return render(request, "login.html", {"next": target, "error": "This key is not valid."}, status_code=401)
    state.sessions.end(request.session.get("sid"))
    request.session.clear()  # a new session id and a new CSRF token: nothing from before the login survives
    request.session["sid"] = state.sessions.start(found.name, found.sha256)
    state.audit.record(found, "login", {"via": "web", "client": request.client.host if request.client else None})
    return RedirectResponse(target, status_code=303)


@pages.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    if not csrf_ok(request, csrf):
        request.state.refusal = {"reason": "logout form without a valid CSRF token"}
        return render(request, "error.html", {"status": 403, "title": "Refused",
                                              "message": "The form had expired; reload the page and try again."},
                      status_code=403)  # fmt: skip
    request.app.state.sessions.end(request.session.get("sid"))
    request.session.clear()
    return RedirectResponse("/login?error=logged_out", status_code=303)
