"""Candidate sources: collected from indexed findings, ranked, reviewed by an analyst (CLI, HTTP and UI alike).

Ranking (``score``, 0-100, highest first; ties: first seen earliest, then the key):

    0.45 × highest risk of the findings that name it
  + 0.25 × their mean risk
  + 15 × min(networks, 5) / 5     (networks: distinct network ids; clusters where a finding has none)
  + 10 × min(findings, 10) / 10
  + 5 when a mention says it is a place that publishes (t.me/s/, a post link, "channel @x", an invite, a page)

Risk weighs most because a candidate is worth a crawl when what points to it is a lure; spread over networks
comes next (many groups of recruiters point there), then volume. Nothing is ever crawled automatically.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lurewatch.discovery.mentions import KINDS, mentions_in, telegram_mentions
from lurewatch.discovery.store import DiscoveryStore, MentionRow, Review
from lurewatch.errors import LureWatchError

if TYPE_CHECKING:
    from lurewatch.index.base import Index
    from lurewatch.records import Finding
    from lurewatch.settings import Settings

logger = logging.getLogger(__name__)
STATUSES = ("new", "approved", "rejected", "snoozed", "configured")
BATCH = 500  # findings read from the index per call
FORWARDED = "tgme_widget_message_forwarded_from_name"  # the "Forwarded from" link of a channel preview post
Markup = tuple[tuple[str, ...], tuple[str, ...]]  # (links behind the words, "forwarded from" links)


class CandidateError(LureWatchError):
    """A candidate cannot be found or reviewed as asked."""

    hint = "`lurewatch candidates list --status all` lists every candidate with its key"


@dataclass
class Candidate:
    """A place to crawl next, with the evidence for it and the analyst's decision."""

    key: str
    kind: str
    name: str
    url: str
    forms: list[str]
    findings: list[str]  # posting ids, first seen first
    sources: list[str]
    networks: int
    network_basis: str  # network | cluster (the findings carry no network id yet)
    first_seen: str
    last_seen: str
    risk_max: int
    risk_mean: float
    score: float = 0.0
    status: str = "new"
    reason: str = ""
    until: str | None = None
    reviewer: str = ""
    reviewed_at: str = ""
    source_file: str = ""
    titles: list[str] = field(default_factory=list)  # of the findings, in the same order

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def store_path(settings: Settings) -> Path:
    return settings.data_dir / "discovery.sqlite"


def candidates_dir(settings: Settings) -> Path:
    """Where approved candidates' source YAMLs are written: checked by ``lurewatch sources``, never scheduled."""
    return settings.sources_dir / "candidates"


def open_store(settings: Settings) -> DiscoveryStore:
    return DiscoveryStore(store_path(settings))


def mention_rows(finding: Finding, markup: Markup | None = None) -> list[MentionRow]:
    """The candidates a finding names (its own site is no job-board candidate), with its posting's ``markup``.

    Links behind a post's words and "forwarded from" are read from the markup: a link to a post or a preview is
    a channel, and a forward names the channel it came from. A bare ``t.me/<name>`` behind an ``@name`` is not:
    on Telegram every @mention is such a link, people's included.
    """
    text = f"{finding.title}\n{finding.text}"
    found = mentions_in(text)
    if any(m.kind == "jobboard" for m in found):  # the finding's own site is configured already
        from lurewatch.enrichment.links import registered_domain

        own = registered_domain(finding.url) if finding.url else ""
        found = [m for m in found if not (m.kind == "jobboard" and m.name == own)]
    links, forwards = markup or ((), ())
    extra = [m for url in (*finding.contacts.urls, *links) for m in telegram_mentions(url) if m.form != "link"]
    extra += [replace(m, form="forward") for url in forwards for m in telegram_mentions(url)]
    keys = {m.key for m in found}
    found += [m for m in extra if m.key not in keys]
    network = str(getattr(finding, "network_id", "") or "")  # findings carry it once networks are built
    seen = finding.first_seen or finding.fetched_at
    return [
        MentionRow(m.key, finding.posting_id, m.kind, m.name, m.url, m.form, seen, finding.risk_score,
                   finding.cluster_id, network, finding.source, finding.title[:200])
        for m in found
    ]  # fmt: skip


def record_findings(store: DiscoveryStore, findings: Iterable[Finding], markup: dict[str, Markup] | None = None) -> int:
    """Record what these findings name; a finding seen again replaces its earlier mentions. Returns the mentions."""
    total = 0
    batch: list[Finding] = []
    markup = markup or {}

    def flush() -> int:
        rows = [row for finding in batch for row in mention_rows(finding, markup.get(finding.posting_id))]
        return store.replace_mentions([f.posting_id for f in batch], rows)

    for finding in findings:
        batch.append(finding)
        if len(batch) >= BATCH:
            total += flush()
            batch = []
    if batch:
        total += flush()
    return total


