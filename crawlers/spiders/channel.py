"""The ``channel`` spider: public Telegram channel previews (``t.me/s/<channel>``), paged back with ``?before=``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import scrapy
from w3lib.html import remove_tags, replace_entities
from w3lib.url import add_or_replace_parameter

from lurewatch.crawlers.source_kinds import duration_seconds
from lurewatch.crawlers.spiders.base import SourceSpider
from lurewatch.records import Posting

if TYPE_CHECKING:
    from parsel import Selector

    from lurewatch.crawlers.source import Source

MESSAGE = "div.tgme_widget_message_wrap div.tgme_widget_message[data-post]"
# A reply quotes the post it answers in a text block of the same class; the post's own text is the other one.
OWN_TEXT = ".tgme_widget_message_text:not(.js-message_reply_text)"
PICTURES = "a.tgme_widget_message_photo_wrap::attr(style), i.tgme_widget_message_video_thumb::attr(style)"
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
BACKGROUND_URL = re.compile(r"background-image:\s*url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
VIEWS = re.compile(r"^([\d.,]+)\s*([KkMm]?)$")
TITLE_CHARS = 120


def message_text(html: str) -> str:
    """Plain text of a message, line breaks kept."""
    text = replace_entities(remove_tags(BREAK.sub("\n", html)))
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def view_count(text: str) -> int | None:
    """Telegram's view counter (``987``, ``1.2K``, ``3M``) as a number."""
    match = VIEWS.match(text.strip())
    if not match:
        return None
    try:
        number = float(match.group(1).replace(",", ""))
    except ValueError:  # ".", "1.2.3": a counter a page made up
        return None
    return int(number * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()])


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ChannelSpider(SourceSpider):
    """Reads every post of a channel preview page, then older pages until max_pages or max_age."""

    name = "channel"

    def __init__(self, source: Source, run_id: str, **kwargs: Any) -> None:
        super().__init__(source, run_id, **kwargs)
        assert source.channel is not None
        self.channel = source.channel
        age = self.channel.max_age
        self.oldest_allowed = datetime.now(UTC) - timedelta(seconds=duration_seconds(age)) if age else None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.absolute_start_urls():
            request = self.request(url, self.parse_channel, "list", lurewatch_channel_page=1, lurewatch_channel_url=url)
            if request:
                yield request

    def parse_channel(self, response: scrapy.http.Response) -> Iterator[Posting | scrapy.Request]:
        page = self.page(response, "list")
        if page is None:
            return
        self.crawler.stats.inc_value("lurewatch/pages/channel")
        ids: list[int] = []
        reached_age_limit = False
        for message in page.css(MESSAGE):
            data_post = message.attrib.get("data-post", "")
            channel, _, number = data_post.rpartition("/")
            if not (channel and number.isdigit()):
                self.rejects.add("bad_post_id", response.url, f"data-post={data_post!r}")
                continue
            ids.append(int(number))
            posted = parse_time(message.css("time::attr(datetime)").get())
            if self.oldest_allowed and posted and posted < self.oldest_allowed:
                reached_age_limit = True
                self.crawler.stats.inc_value("lurewatch/channel/too_old")
                continue
            posting = self.post(response, message, channel, number, posted)
            if posting is not None:
                yield posting
        number = response.meta.get("lurewatch_channel_page", 1)
        if not ids:
            if number == 1:  # an empty first page is a wrong URL or a changed layout, not the end of the channel
                self.rejects.add("no_posts", response.url, "no tgme_widget_message with data-post on the page")
            return
        if reached_age_limit or number >= self.channel.max_pages:
            self.crawler.stats.inc_value("lurewatch/channel/stopped_at_limit")
            return
        # The preview lists the newest posts; older ones are on ?before=<smallest id on this page>.
        older = add_or_replace_parameter(response.meta["lurewatch_channel_url"], "before", str(min(ids)))
        request = self.request(
            older,
            self.parse_channel,
            "list",
            lurewatch_channel_page=number + 1,
            lurewatch_channel_url=response.meta["lurewatch_channel_url"],
        )
        if request:
            yield request

    def post(
        self, response: scrapy.http.Response, message: Selector, channel: str, number: str, posted: datetime | None
    ) -> Posting | None:
        own_text = message.css(OWN_TEXT)
        text_html = own_text[-1].get() if own_text else ""
        text = message_text(text_html)
        pictures = [m.group(1) for style in message.css(PICTURES).getall() if (m := BACKGROUND_URL.search(style))]
        images = list(self.links(response, pictures))
        links = [self.joined(response, h) for h in own_text[-1:].css("a::attr(href)").getall()]
        fields = {"channel": channel}
        reply_to = message.css("a.tgme_widget_message_reply::attr(href)").get()
        if reply_to:
            fields["reply_to"] = self.joined(response, reply_to)
        if links:
            fields["links"] = "\n".join(links)
        views_text = (message.css(".tgme_widget_message_views::text").get() or "").strip()
        if views_text:
            fields["views_text"] = views_text
            views = view_count(views_text)
            if views is not None:
                fields["views"] = str(views)
        if not text and not images:
            self.rejects.add("empty_post", response.url, f"post {channel}/{number} has no text and no photo")
            return None
        permalink = message.css("a.tgme_widget_message_date::attr(href)").get()
        self.crawler.stats.inc_value("lurewatch/channel/posts")
        return self.posting(
            response,
            url=self.joined(response, permalink) if permalink else response.urljoin(f"/{channel}/{number}"),
            title=text.splitlines()[0][:TITLE_CHARS] if text else f"{channel}/{number} (photo)",
            text=text,
            html=message.get(),
            posted_at=posted.isoformat() if posted else None,
            author=" ".join(message.css(".tgme_widget_message_owner_name ::text").getall()).strip() or channel,
            native_id=f"{channel}/{number}",
            fields=fields,
            image_urls=images,
        )
