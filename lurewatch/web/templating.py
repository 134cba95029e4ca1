"""The Jinja2 environment of the web UI: autoescape always on, the few filters the pages use, labels from one place."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from babel import Locale
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from lurewatch.enrichment.score import RuleInfo, combined, risk_band, rule_catalogue
from lurewatch.entities import BY_KIND
from lurewatch.index.query import HIGHLIGHT_POST, HIGHLIGHT_PRE
from lurewatch.records import Indicator
from lurewatch.web.sessions import csrf_token

TEMPLATES = Path(__file__).parent / "ui" / "templates"
LANGUAGES = {"en": "English", "th": "Thai", "km": "Khmer", "lo": "Lao", "my": "Burmese", "zh": "Chinese",
             "vi": "Vietnamese", "id": "Indonesian", "tl": "Tagalog", "ms": "Malay", "ko": "Korean", "ja": "Japanese",
             "ru": "Russian"}  # fmt: skip
COUNTRIES = {"KH": "Cambodia", "MM": "Myanmar", "LA": "Laos", "TH": "Thailand", "PH": "Philippines", "VN": "Vietnam",
             "MY": "Malaysia", "ID": "Indonesia", "CN": "China", "SG": "Singapore", "TW": "Taiwan", "KR": "South Korea",
             "IN": "India", "BD": "Bangladesh", "LK": "Sri Lanka", "NP": "Nepal", "KE": "Kenya", "UG": "Uganda"}  # fmt: skip


@functools.cache
def country_name(code: str | None) -> str | None:
    """A country's English name from its ISO code: the short forms above, else CLDR's (Babel), else None."""
    if not code:
        return None
    if code in COUNTRIES:
        return COUNTRIES[code]
    name = Locale("en").territories.get(code.upper())
    return str(name) if name else None


def highlighted(text: str | None) -> Markup:
    """Escape ``text``, then turn the backend's match markers into ``<mark>``."""
    safe = str(escape(text or ""))
    pre, post = safe.find(HIGHLIGHT_PRE), safe.find(HIGHLIGHT_POST)
    if post >= 0 and (pre < 0 or post < pre):
        safe = HIGHLIGHT_PRE + safe  # a fragment that starts inside a match
    if safe.count(HIGHLIGHT_PRE) > safe.count(HIGHLIGHT_POST):
        safe += HIGHLIGHT_POST
    return Markup(safe.replace(HIGHLIGHT_PRE, "<mark>").replace(HIGHLIGHT_POST, "</mark>"))


def indicator_info(code: str) -> RuleInfo:
    """Label, description and cited reports of an indicator, from enrichment/data/indicators.yml."""
    found = rule_catalogue().get(code)
    return found or RuleInfo(code, code.replace("_", " ").capitalize(), "", 0.0, ())


def risk_level(score: int | None) -> str:
    """The band's name (``none``, ``low``, ``medium``, ``high``): enrichment/score.py ``BANDS`` decides."""
    return risk_band(score).name


def risk_explained(indicators: list[Indicator], score: int) -> dict[str, Any]:
    """How a finding's indicators made its score: the combined weights and the floor that raised it, if any."""
    together = combined(indicators)
    floors = [(info.floor, info.label) for info in (indicator_info(i.code) for i in indicators) if info.floor]
    floor, by = max(floors, default=(0, ""))
    return {"combined": together, "floor": floor if floor > together else 0, "floor_by": by, "score": score,
            "band": risk_band(score)}  # fmt: skip


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True)  # fmt: skip
    env.filters.update(
        highlighted=highlighted,
        risk_level=risk_level,
        risk_band=risk_band,
        day=lambda value: (value or "")[:10],
        moment=lambda value: (value or "").replace("T", " ")[:16],
        number=lambda value: f"{value:,}",
        urlpart=lambda value: quote(str(value), safe=""),
        country=lambda code: f"{country_name(code)} ({code})" if country_name(code) else (code or "unknown"),
        language=lambda code: LANGUAGES.get(code or "", code or "unknown"),
        indicator=lambda code: indicator_info(code).label,
        entity=lambda kind: BY_KIND[kind].label if kind in BY_KIND else kind,
    )
    env.globals.update(csrf_token=csrf_token, indicator_info=indicator_info, risk_explained=risk_explained)
    return env


templates = Jinja2Templates(env=_env())