def update_from_index(
    index: Index, settings: Settings, posting_ids: list[str] | None = None, markup: dict[str, Markup] | None = None
) -> dict[str, int]:
    """Read findings from the index (all of them, or ``posting_ids``) and record what they name."""
    from lurewatch.index.query import Query

    store = open_store(settings)

    def findings() -> Iterator[Finding]:
        if posting_ids is None:
            ids = [hit.posting_id for hit in index.iterate(Query(sort="newest", facets=()))]
        else:
            ids = posting_ids
        for start in range(0, len(ids), BATCH):
            yield from index.get_many(ids[start : start + BATCH])

    read = [0]

    def counted() -> Iterator[Finding]:
        for finding in findings():
            read[0] += 1
            yield finding

    mentions = record_findings(store, counted(), markup)
    return {"findings": read[0], "mentions": mentions, **{f"all_{k}": v for k, v in store.counts().items()}}


def update_from_run(run_path: Path, index: Index, settings: Settings) -> dict[str, int]:
    """After a run is indexed: record what its findings name (read back from the index, with their network id)."""
    from lurewatch.records import Finding
    from lurewatch.run_folder import FINDINGS, read_jsonl_numbered

    ids = [f.posting_id for _, f, _ in read_jsonl_numbered(run_path / FINDINGS, Finding) if f is not None]
    return update_from_index(index, settings, ids, postings_markup(run_path))


def postings_markup(run_path: Path) -> dict[str, Markup]:
    """Per posting of a run: the links behind its words and the channels it was forwarded from."""
    from parsel import Selector

    from lurewatch.records import Posting
    from lurewatch.run_folder import POSTINGS, read_jsonl_numbered

    found: dict[str, Markup] = {}
    if not (run_path / POSTINGS).exists():
        return found
    for _, posting, _ in read_jsonl_numbered(run_path / POSTINGS, Posting):
        if posting is None:
            continue
        links = tuple(line for line in posting.fields.get("links", "").splitlines() if line)
        forwards: tuple[str, ...] = ()
        if FORWARDED in posting.html:
            forwards = tuple(Selector(text=posting.html).css(f"a.{FORWARDED}::attr(href)").getall())
        if links or forwards:
            found[posting.posting_id] = (links, forwards)
    return found


def configured_keys(settings: Settings) -> set[str]:
    """Candidate keys that the sources folder (with its candidates/ subfolder) already crawls."""
    from lurewatch.crawlers.source import load_source
    from lurewatch.enrichment.links import registered_domain

    keys: set[str] = set()
    files = [*settings.sources_dir.glob("*.yml"), *candidates_dir(settings).glob("*.yml")]
    for path in files:
        try:
            source = load_source(path)
        except LureWatchError:
            continue  # `lurewatch sources` reports broken files
        urls = source.absolute_start_urls() or [source.base_url or ""]
        for url in urls:
            if source.kind == "channel":  # a channel source reads previews of any host (fixtures are local)
                name = url.rstrip("/").split("?")[0].rsplit("/", 1)[-1].lower()
                keys.add(f"telegram:{name}")
            keys.update(m.key for m in mentions_in(url) if m.kind != "jobboard")
            domain = registered_domain(url)
            if domain and source.kind in ("board", "search", "feed"):
                keys.add(f"jobboard:{domain}")
    return keys


def _aggregate(key: str, rows: list[MentionRow]) -> Candidate:
    rows = sorted(rows, key=lambda r: (r.seen, r.posting_id))
    risks = [r.risk for r in rows]
    with_network = [r for r in rows if r.network_id]
    groups = {r.network_id or f"cluster:{r.cluster_id or r.posting_id}" for r in rows}
    forms = sorted({r.form for r in rows})
    sure = [r for r in rows if r.form != "link"]
    return Candidate(
        key=key,
        kind=rows[0].kind,
        name=rows[0].name,
        url=(sure or rows)[0].url,
        forms=forms,
        findings=[r.posting_id for r in rows],
        sources=sorted({r.source for r in rows}),
        networks=len(groups),
        network_basis="network" if len(with_network) == len(rows) else "cluster",
        first_seen=rows[0].seen,
        last_seen=max(r.seen for r in rows),
        risk_max=max(risks),
        risk_mean=round(sum(risks) / len(risks), 1),
        titles=[r.title for r in rows],
    )


def score(candidate: Candidate) -> float:
    sure = any(form != "link" for form in candidate.forms)
    value = (
        0.45 * candidate.risk_max
        + 0.25 * candidate.risk_mean
        + 15 * min(candidate.networks, 5) / 5
        + 10 * min(len(candidate.findings), 10) / 10
        + (5 if sure else 0)
    )
    return round(value, 1)


