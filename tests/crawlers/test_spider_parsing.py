"""The small readers behind the spiders: feed documents, channel text and view counters, offsets."""

from __future__ import annotations

from lxml import etree

from lurewatch.crawlers.spiders.channel import message_text, view_count
from lurewatch.crawlers.spiders.feed import PARSER, iso_date, read_entries


def test_channel_text_keeps_line_breaks_and_decodes_entities() -> None:
    html = '<div class="tgme_widget_message_text">Lương 900 USD<br/>Liên hệ <a href="https://t.me/x">@x</a> &amp; Zalo<br>  </div>'
    assert message_text(html) == "Lương 900 USD\nLiên hệ @x & Zalo"


def test_view_counters() -> None:
    assert view_count("987") == 987
    assert view_count("1.2K") == 1200
    assert view_count("3M") == 3_000_000
    assert view_count("1,204") == 1204
    assert view_count("views") is None


def test_rss_1_rdf_items_are_read() -> None:
    doc = """<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="http://x/"><title>x</title></channel>
      <item rdf:about="http://x/1"><title>Tuyển gấp</title><link>http://x/1</link><dc:date>2026-11-01T10:00:00Z</dc:date></item>
    </rdf:RDF>""".encode()
    kind, entries = read_entries(etree.fromstring(doc, parser=PARSER))
    assert kind == "rss"
    assert entries[0]["url"] == "http://x/1" and entries[0]["title"] == "Tuyển gấp"
    assert iso_date(entries[0]["posted_at"]) == "2026-11-01T10:00:00+00:00"


def test_atom_prefers_the_alternate_link() -> None:
    doc = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>t</title><id>urn:1</id>
      <link rel="self" href="http://x/api/1"/><link href="http://x/post/1"/></entry></feed>"""
    _, entries = read_entries(etree.fromstring(doc, parser=PARSER))
    assert entries[0]["url"] == "http://x/post/1"


def test_external_entities_are_not_resolved() -> None:
    doc = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]>
      <rss><channel><item><title>&e;</title><link>http://x/1</link></item></channel></rss>"""
    _, entries = read_entries(etree.fromstring(doc, parser=PARSER))
    assert entries[0]["title"] in {"", "&e;"}  # left as it is, never read from the file


def test_rss_dates_become_iso() -> None:
    assert iso_date("Sat, 28 Nov 2026 09:30:00 +0700") == "2026-11-28T09:30:00+07:00"
    assert iso_date("") is None
    assert iso_date("sometime") == "sometime"
