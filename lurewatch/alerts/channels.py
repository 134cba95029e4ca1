"""Delivery of a digest: SMTP email (plain text and HTML), a JSON webhook (Slack/Mattermost), a JSON-lines file.

``deliver`` returns when the channel accepted the digest and raises ``ChannelError`` otherwise; the caller
moves the alert's watermark only on return. Secrets (the SMTP password) never appear in an error message.
"""

from __future__ import annotations

import ipaddress
import json
import os
import smtplib
import socket
import ssl
import threading
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lurewatch.alerts.digest import Digest, render_html, render_text, webhook_body
from lurewatch.alerts.model import AlertError, parse_channel

if TYPE_CHECKING:
    from lurewatch.settings import Settings


class ChannelError(Exception):
    """A channel did not accept a digest; the message says why (never with a secret)."""


def check_webhook_url(url: str, allow_private: bool) -> None:
    """Only http(s); hosts that resolve to loopback, private, link-local or reserved addresses need a setting."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AlertError(f"webhook {url!r}: only http:// and https:// URLs with a host are accepted")
    if allow_private:
        return
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, UnicodeError) as exc:
        raise AlertError(f"webhook {url!r}: cannot resolve {parts.hostname}: {exc}") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise AlertError(
                f"webhook {url!r}: {parts.hostname} is a non-public address ({ip})",
                hint="set LUREWATCH_WEBHOOK_ALLOW_PRIVATE=true to post to hosts on your own network",
            )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead a checked public URL to an internal one: refuse to follow it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} not followed", headers, fp)


def send_webhook(url: str, digest: Digest, settings: Settings) -> None:
    try:
        check_webhook_url(url, settings.webhook_allow_private)
    except AlertError as exc:
        raise ChannelError(str(exc)) from exc
    body = json.dumps(webhook_body(digest), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "LureWatch alerts", "X-LureWatch-Digest": digest.digest_id,
    })  # fmt: skip
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=settings.webhook_timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"webhook {urlsplit(url).netloc} answered HTTP {exc.code}: {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"webhook {urlsplit(url).netloc} unreachable: {reason}") from exc
    if not 200 <= status < 300:
        raise ChannelError(f"webhook {urlsplit(url).netloc} answered HTTP {status}")


def email_message(address: str, digest: Digest, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[LureWatch] {digest.alert_name}: {digest.headline()}"
    message["From"] = settings.smtp_from
    message["To"] = address
    message["Message-ID"] = make_msgid(idstring=digest.digest_id, domain="lurewatch")
    message["X-LureWatch-Digest"] = digest.digest_id
    message.set_content(render_text(digest))
    message.add_alternative(render_html(digest), subtype="html")
    return message


def send_email(address: str, digest: Digest, settings: Settings) -> None:
    if not settings.smtp_host:
        raise ChannelError("no SMTP server: set LUREWATCH_SMTP_HOST (and _PORT, _TLS, _USER, _PASSWORD)")
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        message = email_message(address, digest, settings)
    except ValueError as exc:  # a header the email library refuses
        raise ChannelError(f"cannot write the email to {address}: {exc}") from exc
    try:
        if settings.smtp_tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout,
                                                  context=ssl.create_default_context())  # fmt: skip
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        with smtp:
            if settings.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise ChannelError(f"SMTP {server} refused the login of {settings.smtp_user!r} ({exc.smtp_code})") from exc
    except smtplib.SMTPException as exc:
        raise ChannelError(f"SMTP {server}: {type(exc).__name__}: {exc}") from exc
    except (OSError, ssl.SSLError) as exc:
        raise ChannelError(f"SMTP {server} unreachable: {exc}") from exc
    if refused:
        raise ChannelError(f"SMTP {server} refused the recipient {address}")


_FILE_LOCK = threading.Lock()  # alerts evaluated in parallel may append to the same file


def append_file(path: str, digest: Digest) -> None:
    """One JSON line per digest, flushed to disk before the digest counts as delivered."""
    target = Path(path)
    line = json.dumps(digest.to_line(), ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _FILE_LOCK, target.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise ChannelError(f"cannot append to {target}: {exc}") from exc


def deliver(target: str, digest: Digest, settings: Settings) -> None:
    """Hand ``digest`` to the channel ``target`` (``email:``, ``webhook:`` or ``file:``)."""
    kind, address = parse_channel(target)
    if kind == "email":
        send_email(address, digest, settings)
    elif kind == "webhook":
        send_webhook(address, digest, settings)
    else:
        append_file(address, digest)
