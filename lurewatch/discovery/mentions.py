"""Places to crawl next that a finding's text names: Telegram channels, WhatsApp groups and channels, Facebook
pages and groups, LINE official accounts and job-board domains.

A mention is kept only where the text says it is a place that publishes, not a person to write to:

- Telegram: a channel a post was forwarded from (read from the preview's markup by the service), and every
  ``t.me/<name>`` link (``t.me/s/<name>`` and ``t.me/<name>/<post>`` exist only for public
  channels and groups; a bare ``t.me/<name>`` may be an account, which the channel preview tells once crawled).
  A bare ``@name`` is a contact (``Telegram: @blueocean_hr``) and counts only right after a channel word
  ("channel @x", "频道 @x", "กลุ่ม @x"). Bots (``...bot``), ``t.me/+<phone>`` and private invites
  (``t.me/+<code>``, ``joinchat/``) have no public preview and are left out.
- WhatsApp: group invites ``chat.whatsapp.com/<code>`` and channels ``whatsapp.com/channel/<id>``;
  ``wa.me/<number>`` is a person.
- Facebook: ``facebook.com/<page>`` and ``facebook.com/groups/<group>``; profiles (``profile.php``, numeric
  ids), share, login, photo and event links are not pages.
- LINE: official accounts only, whose ids start with ``@`` (``line.me/R/ti/p/@x``); ``~x`` ids are people.
- Job boards: the registered domain of a link whose host or path speaks of jobs, or a known job board;
  messengers, social networks, mail and link shorteners never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lurewatch.enrichment.links import extract_urls, registered_domain
from lurewatch.entities import GENERIC_DOMAINS

KINDS = ("telegram", "whatsapp", "facebook", "line", "jobboard")

# How sure a mention is to name a place that publishes (ranked higher when sure).
SURE_FORMS = {"preview", "post", "named", "forward", "invite", "channel", "page", "group", "official", "jobboard"}

TELEGRAM_LINK = re.compile(
    r"(?<![\w.])(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/(s/)?(\+?[A-Za-z0-9_]+)(/\d+)?", re.I
)
TELEGRAM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
# Paths of t.me that are not usernames.
TELEGRAM_RESERVED = {
    "s", "c", "joinchat", "addstickers", "addemoji", "addtheme", "share", "proxy", "socks", "iv", "setlanguage",
    "login", "bg", "boost", "contact", "invoice", "giftcode", "nft", "confirmphone", "addlist", "m",
}  # fmt: skip
CHANNEL_WORD = (
    r"channel|group|join|kênh|nhóm|tham\s+gia|频道|頻道|群组|群組|加入|ช่อง|กลุ่ม|เข้าร่วม|ឆានែល|ក្រុម|ချန်နယ်|"
    r"grup|saluran|gabung|kanal|канал|группа"
)
CHANNEL_HANDLE = re.compile(rf"(?:{CHANNEL_WORD})\s*[:：\-–]?\s*@([A-Za-z][A-Za-z0-9_]{{3,31}})\b", re.I)

WHATSAPP_INVITE = re.compile(r"(?<![\w.])(?:https?://)?chat\.whatsapp\.com/(?:invite/)?([A-Za-z0-9]{20,24})\b", re.I)
WHATSAPP_CHANNEL = re.compile(r"(?<![\w.])(?:https?://)?(?:www\.)?whatsapp\.com/channel/([A-Za-z0-9]{20,32})\b", re.I)

FACEBOOK_LINK = re.compile(
    r"(?<![\w.])(?:https?://)?(?:(?:www|m|web|mbasic)\.)?(?:facebook|fb)\.com/(groups/)?([A-Za-z0-9][A-Za-z0-9.\-]{2,79})",
    re.I,
)
FACEBOOK_RESERVED = {
    "profile.php", "people", "sharer", "sharer.php", "share", "share.php", "login", "login.php", "watch", "photo",
    "photo.php", "photos", "story.php", "permalink.php", "events", "marketplace", "help", "policies", "privacy",
    "hashtag", "pages", "home.php", "dialog", "plugins", "l.php", "messages", "settings", "reel", "reels", "gaming",
    "business", "ads", "legal", "terms", "notes", "media", "search", "friends", "bookmarks", "fundraisers",
    "stories", "video.php", "tr", "groups", "recover", "checkpoint", "about", "careers", "jobs", "index.php",
}  # fmt: skip

LINE_OFFICIAL = re.compile(r"(?<![\w.])(?:https?://)?line\.me/(?:R/)?ti/p/(?:@|%40)([A-Za-z0-9._-]{3,20})", re.I)
LINE_OFFICIAL_NAMED = re.compile(r"\bline(?:\s*(?:oa|official|id))?\s*[:：]\s*@([A-Za-z0-9._-]{3,20})", re.I)

# Hosts that carry everybody's links name no job board: lurewatch.entities.GENERIC_DOMAINS.
# Job boards of the region and beyond, known by name.
JOB_BOARDS = {
    "jobsdb.com", "jobstreet.com", "jobstreet.co.id", "jobstreet.com.my", "jobstreet.com.ph", "indeed.com",
    "glassdoor.com", "jobthai.com", "jobbkk.com", "kalibrr.com", "vietnamworks.com", "topcv.vn", "careerlink.vn",
    "mywork.com.vn", "timviecnhanh.com", "bayt.com", "naukri.com", "monster.com", "careerjet.com", "jora.com",
    "mycareersfuture.gov.sg", "bongthom.com", "camhr.com", "everjobs.com.kh", "myjobmm.com", "jobnet.com.mm",
    "jobs.ph", "onlinejobs.ph", "philjobnet.gov.ph", "loker.id", "karir.com", "glints.com", "104.com.tw",
    "51job.com", "zhaopin.com", "boss.zhipin.com", "seek.com.au", "reed.co.uk", "dubizzle.com", "craigslist.org",
}  # fmt: skip
JOB_HOST_WORD = re.compile(r"job|career|recruit|hiring|vacanc|loker|lowongan|tuyendung|vieclam|kerja|rekrut", re.I)
JOB_PATH = re.compile(
    r"^/(?:[a-z]{2}/)?(?:jobs?|careers?|vacanc(?:y|ies)|lowongan|loker|tuyen-dung|viec-lam|apply|hiring|recruit\w*)(?:/|$|[?#])",
    re.I,
)


@dataclass(frozen=True)
class Mention:
    """One place named in a text: its kind, the name the candidate is known by, a URL to it, and the form seen."""

    kind: str
    name: str
    url: str
    form: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def sure(self) -> bool:
        return self.form in SURE_FORMS


def telegram_mentions(text: str) -> list[Mention]:
    found: list[Mention] = []
    for match in TELEGRAM_LINK.finditer(text):
        preview, name, post = match.group(1), match.group(2), match.group(3)
        if name.startswith("+") or name.lower() in TELEGRAM_RESERVED or not TELEGRAM_NAME.match(name):
            continue  # t.me/+<phone> is a person; t.me/+<code> and reserved paths have no public preview
        if name.lower().endswith("bot"):
            continue
        form = "preview" if preview else "post" if post else "link"
        line = _line_at(text, match.start())
        if form == "link" and re.search(CHANNEL_WORD, line, re.I):
            form = "named"
        found.append(_telegram(name, form))
    for match in CHANNEL_HANDLE.finditer(text):
        if not match.group(1).lower().endswith("bot"):
            found.append(_telegram(match.group(1), "named"))
    return found


def _telegram(name: str, form: str) -> Mention:
    name = name.lower()
    return Mention("telegram", name, f"https://t.me/s/{name}", form)


def _line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)]


def whatsapp_mentions(text: str) -> list[Mention]:
    invites = [
        Mention("whatsapp", m.group(1), f"https://chat.whatsapp.com/{m.group(1)}", "invite")
        for m in WHATSAPP_INVITE.finditer(text)
    ]
    channels = [
        Mention("whatsapp", f"channel/{m.group(1)}", f"https://www.whatsapp.com/channel/{m.group(1)}", "channel")
        for m in WHATSAPP_CHANNEL.finditer(text)
    ]
    return invites + channels


def facebook_mentions(text: str) -> list[Mention]:
    found = []
    for match in FACEBOOK_LINK.finditer(text):
        group, name = match.group(1), match.group(2).rstrip(".-").lower()
        if group:
            found.append(Mention("facebook", f"groups/{name}", f"https://www.facebook.com/groups/{name}", "group"))
        elif name not in FACEBOOK_RESERVED and not name.isdigit() and len(name) >= 3:
            found.append(Mention("facebook", name, f"https://www.facebook.com/{name}", "page"))
    return found


def line_mentions(text: str) -> list[Mention]:
    ids = [unquote(m.group(1)) for m in (*LINE_OFFICIAL.finditer(text), *LINE_OFFICIAL_NAMED.finditer(text))]
    return [Mention("line", f"@{i.lower()}", f"https://page.line.me/{i.lower()}", "official") for i in ids]


def jobboard_mentions(text: str, own_domains: frozenset[str] = frozenset()) -> list[Mention]:
    found = []
    for url in extract_urls(text):
        absolute = url if "://" in url else f"https://{url}"
        try:
            parts = urlsplit(absolute)
            host = (parts.hostname or "").lower()
        except ValueError:
            continue
        domain = registered_domain(host) if host else ""
        if not domain or domain in GENERIC_DOMAINS or host in GENERIC_DOMAINS or domain in own_domains:
            continue
        labels = host[: -len(domain)] + domain.split(".")[0]
        if domain in JOB_BOARDS or host in JOB_BOARDS or JOB_HOST_WORD.search(labels) or JOB_PATH.match(parts.path):
            found.append(Mention("jobboard", domain, f"https://{host}/", "jobboard"))
    return found


def mentions_in(text: str, own_domains: frozenset[str] = frozenset()) -> list[Mention]:
    """Every place ``text`` names, one per candidate (the surest form kept); ``own_domains`` are not job boards."""
    # Most ads name no place: a look for each kind's marker first spares its regular expressions (bench texts:
    # 97-134 us per ad against 608-726 us with every expression run, the same mentions found).
    folded = text.casefold()
    every = [
        *(telegram_mentions(text) if "t.me/" in folded or "telegram." in folded or "@" in text else ()),
        *(whatsapp_mentions(text) if "whatsapp.com/" in folded else ()),
        *(facebook_mentions(text) if "facebook.com/" in folded or "fb.com/" in folded else ()),
        *(line_mentions(text) if "line" in folded else ()),
        *(jobboard_mentions(text, own_domains) if "http" in folded or "www." in folded else ()),
    ]
    best: dict[str, Mention] = {}
    for mention in every:
        kept = best.get(mention.key)
        if kept is None or (mention.sure and not kept.sure):
            best[mention.key] = mention
    return list(best.values())
