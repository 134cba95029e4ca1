"""Reading pages: robust decoding and CSS field selection shared by the spiders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from charset_normalizer import from_bytes
from parsel import Selector

if TYPE_CHECKING:
    from scrapy.http import TextResponse


def decode_page(response: TextResponse) -> tuple[Selector, str, bool]:
    """Parse the page; when the declared charset does not decode the body, detect the real one.

    Returns the selector, the encoding used and whether the declared one was wrong.
    """
    declared = response.encoding
    try:
        # Scrapy already decoded the body, replacing bad bytes with U+FFFD; only then decode strictly again.
        if "\ufffd" in response.text:
            response.body.decode(declared)
    except (UnicodeDecodeError, LookupError):
        guess = from_bytes(response.body).best()
        if guess is not None:
            return Selector(text=str(guess), type="html"), guess.encoding, True
        return response.selector, declared, True
    return response.selector, declared, False


def select_text(page: Selector, expr: str) -> list[str]:
    """Values of a field selector: ``::text`` / ``::attr()`` as given, else each element's whole text."""
    if "::" in expr:
        return [v.strip() for v in page.css(expr).getall() if v.strip()]
    values = []
    for element in page.css(expr):
        text = " ".join(t.strip() for t in element.css("::text").getall() if t.strip())
        if text:
            values.append(text)
    return values
