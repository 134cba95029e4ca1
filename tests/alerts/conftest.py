"""Alert tests: settings on either backend that point at a real local SMTP server and webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch.records import Contacts, Finding, Indicator, Location
from lurewatch.settings import Settings, get_settings
from tests.support.receivers import Mailbox, Receiver, free_port, smtp_server, webhook_receiver


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def alert_settings(backend_settings: Settings, monkeypatch: pytest.MonkeyPatch, smtp_port: int) -> Settings:
    """The backend's settings plus SMTP on 127.0.0.1:``smtp_port`` (plain), private webhooks allowed, no settle lag."""
    monkeypatch.setenv("LUREWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LUREWATCH_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("LUREWATCH_SMTP_TLS", "none")
    monkeypatch.setenv("LUREWATCH_SMTP_TIMEOUT", "5")
    monkeypatch.setenv("LUREWATCH_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("LUREWATCH_ALERTS_SETTLE_SECONDS", "0")
    monkeypatch.setenv("LUREWATCH_PUBLIC_URL", "https://lurewatch.example.org")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def mailbox(smtp_port: int) -> Iterator[Mailbox]:
    with smtp_server(smtp_port) as box:
        yield box


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as hook:
        yield hook


@pytest.fixture
def digest_file(tmp_path: Path) -> Path:
    return tmp_path / "digests" / "alerts.jsonl"


def finding(name: str, cluster: str, *, text: str = "Free visa and flight, salary 3000 USD, no experience.",
            phones: list[str] | None = None, risk: int = 80, source: str = "jobboard-kh") -> Finding:  # fmt: skip
    """A lure finding with its own id and the given cluster, place and contacts."""
    return Finding(
        posting_id=f"p-{name}", source=source, source_kind="board", url=f"https://{source}.example/ads/{name}",
        canonical_url=f"https://{source}.example/ads/{name}", fetched_at="2026-05-01T10:00:00+00:00",
        run_id="alerts-test", title=f"Typist wanted in KK Park ({name})", text=text, language="en",
        contacts=Contacts(phones=phones or [], telegram=["hr_kkpark"]), country="MM", compound="KK Park",
        locations=[Location("KK Park", "MM", None, 16.63, 98.55, None, "compound", 0.9)],
        geo={"lat": 16.63, "lon": 98.55},
        indicators=[Indicator("salary_too_high", 25, "3000 USD"), Indicator("free_visa_flight", 20, "visa"),
                    Indicator("no_experience", 15, "no experience"), Indicator("age_limit", 10, "18")],
        risk_score=risk, cluster_id=cluster,
    )  # fmt: skip
