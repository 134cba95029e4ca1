"""Normalise a posting: markup to clean text (line breaks kept), mojibake repaired, and the text's language."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy
import lxml.html
from ftfy.badness import is_bad
from lxml import etree

BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt", "hr",
}  # fmt: skip
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "head")
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, one line per block element."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return clean_text(re.sub(r"<[^>]+>", " ", html))
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if element.text and tag:
                parts.append(element.text)
        else:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if element.tail:
                parts.append(element.tail)
    return clean_text("".join(parts))


def fix_text(text: str) -> str:
    """Text with mojibake and stray escapes repaired (ftfy), NFC-normalised; markup is left alone."""
    if text.isascii():
        return text
    if not is_bad(text):  # ftfy's own fast check; the full repair costs milliseconds per ad
        return unicodedata.normalize("NFC", text)
    return ftfy.fix_text(text, normalization="NFC", unescape_html=False, uncurl_quotes=False)


def clean_text(text: str) -> str:
    """Text repaired, one cleaned line per line, no runs of blank lines."""
    text = fix_text(text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


# Scripts that name their language outright; lingua covers the Latin-script ones.
_SCRIPTS = [
    ("km", re.compile(r"[\u1780-\u17ff]")),
    ("my", re.compile(r"[\u1000-\u109f]")),
    ("lo", re.compile(r"[\u0e80-\u0eff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
]
_KANA = re.compile(r"[\u3040-\u30ff]{2}")
_LETTER = re.compile(r"\w", re.UNICODE)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's main language, or "" when unsure."""
    sample = text[:600]
    letters = len(_LETTER.findall(sample)) or 1
    best, best_share = "", 0.0
    for code, pattern in _SCRIPTS:
        share = len(pattern.findall(sample)) / letters
        if share > best_share:
            best, best_share = code, share
    if best == "zh" and _KANA.search(sample):
        return "ja"  # Japanese mixes kana into kanji; Chinese never uses kana
    if best_share >= 0.2:
        return best
    # 300 characters: as accurate as 600 on job ads and four times faster (lingua's cost grows faster than length).
    language = _latin_detector().detect_language_of(sample[:300])
    return language.iso_code_639_1.name.lower() if language is not None else ""


@lru_cache(maxsize=1)
def _latin_detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH, Language.VIETNAMESE, Language.INDONESIAN, Language.MALAY, Language.TAGALOG,
        Language.FRENCH, Language.SPANISH, Language.PORTUGUESE, Language.GERMAN, Language.TURKISH,
    ]  # fmt: skip
    return LanguageDetectorBuilder.from_languages(*languages).with_minimum_relative_distance(0.1).build()
