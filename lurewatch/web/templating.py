"""The Jinja2 environment of the web UI: autoescape always on, and the few filters the pages use."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from lurewatch.index.query import HIGHLIGHT_POST, HIGHLIGHT_PRE

TEMPLATES = Path(__file__).parent / "ui" / "templates"
LANGUAGES = {"en": "English", "th": "Thai", "km": "Khmer", "lo": "Lao", "my": "Burmese", "zh": "Chinese",
             "vi": "Vietnamese", "id": "Indonesian", "tl": "Tagalog", "ms": "Malay", "ko": "Korean", "ja": "Japanese",
             "ru": "Russian"}  # fmt: skip
COUNTRIES = {"KH": "Cambodia", "MM": "Myanmar", "LA": "Laos", "TH": "Thailand", "PH": "Philippines", "VN": "Vietnam",
             "MY": "Malaysia", "ID": "Indonesia", "CN": "China", "SG": "Singapore", "TW": "Taiwan", "KR": "South Korea",
             "IN": "India", "BD": "Bangladesh", "LK": "Sri Lanka", "NP": "Nepal", "KE": "Kenya", "UG": "Uganda"}  # fmt: skip
INDICATOR_LABELS = {
    "salary_too_high": "Salary far above the market", "no_experience": "No experience needed",
    "free_visa_flight": "Free visa and flight", "telegram_only": "Contact only by messenger",
    "age_limit": "Narrow age limit", "passport_required": "Passport requested", "crypto_wallet": "Crypto wallet",
    "compound_location": "Known compound location",
}  # fmt: skip


def highlighted(text: str | None) -> Markup:
    """Escape ``text``, then turn the backend's match markers into ``<mark>``."""
    safe = str(escape(text or ""))
    pre, post = safe.find(HIGHLIGHT_PRE), safe.find(HIGHLIGHT_POST)
    if post >= 0 and (pre < 0 or post < pre):
        safe = HIGHLIGHT_PRE + safe  # a fragment that starts inside a match
    if safe.count(HIGHLIGHT_PRE) > safe.count(HIGHLIGHT_POST):
        safe += HIGHLIGHT_POST
    return Markup(safe.replace(HIGHLIGHT_PRE, "<mark>").replace(HIGHLIGHT_POST, "</mark>"))


def risk_level(score: int | None) -> str:
    score = score or 0
    return "high" if score >= 70 else "medium" if score >= 40 else "low"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True)  # fmt: skip
    env.filters.update(
        highlighted=highlighted,
        risk_level=risk_level,
        day=lambda value: (value or "")[:10],
        moment=lambda value: (value or "").replace("T", " ")[:16],
        number=lambda value: f"{value:,}",
        urlpart=lambda value: quote(str(value), safe=""),
        country=lambda code: f"{COUNTRIES[code]} ({code})" if code in COUNTRIES else (code or "unknown"),
        language=lambda code: LANGUAGES.get(code or "", code or "unknown"),
        indicator=lambda code: INDICATOR_LABELS.get(code, code.replace("_", " ")),
    )
    return env


templates = Jinja2Templates(env=_env())
