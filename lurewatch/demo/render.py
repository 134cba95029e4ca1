"""HTML of the demo board: site chrome, home, job list, job detail and error pages."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lurewatch.demo.model import Ad

SITE_NAME = "SEA Jobs Board"
PRIVATE_PATH = "/private/employer-admin.html"
LANGUAGE_BAR = (
    "English",
    "中文",
    "ไทย",
    "Tiếng Việt",
    "Bahasa Indonesia",
    "မြန်မာ",
    "ខ្មែរ",
    "ລາວ",
    "Tagalog",
    "한국어",
)
MONTH = "Nov"
_CHAT_LINK = re.compile(r"(?<![\w/])((?:t|wa)\.me/[A-Za-z0-9_]+)")
_STYLE = (
    "body{font-family:sans-serif;margin:0}header,footer{background:#123;color:#eee;padding:8px 16px}"
    "header a,footer a{color:#fd6}.layout{display:flex;gap:24px;padding:16px}"
    ".job-posting,.job-list{flex:3}.sidebar{flex:1;font-size:90%}"
    ".cookie-banner{background:#ffd;padding:6px 16px}.job-card{border-bottom:1px solid #ccc}"
)


def esc(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return html.escape(text, quote=True)


def _rich(text: str) -> str:
    """Escape ad text and turn t.me / wa.me references into links, as chat boards do."""
    return _CHAT_LINK.sub(
        lambda m: f'<a href="https://{m.group(1)}" rel="nofollow noopener">{m.group(1)}</a>', esc(text)
    )


def _human_date(ad: Ad) -> str:
    return f"{ad.day} {MONTH} 2026"


def document(*, title: str, lang: str, main: str, sidebar: str = "") -> str:
    """Wrap page content in the site chrome (cookie banner, header, footer) shared by all pages."""
    languages = " · ".join(f"<span>{esc(name)}</span>" for name in LANGUAGE_BAR)
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} | {SITE_NAME}</title>
<style>{_STYLE}</style>
</head>
<body>
<div class="cookie-banner" role="dialog">We use cookies to remember your language and your saved jobs.
<button type="button">Accept all</button> <a href="/">Settings</a></div>
<header class="site-header">
<a class="logo" href="/">{SITE_NAME}</a>
<nav class="main-nav"><a href="/">Home</a> <a href="/jobs/">Browse jobs</a> <a href="{PRIVATE_PATH}">Employers</a></nav>
<div class="language-bar">{languages}</div>
</header>
<main class="layout">
{main}
{sidebar}
</main>
<footer class="site-footer">
<p>&copy; 2026 {SITE_NAME} (demo). Every ad on this site is fictional and was written to test LureWatch.</p>
<p>Report a suspicious ad: safety@seajobs-board.example · Hotline +66 2 123 4567 · Telegram @seajobs_support</p>
</footer>
<script>document.querySelector('.cookie-banner button').onclick=function(){{this.parentNode.remove();}};</script>
</body>
</html>
"""


def _description(ad: Ad) -> str:
    parts = []
    for block in ad.body:
        if isinstance(block, str):
            parts.append(f"<p>{_rich(block)}</p>")
        else:
            items = "".join(f"<li>{_rich(item)}</li>" for item in block)
            parts.append(f"<ul>{items}</ul>")
    if ad.contact:
        parts.append(f'<p class="contact">{_rich(ad.contact)}</p>')
    return "\n".join(parts)


def related_jobs(related: Sequence[Ad]) -> str:
    """Sidebar with links to other jobs: chrome, not part of the posting."""
    items = "".join(
        f'<li><a href="{esc(ad.path)}">{esc(ad.title)}</a> <span class="location">{esc(ad.location)}</span></li>'
        for ad in related
    )
    return f'<aside class="sidebar related-jobs"><h2>Related jobs</h2><ul>{items}</ul></aside>'


