"""Which places a finding's text names: channels, invites, pages, official accounts and job boards, not people."""

from __future__ import annotations

import pytest
from parsel import Selector

from lurewatch.crawlers.spiders.channel import MESSAGE, OWN_TEXT, message_text
from lurewatch.discovery.mentions import mentions_in
from lurewatch.discovery.service import FORWARDED, mention_rows
from tests.support import ROOT
from tests.support.discovery import naming

PREVIEWS = ROOT / "tests" / "support" / "sites" / "telegram_preview"


def keys(text: str) -> dict[str, str]:
    return {m.key: m.form for m in mentions_in(text)}


@pytest.mark.parametrize(
    ("text", "key", "form"),
    [
        ("More jobs: https://t.me/s/mekong_jobs_kh", "telegram:mekong_jobs_kh", "preview"),
        ("see t.me/GoldenBay_Jobs/123 for the details", "telegram:goldenbay_jobs", "post"),
        ("telegram.me/asia_hiring_news", "telegram:asia_hiring_news", "link"),
        ("Contact HR Anna: Telegram t.me/anna_smartlink", "telegram:anna_smartlink", "link"),
        ("Join our channel t.me/kh_jobs_daily", "telegram:kh_jobs_daily", "named"),
        ("频道 @huanqiu_news 每天更新", "telegram:huanqiu_news", "named"),
        ("ติดตามกลุ่ม @thai_jobs_abroad", "telegram:thai_jobs_abroad", "named"),
        ("https://chat.whatsapp.com/KpX1abcdEFGHijklMNOP12", "whatsapp:KpX1abcdEFGHijklMNOP12", "invite"),
        ("chat.whatsapp.com/invite/AbCdEfGhIjKlMnOpQrStUv", "whatsapp:AbCdEfGhIjKlMnOpQrStUv", "invite"),
        (
            "https://whatsapp.com/channel/0029VaABCDEFghijklmnop12",
            "whatsapp:channel/0029VaABCDEFghijklmnop12",
            "channel",
        ),
        ("Like us: https://www.facebook.com/GoldenBayJobs", "facebook:goldenbayjobs", "page"),
        ("m.facebook.com/sihanoukville.jobs.2026?ref=x", "facebook:sihanoukville.jobs.2026", "page"),
        ("fb.com/groups/thaijobs2026", "facebook:groups/thaijobs2026", "group"),
        ("facebook.com/groups/123456789012/", "facebook:groups/123456789012", "group"),
        ("add https://line.me/R/ti/p/@goldbay88", "line:@goldbay88", "official"),
        ("line.me/R/ti/p/%40okjobs_th", "line:@okjobs_th", "official"),
        ("LINE OA: @roastandco", "line:@roastandco", "official"),
        ("Apply: https://jobs.mekong-careers.com/apply/12", "jobboard:mekong-careers.com", "jobboard"),
        ("also on https://www.jobsdb.com/th/job/1", "jobboard:jobsdb.com", "jobboard"),
        ("www.vieclam-hcm.vn/tin/5", "jobboard:vieclam-hcm.vn", "jobboard"),
        ("https://shop-asia.com/careers/sales", "jobboard:shop-asia.com", "jobboard"),
    ],
)
def test_a_place_that_publishes_is_a_candidate(text: str, key: str, form: str) -> None:
    assert keys(text) == {key: form}


@pytest.mark.parametrize(
    "text",
    [
        "WhatsApp wa.me/85512345678 or api.whatsapp.com/send?phone=85512345678",
        "Telegram: t.me/+85512345678",  # a phone number
        "private group t.me/+AbCdEfGhIjk and t.me/joinchat/AAAAAExyz",  # private invites: no public preview
        "t.me/hiring_bot and t.me/JobsBot",  # bots
        "Apply on Telegram @GoldenBay_HR or call 012 345 678",  # a person's handle
        "Telegram: @blueocean_hr (24/7)",
        "Contact @anna_hr on telegram for the channel details",  # "channel" not right before the handle
        "line.me/ti/p/~anna.person and LINE ID: anna.smartlink",  # people's LINE ids
        "facebook.com/profile.php?id=1000123 facebook.com/100012345 facebook.com/sharer.php?u=x",
        "https://www.facebook.com/photo.php?fbid=1 facebook.com/events/55 facebook.com/login",
        "https://bit.ly/3xyz https://goo.gl/abc https://t.me https://www.google.com/search?q=jobs",
        "https://news.com.kh/story/2026 mail hr@jobs-asia.com",  # a news site; an email's domain
        "https://drive.google.com/jobs/form and https://forms.gle/jobs",  # generic hosts with job words
        "https://thaicharoen.example/careers",  # no public suffix: not a real domain
    ],
)
def test_people_numbers_and_generic_hosts_are_not_candidates(text: str) -> None:
    assert keys(text) == {}


def test_the_finding_own_site_is_no_job_board_candidate() -> None:
    own = naming(1, "More openings at https://jobs.example-board.com/list", url="https://jobs.example-board.com/ad/1")
    other = naming(2, "More openings at https://jobs.example-board.com/list", url="https://kh.other-site.com/ad/2")
    assert [r.candidate for r in mention_rows(own)] == []
    assert [r.candidate for r in mention_rows(other)] == ["jobboard:example-board.com"]


def test_one_mention_per_candidate_keeps_the_surest_form() -> None:
    assert keys("HR t.me/kh_jobs_daily · archive t.me/s/kh_jobs_daily") == {"telegram:kh_jobs_daily": "preview"}


def _real_posts(name: str) -> list[tuple[str, str, list[str]]]:
    """(text, markup, links behind the words) of each post of a real preview page."""
    page = Selector(text=(PREVIEWS / name).read_text(encoding="utf-8"))
    posts = []
    for message in page.css(MESSAGE):
        own = message.css(OWN_TEXT)
        posts.append(
            (message_text(own[-1].get() if own else ""), message.get(), own[-1:].css("a::attr(href)").getall())
        )
    return posts


def test_real_preview_pages_name_forwarded_channels_not_mentioned_people_or_bots() -> None:
    """In real t.me/s/ pages an @mention is a link to t.me/<name> (people, bots and channels alike), and a
    forward links to the post of the channel it came from: only the forwards count."""
    named: dict[str, str] = {}
    for page in ("full.html", "message_media_forwarded_from.html", "message_voice.html", "message_text.html"):
        for number, (text, markup, links) in enumerate(_real_posts(page)):
            forwards = tuple(Selector(text=markup).css(f"a.{FORWARDED}::attr(href)").getall())
            finding = naming(number, text, source="channel-previews", url=f"https://t.me/{page}/{number}")
            named.update((r.candidate, r.form) for r in mention_rows(finding, (tuple(links), forwards)))
    assert named == {
        "telegram:yaremshooter": "forward",
        "telegram:belarus_vpo": "forward",
        "telegram:vysokygovorit": "forward",
        "telegram:dimsmirnov175": "forward",
        "telegram:impnavigator": "forward",
        "telegram:infantmilitario": "post",  # a link to a post of another channel, behind the words
    }
