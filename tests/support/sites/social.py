"""A JavaScript-only social page: 44 posts, fetched from a JSON endpoint 8 at a time as the reader scrolls.

The HTML the server sends has no post at all; only a browser that runs the script and scrolls sees them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.support.sites.corpus import Post, post
from tests.support.sites.server import Reply, html, image_reply, not_found

PAGE = "mekong-helpers"
FIRST_POST = 200
POST_COUNT = 44
BATCH = 8
AUTHORS = ("Dara Recruitment", "Lina Travel & Jobs", "Ko Aung", "Minh Anh", "Siti HR Asia", "Joy Manpower")

SCRIPT = """
const feed = document.getElementById('feed');
let next = 0, loading = false;
function render(p) {
  const article = document.createElement('article');
  article.className = 'post';
  article.dataset.id = p.id;
  const header = document.createElement('header');
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = p.author;
  const time = document.createElement('time');
  time.dateTime = p.time;
  time.textContent = new Date(p.time).toUTCString();
  header.append(author, ' · ', time);
  const body = document.createElement('div');
  body.className = 'body';
  p.text.split('\\n').forEach((line, i) => { if (i) body.append(document.createElement('br')); body.append(line); });
  article.append(header, body);
  if (p.image) { const img = document.createElement('img'); img.src = p.image; img.alt = ''; article.append(img); }
  const link = document.createElement('a');
  link.className = 'permalink';
  link.href = '/p/PAGE/posts/' + p.id;
  link.textContent = 'Share';
  article.append(link);
  return article;
}
async function load() {
  if (loading || next === null) return;
  loading = true;
  const response = await fetch('/api/posts?offset=' + next + '&limit=BATCH');
  const data = await response.json();
  data.posts.forEach(p => feed.append(render(p)));
  next = data.next;
  loading = false;
  if (next === null) document.getElementById('end').hidden = false;
}
window.addEventListener('scroll', () => {
  if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 300) load();
});
load();
""".replace("PAGE", PAGE).replace("BATCH", str(BATCH))


class SocialSite:
    """A community page whose posts only exist once the script has run."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.posts = [post(n) for n in range(FIRST_POST, FIRST_POST + POST_COUNT)]

    def as_json(self, item: Post) -> dict[str, object]:
        return {
            "id": f"p{item.number}",
            "author": AUTHORS[item.number % len(AUTHORS)],
            "time": (self.now - timedelta(minutes=47 * (item.number - FIRST_POST + 1))).isoformat(),
            "text": item.text,
            "image": f"/media/{PAGE}-{item.number}.png" if item.number % 3 == 0 else None,
        }

    def route(self, path: str, query: dict[str, str]) -> Reply:
        if path.startswith("/media/"):
            return image_reply(path)
        if path == f"/p/{PAGE}":
            return html(self.page())
        if path == "/api/posts":
            offset = int(query.get("offset", "0") or 0)
            limit = min(int(query.get("limit", str(BATCH)) or BATCH), 50)
            batch = self.posts[offset : offset + limit]
            next_offset = offset + limit if offset + limit < len(self.posts) else None
            body = {"posts": [self.as_json(p) for p in batch], "next": next_offset}
            return 200, "application/json", json.dumps(body, ensure_ascii=False).encode("utf-8")
        return not_found()

    def page(self) -> str:
        return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Mekong Helpers – community page</title>
<style>body{{font-family:sans-serif;max-width:640px;margin:auto}} .post{{min-height:170px;border-bottom:1px solid #ccc;
padding:12px}} .author{{font-weight:bold}} img{{display:block;width:64px;height:48px}}</style></head>
<body><h1>Mekong Helpers</h1><p>Jobs and help for workers around the Mekong.</p>
<noscript>This page needs JavaScript.</noscript>
<main id="feed"></main><p id="end" hidden>You have reached the end.</p>
<script>{SCRIPT}</script></body></html>"""
