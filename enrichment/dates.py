"""Posted dates as crawled (``29/11/2026``, ``2 days ago``, ``2026年11月29日``) turned into ISO 8601 UTC.

Pages write dates however they like; the index keeps a strict date type (Elasticsearch rejects a whole
finding over one bad date), so enrichment normalises ``posted_at`` and keeps the text as crawled in
``posted_at_raw``. The common shapes are parsed here (ISO 8601, numeric day/month/year in either order,
CJK and Korean year-month-day, English relative dates); anything else with letters in it goes to
``dateparser`` restricted to the posting's language (about 4 ms a call once warm, against microseconds
here; with every language enabled it took 5 s on one Burmese string, so it is never asked to guess the
language). A date that cannot be read, or that lies after the fetch (plus a day of time-zone slack) or
before 1995, is left out: the raw text stays.

Numeric dates are day-first (most of the region) unless the posting is English from the United States
or the Philippines, or Filipino, where month-first is the norm; an impossible reading (month 13) falls
back to the other order. Thai pages often give Buddhist-era years (2569 = 2026).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

MAX_RAW = 200  # characters of the crawled text kept in ``posted_at_raw``
_FALLBACK_MAX = 64  # longer texts are not dates: dateparser is not asked
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
SLACK = timedelta(days=1)
BUDDHIST_OFFSET = 543
MONTH_FIRST_REGIONS = {"us", "ph"}
MONTH_FIRST_LANGUAGES = {"tl", "fil"}

_NUMERIC = re.compile(
    r"(?P<a>\d{1,4})\s*[./-]\s*(?P<b>\d{1,2})\s*[./-]\s*(?P<c>\d{1,4})"
    r"(?:\s*(?:[T,]|\s)\s*(?P<h>\d{1,2})[:.h](?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?",
    re.IGNORECASE,
)
_CJK = re.compile(r"(?P<y>\d{4})\s*[年년]\s*(?P<mo>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]?")
_RELATIVE = re.compile(r"(?P<n>\d+|an?|one)\s*(?P<unit>min(?:ute)?|hr|hour|day|week|month|year)s?\s+ago", re.I)
_UNIT_DAYS = {"min": 1 / 1440, "minute": 1 / 1440, "hr": 1 / 24, "hour": 1 / 24, "day": 1, "week": 7, "month": 30,
              "year": 365}  # fmt: skip
_WORDS = {"just now": 0, "today": 0, "yesterday": 1}
_LETTER = re.compile(r"[^\W\d_]")


def parse_posted(raw: str | None, fetched_at: str, language: str = "", region: str = "") -> str | None:
    """``raw`` as an ISO 8601 UTC timestamp (``2026-11-29T10:00:00+00:00``), or None when it is not a date
    that can be trusted. Relative dates count back from ``fetched_at``; ``region`` is a country code or
    TLD (``ph``) and ``language`` an ISO 639-1 code, both used only to order ambiguous numeric dates."""
    text = " ".join((raw or "").split())[:MAX_RAW]
    if not text:
        return None
    try:
        fetched = _as_utc(datetime.fromisoformat(fetched_at.replace("Z", "+00:00")))
    except (ValueError, AttributeError):
        return None  # no fetch time to count back from, nor to check against
    moment = _parse(text, fetched, language.lower(), region.lower())
    if moment is None or not EARLIEST <= moment <= fetched + SLACK:
        return None
    return moment.isoformat(timespec="seconds")


def _parse(text: str, fetched: datetime, language: str, region: str) -> datetime | None:
    try:
        return _as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    lowered = text.lower()
    if lowered in _WORDS:
        return fetched - timedelta(days=_WORDS[lowered])
    if match := _RELATIVE.fullmatch(lowered):
        count = 1 if match["n"] in ("a", "an", "one") else int(match["n"])
        return fetched - timedelta(days=count * _UNIT_DAYS[match["unit"]])
    if match := _CJK.fullmatch(text):
        return _moment(int(match["y"]), int(match["mo"]), int(match["d"]), language)
    if match := _NUMERIC.fullmatch(text):
        return _numeric(match, language, region)
    if _LETTER.search(text) and len(text) <= _FALLBACK_MAX:
        return _dateparser(text, fetched, language, region)
    return None


def _numeric(match: re.Match[str], language: str, region: str) -> datetime | None:
    a, b, c = match["a"], int(match["b"]), match["c"]
    if len(a) == 4:  # year first: always year-month-day
        orders = [(int(a), b, int(c))]
    else:
        year = int(c) + (2000 if len(c) <= 2 else 0)
        day_first = (int(a), b)
        month_first = region in MONTH_FIRST_REGIONS and language in ("en", "") or language in MONTH_FIRST_LANGUAGES
        pairs = [(b, int(a)), day_first] if month_first else [day_first, (b, int(a))]
        orders = [(year, month, day) for day, month in pairs]
    hour, minute, second = int(match["h"] or 0), int(match["m"] or 0), int(match["s"] or 0)
    if match["ampm"]:
        hour = hour % 12 + (12 if match["ampm"].lower().startswith("p") else 0)
    for year, month, day in orders:
        found = _moment(year, month, day, language, hour, minute, second)
        if found is not None:
            return found
    return None


def _moment(
    year: int, month: int, day: int, language: str, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime | None:
    if language == "th" and year > 2400:
        year -= BUDDHIST_OFFSET
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def _dateparser(text: str, fetched: datetime, language: str, region: str) -> datetime | None:
    import dateparser  # loaded only when a posting needs it (it takes a third of a second)

    languages = [language] if language in _dateparser_languages() else []
    if "en" not in languages:
        languages.append("en")
    month_first = region in MONTH_FIRST_REGIONS or language in MONTH_FIRST_LANGUAGES
    settings: dict[str, Any] = {
        "RELATIVE_BASE": fetched.replace(tzinfo=None),
        "DATE_ORDER": "MDY" if month_first else "DMY",
        "PREFER_DATES_FROM": "past",
        "TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    try:
        found = dateparser.parse(text, languages=languages, settings=settings)
    except Exception:  # noqa: BLE001 - a crawled string must never stop enrichment
        return None
    if found is None:
        return None
    found = _as_utc(found)
    if language == "th" and found.year > 2400:
        found = found.replace(year=found.year - BUDDHIST_OFFSET)
    return found


_LANGUAGES: set[str] = set()


def _dateparser_languages() -> set[str]:
    if not _LANGUAGES:
        from dateparser.languages.loader import default_loader

        _LANGUAGES.update(default_loader.get_locale_map())
    return _LANGUAGES


def _as_utc(moment: datetime) -> datetime:
    """Aware moments converted to UTC; naive ones taken as UTC (a page rarely says its time zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
