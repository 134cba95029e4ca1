"""Alerts end to end on both backends, with a real SMTP server and a real webhook receiver on 127.0.0.1.

What the issue asks to see: a new lure cluster alerts once and its repost does not; a watched phone written
in another format alerts; with SMTP down the watermark stays, and the next run delivers exactly once.
"""

from __future__ import annotations

import json
from pathlib import Path

from lurewatch.alerts import service
from lurewatch.alerts.model import Alert, now_iso
from lurewatch.alerts.store import open_alert_store
from lurewatch.index.base import open_index
from lurewatch.records import Finding
from lurewatch.settings import Settings
from tests.alerts.conftest import finding
from tests.support.receivers import Mailbox, Receiver, smtp_server


def _index(settings: Settings, *findings: Finding) -> None:
    index = open_index(settings)
    try:
        assert index.upsert(list(findings)).written == len(findings)
    finally:
        index.close()


def _stored(settings: Settings, alert_id: str) -> Alert:
    store = open_alert_store(settings)
    try:
        found = store.get(alert_id)
        assert found is not None
        return Alert.from_dict(found)
    finally:
        store.close()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_new_lure_cluster_alerts_once_and_its_repost_does_not(
    alert_settings: Settings, mailbox: Mailbox, receiver: Receiver, digest_file: Path
) -> None:
    store = open_alert_store(alert_settings)
    alert = service.add_search(store, alert_settings, name="visa lures", owner="analyst", query={"text": "visa"},
                               channels=["email:analyst@example.org", f"webhook:{receiver.url}",
                                         f"file:{digest_file}"])  # fmt: skip
    store.close()
    _index(alert_settings, finding("first", "cluster-1"), finding("hotel", "cluster-9", text="Hotel receptionist."))

    stats = service.run_alerts(alert_settings)
    assert (stats.evaluated, stats.delivered, stats.failed, stats.new_clusters) == (1, 3, 0, 1)

    (message,) = mailbox.messages
    assert message["To"] == "analyst@example.org"
    assert message["Subject"] == "[LureWatch] visa lures: 1 new lure"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Typist wanted in KK Park (first)" in plain and "https://lurewatch.example.org/findings/p-first" in plain
    assert "salary_too_high 25, free_visa_flight 20, no_experience 15" in plain  # top three indicators
    assert "place: KK Park (MM)" in plain and "@hr_kkpark" in plain
    assert '<a href="https://lurewatch.example.org/findings/p-first">' in html
    assert "hotel" not in plain.lower()

    (body,) = receiver.bodies
    assert "visa lures" in body["text"] and "1 new lure" in body["text"]
    (attachment,) = body["attachments"]
    assert attachment["title_link"] == "https://lurewatch.example.org/findings/p-first"
    assert attachment["title"].startswith("[risk 80] Typist wanted")

    (line,) = _lines(digest_file)
    assert line["matches"] == [{"finding_id": "p-first", "cluster_id": "cluster-1",
                                "url": "https://jobboard-kh.example/ads/first", "risk_score": 80}]  # fmt: skip

    # A repost of the same lure, on another source: same cluster, so nothing new to tell.
    _index(alert_settings, finding("repost", "cluster-1", source="social-groups"))
    stats = service.run_alerts(alert_settings, force=True)
    assert stats.matches >= 1  # the repost was read (with the first post too, when indexed in the same second)
    assert (stats.evaluated, stats.delivered, stats.new_clusters) == (1, 0, 0)
    assert len(mailbox.messages) == 1 and len(receiver.bodies) == 1 and len(_lines(digest_file)) == 1

    # A new lure with a repost in the same batch: one lure, "+1 reposts".
    _index(alert_settings, finding("second", "cluster-2", risk=90), finding("second-copy", "cluster-2", risk=70))
    stats = service.run_alerts(alert_settings, force=True)
    assert (stats.delivered, stats.new_clusters, stats.reposts) == (3, 1, 1)
    assert mailbox.messages[-1]["Subject"] == "[LureWatch] visa lures: 1 new lure (+1 reposts)"
    assert "+1 reposts" in mailbox.messages[-1].get_body(("plain",)).get_content()
    last = _lines(digest_file)[-1]
    assert [m["finding_id"] for m in last["matches"]] == ["p-second", "p-second-copy"]
    assert last["lures"][0]["finding_id"] == "p-second" and last["reposts"] == 1
    assert _stored(alert_settings, alert.id).channels[0].delivered == 2


