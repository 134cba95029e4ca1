"""The alerts service: make, list, change and remove alerts and watches; evaluate the due ones and deliver.

The CLI, the HTTP API and the Airflow DAG all call these functions. An evaluation reads the findings indexed
since each channel's watermark (``Query.indexed_after``), groups them by cluster, drops the clusters that
channel already received, and delivers one digest per alert and channel. Only when the channel accepted it
do the clusters count as alerted and the watermark move, so a failed channel gets the same digest next run.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lurewatch.alerts.channels import ChannelError, check_webhook_url, deliver
from lurewatch.alerts.digest import SHOWN, Digest, group_by_cluster, make_lure
from lurewatch.alerts.model import (
    DEFAULT_SCHEDULE,
    WATCH_KINDS,
    Alert,
    AlertError,
    Channel,
    check_query,
    now_iso,
    parse_channel,
    schedule_seconds,
)
from lurewatch.alerts.store import AlertStore, open_alert_store
from lurewatch.alerts.watches import normalise
from lurewatch.index.query import MAX_SIZE, Hit, Query, QueryError

if TYPE_CHECKING:
    from lurewatch.index.base import Index
    from lurewatch.records import Finding
    from lurewatch.settings import Settings

log = logging.getLogger(__name__)
ES_WORKERS = 4  # alerts evaluated at once on Elasticsearch
RECORD_EVERY = 100  # alerts whose deliveries are recorded together (a crash re-sends at most these)


# --- making and changing alerts ----------------------------------------------------------------------------


def checked_channels(targets: list[str], settings: Settings, allow_files: bool = True) -> list[str]:
    """Channel targets as stored: files as absolute paths; webhooks checked (scheme, public host)."""
    if not targets:
        raise AlertError("an alert needs at least one channel", hint="e.g. --channel email:analyst@example.org")
    checked = []
    for target in targets:
        kind, address = parse_channel(target)
        if kind == "file":
            if not allow_files:
                raise AlertError("file channels are set up from the command line only; use email: or webhook:")
            address = str(Path(address).expanduser().resolve())
        if kind == "webhook":
            check_webhook_url(address, settings.webhook_allow_private)
        checked.append(f"{kind}:{address}")
    return list(dict.fromkeys(checked))


def _clean_name(name: str) -> str:
    """One line of text: a name ends up in email subjects and chat messages."""
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in name).split())
    if not cleaned:
        raise AlertError("an alert needs a name")
    return cleaned[:200]


def _unique_name(store: AlertStore, owner: str, name: str, alert_id: str | None = None) -> None:
    for other in store.list(owner, name):
        if other["id"] != alert_id:
            raise AlertError(f"{owner!r} has an alert named {name!r} already", hint="pick another name")


def add_search(store: AlertStore, settings: Settings, *, name: str, owner: str, query: dict[str, Any],
               channels: list[str], schedule: str = DEFAULT_SCHEDULE, min_risk: int = 0,
               allow_files: bool = True) -> Alert:  # fmt: skip
    """Save a search that alerts on findings indexed from now on."""
    check_query(query)
    schedule_seconds(schedule)
    _check_risk(min_risk)
    name = _clean_name(name)
    _unique_name(store, owner, name)
    start = now_iso()
    targets = checked_channels(channels, settings, allow_files)
    alert = Alert(name=name, owner=owner, query=query, channels=[Channel(t, start) for t in targets],
                  schedule=schedule, min_risk=min_risk, created_at=start, updated_at=start)  # fmt: skip
    store.put(alert.to_dict())
    return alert


def add_watch(store: AlertStore, settings: Settings, *, kind: str, value: str, owner: str, channels: list[str],
              region: str | None = None, name: str | None = None, schedule: str = DEFAULT_SCHEDULE,
              min_risk: int = 0, allow_files: bool = True) -> Alert:  # fmt: skip
    """Watch an entity: alert whenever it appears in a new finding, from any source; watch a network: alert when
    it gains a new phone, handle, source or country."""
    stored = normalise(kind, value, region)
    kind = kind.strip().lower()
    if kind == "network":
        from lurewatch.alerts.network_watch import current_network

        stored = current_network(settings, stored)
    name = _clean_name(name or f"{kind} {stored}")
    schedule_seconds(schedule)
    _check_risk(min_risk)
    _unique_name(store, owner, name)
    start = now_iso()
    targets = checked_channels(channels, settings, allow_files)
    alert = Alert(name=name, owner=owner, kind="watch", query={"text": "*", "filters": {WATCH_KINDS[kind]: [stored]}},
                  watch={"kind": kind, "value": stored, "written": value}, channels=[Channel(t, start) for t in targets],
                  schedule=schedule, min_risk=min_risk, created_at=start, updated_at=start)  # fmt: skip
    store.put(alert.to_dict())
    return alert


def _check_risk(min_risk: int) -> None:
    if not 0 <= min_risk <= 100:
        raise AlertError(f"the minimum risk is a score from 0 to 100, not {min_risk}")


def find(store: AlertStore, ref: str, owner: str | None = None, kind: str | None = None) -> Alert:
    """An alert by id or by name (of ``owner``, when given)."""
    found = store.get(ref)
    if found is None or (owner is not None and found["owner"] != owner):
        named = store.list(owner, ref)
        if len(named) > 1:
            raise AlertError(f"several owners have an alert named {ref!r}", hint="use its id (see `alerts list`)")
        found = named[0] if named else None
    if found is None or (kind is not None and found.get("kind") != kind):
        raise AlertError(f"no {'watch' if kind == 'watch' else 'alert'} {ref!r}")
    return Alert.from_dict(found)


def list_alerts(store: AlertStore, owner: str | None = None, kind: str | None = None) -> list[Alert]:
    alerts = [Alert.from_dict(a) for a in store.list(owner)]
    return [a for a in alerts if kind is None or a.kind == kind]


def update(store: AlertStore, settings: Settings, alert: Alert, *, name: str | None = None,
           query: dict[str, Any] | None = None, channels: list[str] | None = None, schedule: str | None = None,
           min_risk: int | None = None, paused: bool | None = None, allow_files: bool = True) -> Alert:  # fmt: skip
    """Change an alert; a new channel starts from now, kept channels keep their state."""
    if name is not None and _clean_name(name) != alert.name:
        name = _clean_name(name)
        _unique_name(store, alert.owner, name, alert.id)
        alert.name = name
    if query is not None:
        if alert.kind == "watch":
            raise AlertError("a watch's query follows its entity; remove it and watch another")
        check_query(query)
        alert.query = query
    if channels is not None:
        kept = {c.target: c for c in alert.channels}
        start = now_iso()
        alert.channels = [kept.get(t) or Channel(t, start) for t in checked_channels(channels, settings, allow_files)]
    if schedule is not None:
        schedule_seconds(schedule)
        alert.schedule = schedule
    if min_risk is not None:
        _check_risk(min_risk)
        alert.min_risk = min_risk
    if paused is not None:
        alert.paused = paused
    alert.updated_at = now_iso()
    store.put(alert.to_dict())
    return alert


def remove(store: AlertStore, alert: Alert) -> None:
    store.delete(alert.id)


# --- evaluation and delivery -------------------------------------------------------------------------------


@dataclass
class RunStats:
    """What one ``alerts run`` did; ``failures`` lists each channel that did not accept its digest."""

    alerts: int = 0
    evaluated: int = 0
    not_due: int = 0
    paused: int = 0
    matches: int = 0
    new_clusters: int = 0  # lures (clusters) sent by an alert to at least one channel
    reposts: int = 0  # their other members, counted as "+N reposts"
    delivered: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def add(self, other: RunStats) -> None:
        for name in ("evaluated", "matches", "new_clusters", "reposts", "delivered", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures.extend(other.failures)


def read_matches(index: Index, query: Query) -> list[Hit]:
    """Every hit of ``query``: one plain page when it fits, then cursors (no point in time for small windows)."""
    query.size, query.facets, query.sort = MAX_SIZE, (), "oldest"
    hits: list[Hit] = []
    while True:
        result = index.search(query)
        hits.extend(result.hits)
        if result.next_cursor is None:
            return hits
        query.cursor = result.next_cursor


class Evaluation:
    """One alert's run: reads the window once per distinct watermark, builds each digest once."""

    def __init__(self, alert: Alert, index: Index, store: AlertStore, settings: Settings, stats: RunStats,
                 findings: dict[str, Finding]) -> None:  # fmt: skip
        self.alert, self.index, self.store, self.settings, self.stats = alert, index, store, settings, stats
        self.windows: dict[str, dict[str, list[Hit]]] = {}
        self.findings = findings  # shared by the run's alerts: many show the same lures
        self.sent: dict[str, int] = {}  # cluster -> reposts, over the channels that accepted a digest
        self.marks: list[tuple[str, str, str]] = []  # (alert, channel, cluster) delivered, to record

    def clusters_since(self, watermark: str) -> dict[str, list[Hit]]:
        if watermark not in self.windows:
            query = self.alert.saved_query(indexed_after=watermark)
            if self.network:
                query.filters["network"] = [self.network]
            hits = read_matches(self.index, query)
            self.stats.matches += len(hits)
            self.windows[watermark] = group_by_cluster(hits)
            if self.network:
                self.windows[watermark] = self._gains(self.windows[watermark])
        return self.windows[watermark]

    @property
    def network(self) -> str | None:
        """The watched network as it goes by now (a network merged into another leads there)."""
        if not self.alert.watch or self.alert.watch["kind"] != "network":
            return None
        if self._network is None:
            from lurewatch.alerts.network_watch import current_network

            self._network = current_network(self.settings, self.alert.watch["value"])
        return self._network

    _network: str | None = None

    def _gains(self, clusters: dict[str, list[Hit]]) -> dict[str, list[Hit]]:
        """The clusters that bring the network something it had not (and what, in the digest's description)."""
        from lurewatch.alerts.network_watch import gains

        wanted = [h.posting_id for members in clusters.values() for h in members if h.posting_id not in self.findings]
        self.findings.update((f.posting_id, f) for f in self.index.get_many(wanted))
        kept, new = gains(self.settings, self.network or "", clusters, self.findings)
        if new:
            shown = ", ".join(item.replace(":", " ", 1) for item in new[:12]) + (" …" if len(new) > 12 else "")
            self.gained = f"network {self.network} gained {shown}"
        return kept

    gained: str | None = None

    def digest(self, channel: Channel, new: dict[str, list[Hit]], at: str) -> Digest:
        lures = [make_lure(c, members, self.settings.public_url) for c, members in new.items()]
        lures.sort(key=lambda lure: (-lure.risk_score, lure.fetched_at, lure.cluster_id))
        shown = lures[:SHOWN]
        missing = [lure.finding_id for lure in shown if lure.finding_id not in self.findings]
        if missing:
            self.findings.update((f.posting_id, f) for f in self.index.get_many(missing))
        for lure in shown:
            if lure.finding_id in self.findings:
                lure.add_details(self.findings[lure.finding_id])
        return Digest(self.alert.id, self.alert.name, self.alert.owner, channel.target,
                      self.gained or self.alert.describe(), at, lures)  # fmt: skip

    def run(self, started: datetime) -> list[Channel]:
        """Deliver to each channel; returns the channels with their new state."""
        at = started.isoformat(timespec="seconds")
        settled = (started - timedelta(seconds=self.settings.alerts_settle_seconds)).isoformat(timespec="seconds")
        for channel in self.alert.channels:
            clusters = self.clusters_since(channel.watermark)
            already = self.store.alerted(self.alert.id, channel.target, list(clusters)) if clusters else set()
            new = {c: members for c, members in clusters.items() if c not in already}
            if new:
                digest = self.digest(channel, new, at)
                try:
                    deliver(channel.target, digest, self.settings)
                except ChannelError as exc:
                    channel.failures += 1
                    channel.last_error = str(exc)
                    self.stats.failed += 1
                    self.stats.failures.append({"alert": self.alert.name, "alert_id": self.alert.id,
                                                "channel": channel.target, "error": str(exc)})  # fmt: skip
                    log.warning("alert %s: channel %s failed: %s", self.alert.name, channel.target, exc)
                    continue
                self.marks.extend((self.alert.id, channel.target, cluster) for cluster in new)
                channel.delivered += 1
                channel.last_delivered_at = at
                self.stats.delivered += 1
                for lure in digest.lures:
                    self.sent[lure.cluster_id] = lure.reposts
                log.info("alert %s: %s to %s", self.alert.name, digest.headline(), channel.target)
            channel.failures, channel.last_error = 0, None
            # Findings stamped before ``settled`` are searchable by now; later ones are read again next run
            # (their clusters, once alerted, are not sent twice).
            channel.watermark = max(channel.watermark, settled)
        self.stats.new_clusters += len(self.sent)
        self.stats.reposts += sum(self.sent.values())
        return self.alert.channels


