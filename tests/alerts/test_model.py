"""Watched entities normalised as findings store them; channels, schedules and webhook addresses checked."""

from __future__ import annotations

import pytest

from lurewatch.alerts.channels import check_webhook_url
from lurewatch.alerts.model import AlertError, parse_channel, query_from_dict, query_to_dict, schedule_seconds
from lurewatch.alerts.watches import normalise
from lurewatch.index.query import Query


@pytest.mark.parametrize("written", ["+66 81 234 5678", "+66 (0)81-234-5678", "0066 81 234 5678", "+66812345678"])
def test_a_phone_in_any_international_form_is_e164(written: str) -> None:
    assert normalise("phone", written) == "+66812345678"


def test_a_local_phone_needs_its_region() -> None:
    assert normalise("phone", "081-234-5678", region="th") == "+66812345678"
    with pytest.raises(AlertError, match="not one valid phone number") as caught:
        normalise("phone", "081-234-5678")
    assert "--region" in caught.value.hint


@pytest.mark.parametrize("written", ["@HR_KKPark", "hr_kkpark", "https://t.me/HR_KKPark", "t.me/hr_kkpark"])
def test_a_telegram_handle_loses_its_at_link_and_case(written: str) -> None:
    assert normalise("telegram", written) == "hr_kkpark"


def test_emails_domains_wallets_and_image_hashes() -> None:
    assert normalise("email", "HR@EasyJob-Asia.example") == "hr@easyjob-asia.example"
    assert normalise("domain", "https://jobs.Example.co.th/apply") == "example.co.th"
    assert (
        normalise("wallet", "0x52908400098527886E0F7030069857D2E4169EE7")
        == "0x52908400098527886e0f7030069857d2e4169ee7"
    )
    assert normalise("image", "0xA1B2C3D4E5F60718") == "a1b2c3d4e5f60718"
    for kind, value in [("wallet", "0x123"), ("image", "xyz"), ("email", "nobody"), ("telegram", "@ab"), ("fax", "1")]:
        with pytest.raises(AlertError):
            normalise(kind, value)


def test_channels_and_schedules() -> None:
    assert parse_channel("email:analyst@example.org") == ("email", "analyst@example.org")
    assert parse_channel("file:/tmp/a.jsonl") == ("file", "/tmp/a.jsonl")
    assert schedule_seconds("15m") == 900 and schedule_seconds("1d") == 86400
    for bad in ("sms:+6681", "email:not-an-address", "webhook:"):
        with pytest.raises(AlertError):
            parse_channel(bad)
    with pytest.raises(AlertError, match="15m"):
        schedule_seconds("weekly")


def test_webhooks_are_http_and_public_unless_allowed() -> None:
    with pytest.raises(AlertError, match="only http"):
        check_webhook_url("ftp://example.org/hook", allow_private=True)
    with pytest.raises(AlertError, match="non-public address") as caught:
        check_webhook_url("http://127.0.0.1:9/hook", allow_private=False)
    assert "LUREWATCH_WEBHOOK_ALLOW_PRIVATE" in caught.value.hint
    for private in ("http://10.0.0.8/hook", "http://169.254.169.254/latest", "http://[::1]/hook"):
        with pytest.raises(AlertError):
            check_webhook_url(private, allow_private=False)
    check_webhook_url("http://127.0.0.1:9/hook", allow_private=True)


def test_a_saved_query_keeps_what_to_find_not_how_to_page() -> None:
    query = Query("visa -hotel", filters={"country": ["KH", "MM"]}, risk_min=40, bbox=(98, 16, 99, 17), size=5,
                  sort="risk")  # fmt: skip
    saved = query_to_dict(query)
    assert saved == {"text": "visa -hotel", "filters": {"country": ["KH", "MM"]}, "risk_min": 40,
                     "bbox": [98, 16, 99, 17]}  # fmt: skip
    again = query_from_dict(saved, indexed_after="2026-05-01T12:00:00Z")
    assert again.bbox == (98, 16, 99, 17) and again.indexed_after == "2026-05-01T12:00:00+00:00"
