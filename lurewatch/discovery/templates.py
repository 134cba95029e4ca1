"""Source YAML templates, one per kind of candidate: what approving a candidate writes for the operator.

A Telegram name becomes a ``channel`` source (the preview ``t.me/s/<name>``); a Facebook page or group, a
LINE official account and a WhatsApp invite or channel become ``social`` sources (pages that render with
JavaScript, kept as a screenshot); a job-board domain becomes a ``board`` source whose selectors the operator
fills in. Every file is unscheduled (``schedule: null``) and written under ``SOURCES_DIR/candidates/``, which
``lurewatch sources`` checks and the DAGs never read: the operator reviews it and moves it into the sources
folder to enable it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from lurewatch.discovery.service import Candidate

POLITE = {"delay": 2.0, "concurrency": 1}


def source_name(candidate: Candidate) -> str:
    """A source name (``[a-z0-9][a-z0-9_-]*``) from the candidate's kind and name."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", candidate.name.lower()).strip("-_") or "candidate"
    return f"{candidate.kind}-{slug}"[:80]


def _channel(candidate: Candidate) -> dict[str, Any]:
    return {
        "kind": "channel",
        "base_url": "https://t.me",
        "start_urls": [f"/s/{candidate.name}"],
        "channel": {"max_pages": 20, "max_age": "90d"},
    }


def _social(candidate: Candidate, post: str, max_scrolls: int) -> dict[str, Any]:
    parts = candidate.url.split("/", 3)
    return {
        "kind": "social",
        "base_url": "/".join(parts[:3]),
        "start_urls": ["/" + (parts[3] if len(parts) > 3 else "")],
        "social": {"post": post, "wait_for": post, "max_scrolls": max_scrolls, "screenshot": True},
    }


def _board(candidate: Candidate) -> dict[str, Any]:
    return {
        "kind": "board",
        "base_url": candidate.url.rstrip("/"),
        "start_urls": ["/"],
        "board": {
            "list": {"detail_links": "a[href*='job']::attr(href)", "max_pages": 20},
            "detail": {"match": "job"},
        },
    }


NOTES = {
    "telegram": "The channel preview is public; a name that is a person's account has none (the crawl says no_posts).",
    "facebook": "Check the post selector on the live page; only what Facebook shows without logging in is read.",
    "line": "The official account's public page; check the post selector on the live page.",
    "whatsapp": "The invite or channel page shows its name and description only; members and messages stay private.",
    "jobboard": "Fill in the list and detail selectors for this site (see sources/example-board.yml).",
}


def source_document(candidate: Candidate, reviewer: str, reason: str, when: str) -> tuple[str, str]:
    """The source's name and its YAML text, with the evidence that led to it as a comment."""
    if candidate.kind == "telegram":
        body = _channel(candidate)
    elif candidate.kind == "facebook":
        body = _social(candidate, "div[role=article]", 20)
    elif candidate.kind == "line":
        body = _social(candidate, "article, section", 5)
    elif candidate.kind == "whatsapp":
        body = _social(candidate, "main, body", 0)
    else:
        body = _board(candidate)
    name = source_name(candidate)
    document = {
        "name": name,
        **{k: v for k, v in body.items() if k in ("kind",)},
        "description": f"Candidate {candidate.key}, named in {len(candidate.findings)} findings",
        **{k: v for k, v in body.items() if k != "kind"},
        "schedule": None,
        "politeness": dict(POLITE),
    }
    header = [
        f"# Candidate source {candidate.key}, approved by {reviewer or 'an analyst'} on {when}"
        + (f": {reason}" if reason else ""),
        f"# Evidence: {len(candidate.findings)} findings, {candidate.networks} {candidate.network_basis}s, "
        f"first seen {candidate.first_seen}, risk max {candidate.risk_max} / mean {candidate.risk_mean:.0f}.",
        f"# Findings: {', '.join(candidate.findings[:10])}{' …' if len(candidate.findings) > 10 else ''}",
        f"# {NOTES[candidate.kind]}",
        "# Not scheduled: set `schedule`, then move this file into the sources folder to enable it.",
    ]
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return name, "\n".join(header) + "\n" + text