def _status(review: Review | None, today: str) -> str:
    if review is None:
        return "new"
    if review.status == "snoozed" and (review.until or "") <= today:
        return "new"  # a snooze ends on its date
    return review.status


def list_candidates(
    settings: Settings, status: str = "new", kind: str | None = None, today: str | None = None
) -> list[Candidate]:
    """Candidates, ranked; ``status`` new, approved, rejected, snoozed, configured or all."""
    if status not in (*STATUSES, "all"):
        raise CandidateError(f"unknown status {status!r}; one of {', '.join((*STATUSES, 'all'))}")
    if kind is not None and kind not in KINDS:
        raise CandidateError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    store = open_store(settings)
    today = today or date.today().isoformat()
    by_key: dict[str, list[MentionRow]] = {}
    for row in store.mentions():
        by_key.setdefault(row.candidate, []).append(row)
    reviews = store.reviews()
    configured = configured_keys(settings)
    found = []
    for key, rows in by_key.items():
        candidate = _aggregate(key, rows)
        review = reviews.get(key)
        candidate.score = score(candidate)
        candidate.status = _status(review, today)
        if review is not None:
            candidate.reason, candidate.until, candidate.reviewer = review.reason, review.until, review.reviewer
            candidate.reviewed_at, candidate.source_file = review.reviewed_at, review.source_file
        if key in configured and candidate.status != "approved":
            candidate.status = "configured"
        if (status == "all" or candidate.status == status) and (kind is None or candidate.kind == kind):
            found.append(candidate)
    return sorted(found, key=lambda c: (-c.score, c.first_seen, c.key))


def get_candidate(settings: Settings, key: str, today: str | None = None) -> Candidate:
    for candidate in list_candidates(settings, "all", today=today):
        if candidate.key == key:
            return candidate
    raise CandidateError(f"no candidate {key!r}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def approve(settings: Settings, key: str, reviewer: str = "", reason: str = "") -> Candidate:
    """Write the candidate's source YAML under SOURCES_DIR/candidates/ (validated), and record the approval."""
    from lurewatch.crawlers.source import load_source
    from lurewatch.discovery.templates import source_document

    candidate = get_candidate(settings, key)
    if candidate.status in ("approved", "configured"):
        where = f": {candidate.source_file}" if candidate.source_file else " (a source crawls it)"
        raise CandidateError(f"{key} is {candidate.status} already{where}")
    when = _now()
    name, text = source_document(candidate, reviewer, reason, when)
    folder = candidates_dir(settings)
    path = folder / f"{name}.yml"
    if (settings.sources_dir / f"{name}.yml").exists():
        raise CandidateError(f"a source named {name} exists already in {settings.sources_dir}/")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as fh:  # never overwrites: two approvals cannot race
            fh.write(text)
    except FileExistsError as exc:
        raise CandidateError(f"{path} exists already", hint="remove or rename it first") from exc
    try:
        load_source(path)
    except LureWatchError:
        path.unlink()
        raise
    open_store(settings).set_review(Review(key, "approved", reason, None, reviewer, when, str(path)))
    logger.info("candidate %s approved by %s: %s", key, reviewer or "-", path)
    return get_candidate(settings, key)


def reject(settings: Settings, key: str, reason: str, reviewer: str = "") -> Candidate:
    """Reject a candidate for good: later runs that name it again do not bring it back."""
    if not reason.strip():
        raise CandidateError("a rejection needs a reason", hint="e.g. --reason 'a person, not a channel'")
    candidate = get_candidate(settings, key)
    if candidate.status == "approved":
        raise CandidateError(f"{key} is approved already ({candidate.source_file})", hint="remove that file instead")
    open_store(settings).set_review(Review(key, "rejected", reason.strip(), None, reviewer, _now(), ""))
    return get_candidate(settings, key)


def snooze(settings: Settings, key: str, until: str, reviewer: str = "", reason: str = "") -> Candidate:
    """Hide a candidate until a date (YYYY-MM-DD); it is new again on that day."""
    try:
        day = date.fromisoformat(until.strip())
    except ValueError as exc:
        raise CandidateError(f"--until {until!r} is not a date", hint="write it as YYYY-MM-DD") from exc
    if day <= date.today():
        raise CandidateError(f"--until {until} is not in the future", hint="snooze to a later day")
    candidate = get_candidate(settings, key)
    if candidate.status == "approved":
        raise CandidateError(f"{key} is approved already ({candidate.source_file})")
    open_store(settings).set_review(Review(key, "snoozed", reason, day.isoformat(), reviewer, _now(), ""))
    return get_candidate(settings, key)
