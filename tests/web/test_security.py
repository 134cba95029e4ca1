"""Logins, CSRF and other origins: the cookie holds no key, logout ends the session, a page on another port of
the same host can neither log the victim in as the attacker nor search in the victim's name, and the API docs
need a key and load nothing from elsewhere. Each of these failed before sessions.py."""

from __future__ import annotations

import json
import re
import stat

from fastapi.testclient import TestClient

from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.web.conftest import csrf_of, log_in

ATTACKER = "http://127.0.0.1:9999"  # another port of the same host: the same *site* for SameSite cookies


def _audit(settings: Settings) -> list[dict]:
    if not settings.audit_path.exists():
        return []
    return [json.loads(line) for line in settings.audit_path.read_text().splitlines()]


def test_the_session_cookie_holds_no_key_and_is_strict(client: TestClient, reader: dict) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"key": reader["X-API-Key"], "csrf": token}, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "Max-Age=43200" in cookie
    assert "secure" not in cookie.lower()  # plain HTTP by default: LUREWATCH_COOKIE_SECURE marks it Secure
    assert reader["X-API-Key"] not in cookie and reader["X-API-Key"] not in str(client.cookies)
    assert "lurewatch_key" not in client.cookies


def test_the_session_cookie_is_secure_when_served_over_https(settings: Settings, store: object, reader: dict) -> None:
    app = create_app(settings.model_copy(update={"cookie_secure": True}), store)  # type: ignore[arg-type]
    with TestClient(app, base_url="https://127.0.0.1:8765") as client:
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"key": reader["X-API-Key"], "csrf": token}, follow_redirects=False)
        assert "secure" in response.headers["set-cookie"].lower()


def test_the_session_secret_is_kept_private_in_the_data_folder(client: TestClient, settings: Settings) -> None:
    secret = settings.data_dir / "session_secret"
    assert len(secret.read_text()) >= 48 and stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_logout_ends_the_session_even_for_a_copied_cookie(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    kept = dict(client.cookies)
    assert client.get("/?q=visa").status_code == 200
    token = csrf_of(client.get("/?q=visa").text)
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).headers["location"].startswith("/login")
    client.cookies.clear()
    client.cookies.update(kept)  # the stolen or cached cookie, replayed
    assert client.get("/?q=visa", follow_redirects=False).headers["location"].startswith("/login?next=")


def test_revoking_a_key_ends_its_web_sessions(client: TestClient, reader: dict, settings: Settings) -> None:
    log_in(client, reader["X-API-Key"])
    KeyStore(settings.keys_path).revoke("analyst")
    assert client.get("/?q=visa", follow_redirects=False).status_code == 303


def test_login_and_logout_need_the_forms_csrf_token(client: TestClient, reader: dict) -> None:
    client.get("/login")
    response = client.post("/login", data={"key": reader["X-API-Key"]}, follow_redirects=False)
    assert response.status_code == 403 and "form had expired" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303  # not logged in
    log_in(client, reader["X-API-Key"])
    assert client.post("/logout", data={"csrf": "guess"}).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still logged in


def test_a_page_on_another_port_cannot_log_the_victim_in_as_the_attacker(client: TestClient, settings: Settings) -> None:
    attacker_key = KeyStore(settings.keys_path).add("attacker", "reader")
    token = csrf_of(client.get("/login").text)  # even with a token (cookies do not separate ports)
    for headers in ({"Origin": ATTACKER}, {"Referer": ATTACKER + "/trap.html"}, {"Sec-Fetch-Site": "same-site"}):
        forged = client.post("/login", data={"key": attacker_key, "csrf": token}, headers=headers,
                             follow_redirects=False)  # fmt: skip
        assert forged.status_code == 403, headers
        assert client.get("/", follow_redirects=False).status_code == 303  # the victim is not logged in
    refusals = [e for e in _audit(settings) if e["action"] == "refused"]
    assert len(refusals) == 3 and "cross-origin POST" in refusals[0]["reason"]
    assert not [e for e in _audit(settings) if e["action"] == "login"]


def test_a_page_on_another_port_cannot_search_in_the_victims_name(client: TestClient, reader: dict,
                                                                  settings: Settings) -> None:  # fmt: skip
    log_in(client, reader["X-API-Key"])
    forged = {"Sec-Fetch-Site": "same-site", "Referer": ATTACKER + "/trap.html"}
    for url in ("/?q=forged", "/pivot/phone?value=%2B85512345678", "/findings/x"):
        response = client.get(url, headers=forged)
        assert response.status_code == 403 and "Nothing was searched" in response.text, url
    assert 'href="/?q=forged"' in client.get("/?q=forged", headers=forged).text  # the user may go on, from here
    reads = [e for e in _audit(settings) if e["action"] in ("search", "pivot", "finding")]
    assert reads == []
    own = client.get("/?q=visa", headers={"Sec-Fetch-Site": "same-origin"})
    typed = client.get("/?q=visa", headers={"Sec-Fetch-Site": "none"})
    assert own.status_code == typed.status_code == 200


def test_the_api_never_accepts_the_session_cookie(client: TestClient, reader: dict) -> None:
    log_in(client, reader["X-API-Key"])
    assert client.get("/api/search?q=visa").status_code == 401


def test_login_error_shows_only_known_messages(client: TestClient) -> None:
    page = client.get("/login", params={"error": "Your key expired. Call +1 555 0100 to renew it"}).text
    assert "555" not in page and 'role="alert"' not in page
    assert "You are logged out." in client.get("/login?error=logged_out").text


def test_login_never_redirects_off_site(client: TestClient, reader: dict) -> None:
    token = csrf_of(client.get("/login").text)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post("/login", data={"key": reader["X-API-Key"], "csrf": token, "next": target},
                               follow_redirects=False)  # fmt: skip
        assert response.headers["location"] == "/"
        token = csrf_of(client.get("/login").text)


def test_api_docs_need_a_key_and_load_nothing_from_elsewhere(client: TestClient, reader: dict) -> None:
    assert client.get("/api/docs", follow_redirects=False).headers["location"].startswith("/login?next=%2Fapi%2Fdocs")
    assert client.get("/api/openapi.json").status_code == 401
    log_in(client, reader["X-API-Key"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "unsafe-inline" not in docs.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets)
    assert "<script>" not in docs.text  # no inline script
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/api/openapi.json").json()["info"]["title"] == "LureWatch"
