"""A public channel preview shaped like ``t.me/s/<channel>``: 64 posts, 20 a page, older ones on ``?before=<id>``."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime, timedelta

from tests.support.sites.corpus import Post, posts
from tests.support.sites.server import Reply, html, image_reply, not_found

CHANNEL = "mekongjobs"
FIRST_ID = 1001
POST_COUNT = 64
PAGE_SIZE = 20
HOURS_APART = 5

HANDLE = re.compile(r"@([A-Za-z0-9_]{4,})")
PHONE = re.compile(r"\+(\d{9,15})")


def message_id(post: Post) -> int:
    return FIRST_ID + post.number


def views(post: Post) -> str:
    count = 180 + post.number * 97
    return f"{count / 1000:.1f}K" if count >= 1000 else str(count)


def has_photo(post: Post) -> bool:
    return post.number % 4 == 0


def has_video(post: Post) -> bool:
    return post.number % 10 == 7


def replies_to(post: Post) -> int | None:
    """Every eleventh post answers the post five before it, quoting it the way Telegram does."""
    return post.number - 5 if post.number % 11 == 10 else None


class ChannelSite:
    """The channel's posts, dated back from the moment the site starts."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.posts = posts(POST_COUNT)

    def posted_at(self, post: Post) -> datetime:
        # Half an hour off the hour so a max_age in whole days never falls exactly on a post.
        return self.now - timedelta(hours=(POST_COUNT - post.number) * HOURS_APART - 0.5)

    def route(self, path: str, query: dict[str, str]) -> Reply:
        if path.startswith("/media/"):
            return image_reply(path)
        if path != f"/s/{CHANNEL}":
            return not_found()
        before = int(query["before"]) if query.get("before", "").isdigit() else None
        shown = [p for p in self.posts if before is None or message_id(p) < before][-PAGE_SIZE:]
        return html(self.page(shown))

    def text_html(self, post: Post) -> str:
        text = htmllib.escape(post.text)
        text = HANDLE.sub(r'<a href="https://t.me/\1">@\1</a>', text)
        text = PHONE.sub(r'<a href="https://wa.me/\1">+\1</a>', text)
        return text.replace("\n", "<br/>")

    def message(self, post: Post) -> str:
        number = message_id(post)
        photo = (
            f'<a class="tgme_widget_message_photo_wrap" href="https://t.me/{CHANNEL}/{number}" '
            f"style=\"width:640px;background-image:url('/media/{CHANNEL}-{number}.png')\"></a>"
            if has_photo(post)
            else ""
        )
        if has_video(post):
            photo += (
                f'<a class="tgme_widget_message_video_player" href="https://t.me/{CHANNEL}/{number}">'
                f'<i class="tgme_widget_message_video_thumb" style="background-image:url(\'/media/{CHANNEL}-{number}-v.png\')">'
                '</i><div class="message_video_duration">0:42</div></a>'
            )
        quoted = replies_to(post)
        reply = ""
        if quoted is not None:
            original = self.posts[quoted]
            reply = (
                f'<a class="tgme_widget_message_reply" href="https://t.me/{CHANNEL}/{message_id(original)}">'
                '<div class="tgme_widget_message_author accent_color"><span class="tgme_widget_message_author_name">'
                "Mekong Jobs &amp; News</span></div>"
                f'<div class="tgme_widget_message_text js-message_reply_text" dir="auto">{self.text_html(original)}</div></a>'
            )
        when = self.posted_at(post)
        return f"""
<div class="tgme_widget_message_wrap js-widget_message_wrap">
  <div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{CHANNEL}/{number}">
    <div class="tgme_widget_message_bubble">
      <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name"
        href="https://t.me/{CHANNEL}"><span dir="auto">Mekong Jobs &amp; News</span></a></div>
      {reply}{photo}
      <div class="tgme_widget_message_text js-message_text" dir="auto">{self.text_html(post)}</div>
      <div class="tgme_widget_message_footer compact js-message_footer">
        <div class="tgme_widget_message_info short js-message_info">
          <span class="tgme_widget_message_views">{views(post)}</span>
          <span class="copyonly"> views</span>
          <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date"
            href="/{CHANNEL}/{number}"><time datetime="{when.isoformat()}" class="time">{when:%H:%M}</time></a></span>
        </div>
      </div>
    </div>
  </div>
</div>"""

    def page(self, shown: list[Post]) -> str:
        more = (
            f'<a class="tme_messages_more js-messages_more" data-before="{message_id(shown[0])}" '
            f'href="/s/{CHANNEL}?before={message_id(shown[0])}"></a>'
            if shown and shown[0].number > 0
            else ""
        )
        body = "".join(self.message(p) for p in shown)
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Mekong Jobs &amp; News – Telegram</title></head>
<body class="widget_frame_base tgme_webpreview">
<header class="tgme_header"><div class="tgme_channel_info_header_title"><span dir="auto">Mekong Jobs &amp; News</span>
</div><div class="tgme_channel_info_header_username"><a href="https://t.me/{CHANNEL}">@{CHANNEL}</a></div></header>
<main class="tgme_main"><section class="tgme_channel_history js-message_history">{more}{body}</section></main>
</body></html>"""