def run_alerts(settings: Settings, *, force: bool = False, index: Index | None = None,
               store: AlertStore | None = None, only: list[str] | None = None) -> RunStats:  # fmt: skip
    """Evaluate every due alert and watch (all of them with ``force``; those named in ``only``) and deliver."""
    from lurewatch.index.base import open_index

    clock = time.perf_counter()
    stats = RunStats()
    findings: dict[str, Finding] = {}
    own_index, own_store = index is None, store is None
    index = index or open_index(settings)
    store = store or open_alert_store(settings)
    due: list[Alert] = []
    try:
        for alert in list_alerts(store):
            stats.alerts += 1
            if only is not None and alert.id not in only and alert.name not in only:
                continue
            if alert.paused:
                stats.paused += 1
            elif not force and not alert.due(datetime.now(UTC)):
                stats.not_due += 1
            else:
                due.append(alert)

        def evaluate(alert: Alert) -> tuple[RunStats, Alert, list[tuple[str, str, str]]]:
            own = RunStats(evaluated=1)
            started = datetime.now(UTC)
            evaluation = Evaluation(alert, index, store, settings, own, findings)
            try:
                evaluation.run(started)
            except QueryError as exc:  # saved by an older version, say: this alert fails, the others run
                own.failed += 1
                own.failures.append({"alert": alert.name, "alert_id": alert.id, "channel": "-",
                                     "error": f"its query cannot run: {exc}"})  # fmt: skip
                return own, alert, []
            alert.last_run_at = started.isoformat(timespec="seconds")
            return own, alert, evaluation.marks

        # Elasticsearch answers several alerts' searches at once; one SQLite connection is used by one thread.
        workers = ES_WORKERS if index.backend == "elasticsearch" else 1
        pending: list[tuple[RunStats, Alert, list[tuple[str, str, str]]]] = []
        try:
            with ThreadPoolExecutor(workers, thread_name_prefix="lurewatch-alerts") as pool:
                for result in pool.map(evaluate, due) if workers > 1 else map(evaluate, due):
                    stats.add(result[0])
                    pending.append(result)
                    if len(pending) >= RECORD_EVERY:
                        _record(store, pending)
                        pending = []
        finally:
            _record(store, pending)  # what was delivered is recorded even when a later alert broke the run
    finally:
        if own_index:
            index.close()
        if own_store:
            store.close()
    stats.seconds = round(time.perf_counter() - clock, 3)
    return stats


def _record(store: AlertStore, results: list[tuple[RunStats, Alert, list[tuple[str, str, str]]]]) -> None:
    """Record delivered clusters, then each alert's channel state onto the alert as stored now (it may have been
    edited meanwhile). In that order: a crash between the two re-reads a window whose clusters are known."""
    if not results:
        return
    marks = [mark for _, _, alert_marks in results for mark in alert_marks]
    if marks:
        store.mark_alerted(marks, now_iso())
    current = {a["id"]: a for a in store.get_many([alert.id for _, alert, _ in results])}
    updated = []
    for _, alert, _ in results:
        if alert.id not in current:
            continue  # removed while it ran
        fresh = Alert.from_dict(current[alert.id])
        states = {c.target: c for c in alert.channels}
        fresh.channels = [states.get(c.target, c) for c in fresh.channels]
        fresh.last_run_at = alert.last_run_at
        updated.append(fresh.to_dict())
    store.put_many(updated)
