"""A digest: the new lures (clusters) one alert found for one channel, and how each channel shows it.

Each lure is one cluster, shown by its riskiest member: title, risk with its top indicators, place, key
entities and a link to its finding page; the other members of the cluster in the same window are counted
as "+N reposts". The JSON-lines form lists every match (``finding_id``, ``cluster_id``, ``url``, ``risk_score``).
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from typing import Any

from lurewatch.index.query import Hit
from lurewatch.records import Finding

SHOWN = 25  # lures shown in full in an email or a webhook; the file lists them all
TOP_INDICATORS = 3
ENTITIES_PER_KIND = 3


@dataclass
class Lure:
    """One new cluster: its riskiest member, shown; the others counted as reposts."""

    cluster_id: str
    finding_id: str
    title: str
    url: str
    link: str
    risk_score: int
    source: str
    fetched_at: str
    members: list[Hit]
    indicators: list[tuple[str, float]] = field(default_factory=list)
    place: str = ""
    entities: dict[str, list[str]] = field(default_factory=dict)

    @property
    def reposts(self) -> int:
        return len(self.members) - 1

    def add_details(self, finding: Finding) -> None:
        """Indicators with weights, the place and the contacts, from the full finding."""
        ranked = sorted(finding.indicators, key=lambda i: (-i.weight, i.code))
        self.indicators = [(i.code, i.weight) for i in ranked[:TOP_INDICATORS]]
        place = finding.compound or (finding.locations[0].name if finding.locations else "")
        country = finding.country or (finding.locations[0].country if finding.locations else None)
        self.place = f"{place} ({country})" if place and country else place or country or ""
        contacts = finding.contacts
        entities = {
            "phone": contacts.phones, "telegram": [f"@{h.lstrip('@')}" for h in contacts.telegram], "whatsapp": contacts.whatsapp,
            "email": contacts.emails, "wallet": [w.address for w in finding.wallets], "domain": contacts.domains,
        }  # fmt: skip
        self.entities = {kind: values[:ENTITIES_PER_KIND] for kind, values in entities.items() if values}


@dataclass
class Digest:
    alert_id: str
    alert_name: str
    owner: str
    channel: str
    describe: str  # the query or the watched entity, in words
    generated_at: str
    lures: list[Lure]

    @property
    def digest_id(self) -> str:
        """The same for the same alert, channel and clusters: a receiver can drop a repeated delivery."""
        key = "\x1f".join([self.alert_id, self.channel, *sorted(lure.cluster_id for lure in self.lures)])
        return hashlib.sha256(key.encode()).hexdigest()[:24]

    @property
    def reposts(self) -> int:
        return sum(lure.reposts for lure in self.lures)

    def headline(self) -> str:
        n = len(self.lures)
        extra = f" (+{self.reposts} reposts)" if self.reposts else ""
        return f"{n} new lure{'s' if n != 1 else ''}{extra}"

    def to_line(self) -> dict[str, Any]:
        """The JSON-lines record: the digest and every match it covers."""
        return {
            "digest_id": self.digest_id, "alert_id": self.alert_id, "alert": self.alert_name, "owner": self.owner,
            "query": self.describe, "generated_at": self.generated_at, "new_clusters": len(self.lures),
            "reposts": self.reposts,
            "lures": [{"cluster_id": lure.cluster_id, "finding_id": lure.finding_id, "title": lure.title,
                       "risk_score": lure.risk_score, "indicators": [c for c, _ in lure.indicators],
                       "place": lure.place, "entities": lure.entities, "link": lure.link, "reposts": lure.reposts}
                      for lure in self.lures],
            "matches": [{"finding_id": hit.posting_id, "cluster_id": lure.cluster_id, "url": hit.url,
                         "risk_score": hit.risk_score} for lure in self.lures for hit in lure.members],
        }  # fmt: skip


def group_by_cluster(hits: list[Hit]) -> dict[str, list[Hit]]:
    """Matches by cluster (a finding without one is its own cluster), riskiest then earliest member first."""
    clusters: dict[str, list[Hit]] = {}
    for hit in hits:
        clusters.setdefault(hit.cluster_id or hit.posting_id, []).append(hit)
    for members in clusters.values():
        members.sort(key=lambda h: (-h.risk_score, h.fetched_at, h.posting_id))
    return clusters


def make_lure(cluster_id: str, members: list[Hit], public_url: str) -> Lure:
    top = members[0]
    return Lure(
        cluster_id=cluster_id, finding_id=top.posting_id, title=top.title, url=top.url,
        link=f"{public_url.rstrip('/')}/findings/{top.posting_id}", risk_score=top.risk_score, source=top.source,
        fetched_at=top.fetched_at, members=members, indicators=[(code, 0.0) for code in top.indicators[:TOP_INDICATORS]],
        place=top.compound or top.country or "",
    )  # fmt: skip


def _lure_lines(lure: Lure) -> list[str]:
    indicators = ", ".join(f"{code} {weight:g}" if weight else code for code, weight in lure.indicators)
    lines = [f"[risk {lure.risk_score}] {lure.title or '(no title)'}"]
    if indicators:
        lines.append(f"indicators: {indicators}")
    if lure.place:
        lines.append(f"place: {lure.place}")
    if lure.entities:
        lines.append("contacts: " + ", ".join(v for values in lure.entities.values() for v in values))
    reposts = f"+{lure.reposts} reposts · " if lure.reposts else ""
    lines.append(f"{reposts}{lure.source} · fetched {lure.fetched_at[:16].replace('T', ' ')}")
    return lines


def render_text(digest: Digest) -> str:
    out = [f'LureWatch alert "{digest.alert_name}": {digest.headline()}', f"Watching: {digest.describe}", ""]
    for n, lure in enumerate(digest.lures[:SHOWN], 1):
        first, *rest = _lure_lines(lure)
        out.append(f"{n}. {first}")
        out.extend(f"   {line}" for line in rest)
        out.append(f"   {lure.link}")
        out.append("")
    if len(digest.lures) > SHOWN:
        out.append(f"... and {len(digest.lures) - SHOWN} more new lures.")
    out.append(f"digest {digest.digest_id}")
    return "\n".join(out) + "\n"


def render_html(digest: Digest) -> str:
    e = html.escape
    items = []
    for lure in digest.lures[:SHOWN]:
        first, *rest = _lure_lines(lure)
        details = "".join(f"<br>{e(line)}" for line in rest)
        items.append(f'<li><a href="{e(lure.link)}"><strong>{e(first)}</strong></a>{details}</li>')
    more = f"<p>... and {len(digest.lures) - SHOWN} more new lures.</p>" if len(digest.lures) > SHOWN else ""
    return (f"<html><body><h2>LureWatch alert &ldquo;{e(digest.alert_name)}&rdquo;: {e(digest.headline())}</h2>"
            f"<p>Watching: <code>{e(digest.describe)}</code></p><ol>{''.join(items)}</ol>{more}"
            f'<p style="color:#777">digest {e(digest.digest_id)}</p></body></html>')  # fmt: skip


def webhook_body(digest: Digest) -> dict[str, Any]:
    """A body Slack and Mattermost incoming webhooks both accept: ``text`` plus one attachment per lure."""
    attachments = []
    for lure in digest.lures[:SHOWN]:
        first, *rest = _lure_lines(lure)
        attachments.append({
            "fallback": f"{first} {lure.link}", "color": "#c0392b" if lure.risk_score >= 60 else "#e67e22",
            "title": first, "title_link": lure.link, "text": "\n".join(rest),
        })  # fmt: skip
    more = f"\n... and {len(digest.lures) - SHOWN} more new lures" if len(digest.lures) > SHOWN else ""
    text = f"*LureWatch alert “{digest.alert_name}”*: {digest.headline()}\nWatching: `{digest.describe}`{more}"
    return {"text": text, "attachments": attachments}