def detail_page(ad: Ad, *, image_path: str | None, related: Sequence[Ad]) -> str:
    """A job detail page: the posting inside article.job-posting, chrome around it."""
    salary = f'\n<span class="salary">{esc(ad.salary)}</span>' if ad.salary else ""
    image = f'\n<img class="job-image" src="{esc(image_path)}" alt="" width="240" height="160">' if image_path else ""
    crumbs = f'<a href="/">Home</a> &rsaquo; <a href="/jobs/">Jobs</a> &rsaquo; {esc(ad.title)}'
    main = f"""<nav class="breadcrumb">{crumbs}</nav>
<article class="job-posting" data-job-id="{ad.job_id}">
<h1 class="job-title">{esc(ad.title)}</h1>
<div class="job-meta">
<span class="company">{esc(ad.company)}</span>
<span class="location">{esc(ad.location)}</span>{salary}
<time class="posted" datetime="{ad.posted_at}">{_human_date(ad)}</time>
</div>{image}
<div class="job-description">
{_description(ad)}
</div>
</article>
<div class="apply-box">Never pay a fee to get a job. <a href="/jobs/">Back to all jobs</a></div>"""
    return document(title=ad.title, lang=ad.lang, main=main, sidebar=related_jobs(related))


def _job_card(ad: Ad) -> str:
    return (
        f'<article class="job-card"><h2><a class="job-link" href="{esc(ad.path)}">{esc(ad.title)}</a></h2> '
        f'<span class="company">{esc(ad.company)}</span> <span class="location">{esc(ad.location)}</span> '
        f'<time class="posted" datetime="{ad.posted_at}">{_human_date(ad)}</time></article>'
    )


_PROMO_CARD = (
    f'<article class="job-card promo"><h2><a class="job-link" href="{PRIVATE_PATH}">Hiring? Post your job here</a>'
    f'</h2> <span class="company">{SITE_NAME}</span> <span class="location">Employer dashboard</span></article>'
)


def page_url(number: int) -> str:
    """URL path of list page number (the first page is /jobs/ itself)."""
    return "/jobs/" if number == 1 else f"/jobs/?page={number}"


def _pagination(number: int, count: int) -> str:
    links = []
    if number > 1:
        links.append(f'<a rel="prev" class="prev" href="{esc(page_url(number - 1))}">&lsaquo; Previous</a>')
    for n in range(1, count + 1):
        if n == number:
            links.append(f'<span class="current">{n}</span>')
        else:
            links.append(f'<a class="page" href="{esc(page_url(n))}">{n}</a>')
    if number < count:
        links.append(f'<a rel="next" class="next" href="{esc(page_url(number + 1))}">Next &rsaquo;</a>')
    return f'<nav class="pagination">{" ".join(links)}</nav>'


def list_page(ads: Sequence[Ad], *, number: int, count: int, total: int, first: int, promo: bool) -> str:
    """One page of the job list: job cards and pagination (plus an employer promo on some pages)."""
    cards = [_job_card(ad) for ad in ads]
    if promo:
        cards.insert(len(cards) // 2, _PROMO_CARD)
    main = f"""<section class="job-list">
<h1>Latest jobs</h1>
<p class="result-count">Showing {first + 1}&ndash;{first + len(ads)} of {total} jobs</p>
{chr(10).join(cards)}
{_pagination(number, count)}
</section>"""
    return document(title=f"Jobs, page {number}", lang="en", main=main)


def home_page(latest: Sequence[Ad]) -> str:
    """The home page: what the site is and a link into the job list."""
    items = "".join(f'<li><a href="{esc(ad.path)}">{esc(ad.title)}</a></li>' for ad in latest)
    main = f"""<section class="home">
<h1>Jobs across Southeast Asia</h1>
<p>Thousands of jobs in Thailand, Cambodia, Vietnam, Indonesia, Myanmar, Laos and the Philippines.</p>
<p><a class="browse" href="/jobs/">Browse all jobs</a></p>
<h2>Just posted</h2><ul>{items}</ul>
</section>"""
    return document(title="Home", lang="en", main=main)


def message_page(title: str, message: str) -> str:
    """A plain page with a heading and one paragraph (errors, the employer area)."""
    main = f'<section class="message"><h1>{esc(title)}</h1><p>{esc(message)}</p></section>'
    return document(title=title, lang="en", main=main)
