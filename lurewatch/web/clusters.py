"""A cluster of reposts as an analyst reads it: members by posting date, the original first, what each changed.

The original is the earliest-posted member (``posted_at``, else ``first_seen``, else ``fetched_at``; then the
posting id, so the order is total). Each later member is compared line by line with the one before it, and
its contacts with the original's: that is how a recruiter rotating phone numbers shows.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from lurewatch.entities import entities_of
from lurewatch.records import Finding

MAX_DIFF_LINES = 400  # per member: a rewritten ad shows its first changes, not pages of them


@dataclass
class DiffLine:
    op: str  # "same", "added", "removed"
    text: str


@dataclass
class Member:
    finding: Finding
    when: str
    when_from: str  # "posted", "first seen", "fetched"
    diff: list[DiffLine] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)  # contacts the original did not have
    dropped: list[tuple[str, str]] = field(default_factory=list)  # the original's contacts this one lacks
    changed_lines: int = 0


def posted_key(finding: Finding) -> tuple[str, str]:
    """When a finding was posted, as best known, and where that came from."""
    if finding.posted_at:
        return finding.posted_at, "posted"
    if finding.first_seen:
        return finding.first_seen, "first seen"
    return finding.fetched_at, "fetched"


def original_of(findings: Iterable[Finding]) -> Finding | None:
    """The cluster's original: its earliest-posted member."""
    return min(findings, key=lambda f: (posted_key(f)[0], f.posting_id), default=None)


def _lines(finding: Finding) -> list[str]:
    return [finding.title.strip(), *(line.rstrip() for line in finding.text.splitlines() if line.strip())]


def line_diff(before: list[str], after: list[str]) -> list[DiffLine]:
    """``after`` against ``before``, line by line (unchanged lines kept, for context)."""
    out = []
    for line in difflib.ndiff(before, after):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue  # ndiff's intraline hints
        out.append(DiffLine({"  ": "same", "+ ": "added", "- ": "removed"}[code], text))
    return out[:MAX_DIFF_LINES]


def members_of(findings: Iterable[Finding]) -> list[Member]:
    """The members in posting order, each with its diff against the previous one and its contact changes."""
    ordered = sorted(findings, key=lambda f: (posted_key(f)[0], f.posting_id))
    members = [Member(f, *posted_key(f)) for f in ordered]
    if not members:
        return members
    original = set((e.kind, v) for e, v in entities_of(members[0].finding))
    for before, member in zip(members, members[1:], strict=False):
        member.diff = line_diff(_lines(before.finding), _lines(member.finding))
        member.changed_lines = sum(d.op != "same" for d in member.diff)
        mine = [(e.kind, v) for e, v in entities_of(member.finding)]
        member.added = [kv for kv in mine if kv not in original]
        member.dropped = sorted(original - set(mine))
    return members