def test_watched_phone_written_in_another_format_alerts(alert_settings: Settings, receiver: Receiver) -> None:
    store = open_alert_store(alert_settings)
    watch = service.add_watch(store, alert_settings, kind="phone", value="081-234-5678", region="TH", owner="analyst",
                              channels=[f"webhook:{receiver.url}"])  # fmt: skip
    store.close()
    assert watch.watch == {"kind": "phone", "value": "+66812345678", "written": "081-234-5678"}
    _index(alert_settings,
           finding("watched", "cluster-w", phones=["+66812345678"], text="Call the manager, no visa talk here."),
           finding("other", "cluster-o", phones=["+85512345678"]))  # fmt: skip

    stats = service.run_alerts(alert_settings)

    assert (stats.delivered, stats.new_clusters) == (1, 1)
    (body,) = receiver.bodies
    assert [a["title_link"].rsplit("/", 1)[1] for a in body["attachments"]] == ["p-watched"]
    assert "+66812345678" in body["attachments"][0]["text"]
    assert "phone +66812345678" in body["text"]


def test_smtp_down_keeps_the_watermark_and_the_next_run_delivers_exactly_once(
    alert_settings: Settings, smtp_port: int
) -> None:
    store = open_alert_store(alert_settings)
    alert = service.add_search(store, alert_settings, name="kk park", owner="analyst",
                               query={"text": "*", "filters": {"compound": ["KK Park"]}},
                               channels=["email:analyst@example.org"], min_risk=50)  # fmt: skip
    made = "2026-01-01T00:00:00+00:00"  # an alert made a while ago, so that a moved watermark shows
    alert.channels[0].watermark = made
    store.put(alert.to_dict())
    store.close()
    _index(alert_settings, finding("a", "cluster-a"), finding("low", "cluster-low", risk=20))

    # Nothing listens on the SMTP port.
    down = service.run_alerts(alert_settings)
    assert (down.delivered, down.failed) == (0, 1)
    (failure,) = down.failures
    assert failure["channel"] == "email:analyst@example.org" and "unreachable" in failure["error"]
    (channel,) = _stored(alert_settings, alert.id).channels
    assert channel.watermark == made  # it did not move
    assert channel.failures == 1 and channel.delivered == 0 and "unreachable" in (channel.last_error or "")

    before = now_iso()
    with smtp_server(smtp_port) as mailbox:
        up = service.run_alerts(alert_settings)  # due at once: a channel failed
        again = service.run_alerts(alert_settings, force=True)
    assert (up.delivered, up.failed, up.new_clusters) == (1, 0, 1)
    assert (again.delivered, again.failed) == (0, 0)
    (message,) = mailbox.messages
    assert "(a)" in message.get_body(("plain",)).get_content() and "(low)" not in message.as_string()
    (channel,) = _stored(alert_settings, alert.id).channels
    assert channel.failures == 0 and channel.delivered == 1 and channel.watermark >= before


def test_a_failed_channel_does_not_hold_back_the_others(
    alert_settings: Settings, receiver: Receiver, digest_file: Path
) -> None:
    store = open_alert_store(alert_settings)
    service.add_search(store, alert_settings, name="visa", owner="analyst", query={"text": "visa"},
                       channels=[f"webhook:{receiver.url}", f"file:{digest_file}"])  # fmt: skip
    store.close()
    _index(alert_settings, finding("x", "cluster-x"))
    receiver.status = 500

    first = service.run_alerts(alert_settings)
    receiver.status = 200
    second = service.run_alerts(alert_settings)

    assert (first.delivered, first.failed) == (1, 1) and "HTTP 500" in first.failures[0]["error"]
    assert (second.delivered, second.failed) == (1, 0)
    assert len(receiver.bodies) == 1 and len(_lines(digest_file)) == 1  # the file got it once, not twice


def test_paused_and_not_due_alerts_are_skipped(alert_settings: Settings, digest_file: Path) -> None:
    store = open_alert_store(alert_settings)
    paused = service.add_search(store, alert_settings, name="paused", owner="a", query={"text": "visa"},
                                channels=[f"file:{digest_file}"])  # fmt: skip
    service.update(store, alert_settings, paused, paused=True)
    daily = service.add_search(store, alert_settings, name="daily", owner="a", query={"text": "visa"},
                               channels=[f"file:{digest_file}"], schedule="1d")  # fmt: skip
    store.close()
    _index(alert_settings, finding("x", "cluster-x"))

    first = service.run_alerts(alert_settings)
    second = service.run_alerts(alert_settings)

    assert (first.evaluated, first.paused, first.delivered) == (1, 1, 1)
    assert (second.evaluated, second.not_due, second.paused) == (0, 1, 1)
    assert [line["alert_id"] for line in _lines(digest_file)] == [daily.id]
