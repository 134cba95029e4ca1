"""Generated mutations of fixture pages: the job site's HTML, feeds and sitemaps, damaged the ways real pages are.

Each mutation is chosen from a seed and the page's path, so a failing crawl can be replayed exactly.
"""

from __future__ import annotations

import random
import zlib

from tests.support.sites.jobsite import JobSite
from tests.support.sites.server import Reply

# Bytes that break parsers: NUL, invalid UTF-8, an unclosed comment or CDATA, an entity declaration,
# a bare ampersand, deep nesting, a control character, a byte-order mark in the middle, a huge attribute.
POISON = [
    b"\x00",
    b"\xff\xfe\xfd",
    b"\xc3\x28",
    b"<!--",
    b"<![CDATA[",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
    b"&",
    b"&#xD800;",
    b"<div>" * 300,
    b"\x1b[31m\x07",
    b"\xef\xbb\xbf",
    b'<a href="' + b"x" * 5000,
    b"</html>",
    b"<script>",
    b'<a class="job" href="javascript:alert(1)">',
    b'<a class="job" href="http://[::1">',
    b'<img class="photo" src="file:///etc/passwd">',
]


def mutate(body: bytes, rng: random.Random) -> bytes:
    """One to four damaging edits of ``body``: cut, drop, repeat, poison or case-flip a slice."""
    data = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        at = rng.randrange(len(data))
        span = rng.randint(1, max(1, len(data) // 8))
        edit = rng.choice(["truncate", "drop", "repeat", "poison", "flip"])
        if edit == "truncate":
            del data[at:]
        elif edit == "drop":
            del data[at : at + span]
        elif edit == "repeat":
            data[at:at] = data[at : at + span] * rng.randint(2, 5)
        elif edit == "poison":
            data[at:at] = rng.choice(POISON)
        else:
            data[at : at + span] = bytes(data[at : at + span]).swapcase()
    return bytes(data)


class MutatedJobSite(JobSite):
    """The job site with every HTML, feed and sitemap page mutated; ``seed`` picks the mutations."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.seed = seed

    def route(self, path: str, query: dict[str, str]) -> Reply:
        status, ctype, body, *headers = super().route(path, query)
        if ctype.startswith(("text/", "application/xml")) and status == 200:
            rng = random.Random(self.seed * 1_000_003 + zlib.crc32(f"{path}?{sorted(query.items())}".encode()))
            body = mutate(body, rng)
        return (status, ctype, body, *headers)  # type: ignore[return-value]
