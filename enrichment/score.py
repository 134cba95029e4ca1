"""Risk score 0–100 from documented indicator rules (enrichment/data/indicators.yml), each with its evidence."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lurewatch.enrichment.offers import age_limit, monthly_usd
from lurewatch.enrichment.phones import phone_region
from lurewatch.entities import LANGUAGE_REGIONS
from lurewatch.errors import LureWatchError
from lurewatch.graphemes import clip
from lurewatch.records import Finding, Indicator

RULES_FILE = Path(__file__).parent / "data" / "indicators.yml"
UNREALISTIC_USD_PER_MONTH = 1000.0  # a no-skill job in the region pays a few hundred dollars
MESSENGER_DOMAINS = {"t.me", "telegram.me", "wa.me", "whatsapp.com", "line.me", "signal.me", "signal.group", "bit.ly",
                     "zalo.me", "m.me", "messenger.com", "kakao.com", "viber.com"}  # fmt: skip
_HUB_COUNTRIES = {"KH", "MM", "LA", "PH"}
_DESTINATION_WORDS = {
    "KH": r"cambodia|campuchia|kamboja|柬埔寨|กัมพูชา|កម្ពុជា|sihanoukville|西港|phnom penh|金边|poipet|bavet",
    "MM": r"myanmar|burma|缅甸|พม่า|เมียนมา|မြန်မာ|myawaddy|妙瓦底|tachileik|shwe kokko|kk park",
    "LA": r"\blaos\b|\blào\b|老挝|ลาว|ລາວ|golden triangle|金三角|bokeo",
    "PH": r"philippines|pilipinas|菲律宾|manila|pampanga|tarlac",
}
_DESTINATIONS = {country: re.compile(words, re.I) for country, words in _DESTINATION_WORDS.items()}


class RuleFileError(LureWatchError):
    """The indicator rules file is malformed."""


@dataclass(frozen=True)
class Rule:
    code: str
    weight: float
    patterns: re.Pattern[str] | None  # any language's pattern, lower-cased, matched against lower-cased text
    groups: tuple[re.Pattern[str], ...]  # all must match
    check: str | None
    floor: int = 0  # the least risk_score of a finding on which this rule fires


def _lowered(pattern: str) -> str:
    """``pattern`` with its letters lower-cased, escapes (``\\b``, ``\\d``, ``\\W``) left alone."""
    out, i = [], 0
    while i < len(pattern):
        step = 2 if pattern[i] == "\\" else 1
        out.append(pattern[i : i + step] if step == 2 else pattern[i].lower())
        i += step
    return "".join(out)


def _compile(patterns: list[str]) -> re.Pattern[str]:
    # Matching lower-cased text without re.IGNORECASE is about four times faster on these alternations.
    return re.compile("|".join(f"(?:{_lowered(p)})" for p in patterns))


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules of ``path``, patterns compiled; a bad rule names itself in the error."""
    rules = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
        code = entry.get("code", "?")
        try:
            by_language = entry.get("patterns") or {}
            alternatives = [p for patterns in by_language.values() for p in patterns]
            rules.append(
                Rule(
                    code=code,
                    weight=float(entry["weight"]),
                    patterns=_compile(alternatives) if alternatives else None,
                    groups=tuple(_compile(group) for group in entry.get("all", [])),
                    check=entry.get("check"),
                    floor=int(entry.get("floor", 0)),
                )
            )
            if not 0 <= rules[-1].floor <= 100:
                raise ValueError(f"floor {rules[-1].floor} is not within 0-100")
            if rules[-1].check and rules[-1].check not in CHECKS:
                raise KeyError(f"unknown check {rules[-1].check}")
        except (KeyError, ValueError, re.error) as exc:
            raise RuleFileError(f"indicator rule {code!r} in {path}: {exc}", hint="fix the rule's YAML") from exc
    return tuple(rules)


@dataclass(frozen=True)
class RuleInfo:
    """What people read about a rule: its label, description, weight and the reports it cites (in full)."""

    code: str
    label: str
    description: str
    weight: float
    reports: tuple[str, ...]
    floor: int = 0


@lru_cache(maxsize=4)
def rule_catalogue(path: Path = RULES_FILE) -> dict[str, RuleInfo]:
    """Code -> label, description, weight and citations, as the rules file gives them."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cited = data.get("reports") or {}
    return {
        entry["code"]: RuleInfo(
            code=entry["code"],
            label=entry.get("label") or entry["code"].replace("_", " ").capitalize(),
            description=entry.get("description", ""),
            weight=float(entry["weight"]),
            reports=tuple(cited.get(key, key) for key in entry.get("reports") or ()),
            floor=int(entry.get("floor", 0)),
        )
        for entry in data["rules"]
    }


def _age_limit(finding: Finding, body: str) -> str | None:
    found = age_limit(body)
    return found[2] if found and found[1] <= 40 else None


def _unrealistic_salary(finding: Finding, body: str) -> str | None:
    usd = monthly_usd(finding.salary)
    if usd is None or usd < UNREALISTIC_USD_PER_MONTH or finding.salary is None:
        return None
    low_skill = next(r for r in load_rules() if r.code == "low_skill_role").patterns
    no_experience = next(r for r in load_rules() if r.code == "no_experience").patterns
    lowered = body.lower()
    if (low_skill and low_skill.search(lowered)) or (no_experience and no_experience.search(lowered)):
        return f"{finding.salary.text} (≈{usd:,.0f} USD/month)"
    return None


def _messenger_only(finding: Finding, body: str) -> str | None:
    c = finding.contacts
    handles = [*c.telegram, *c.whatsapp, *c.line, *c.wechat, *c.signal, *c.zalo, *c.viber, *c.kakaotalk, *c.messenger]
    own_domains = [d for d in c.domains if d not in MESSENGER_DOMAINS]
    if handles and not c.emails and not own_domains:
        return ", ".join(handles[:3])
    return None


def _compound_destination(finding: Finding, body: str) -> str | None:
    return finding.compound or None  # set by geolocation when it resolves a known compound


def _recruiter_third_country(finding: Finding, body: str) -> str | None:
    phones = [*finding.contacts.phones, *finding.contacts.whatsapp]
    if not phones:
        return None
    destinations = {country for country, pattern in _DESTINATIONS.items() if pattern.search(body)}
    home = LANGUAGE_REGIONS.get(finding.language)
    for phone in phones if destinations else []:
        region = phone_region(phone)
        if region and region not in destinations and region != home:
            return phone
    return None


CHECKS: dict[str, Callable[[Finding, str], str | None]] = {
    "age_limit": _age_limit,
    "unrealistic_salary": _unrealistic_salary,
    "messenger_only_contact": _messenger_only,
    "compound_destination": _compound_destination,
    "recruiter_third_country": _recruiter_third_country,
}


def _span(pattern: re.Pattern[str], body: str, lowered: str) -> str | None:
    match = pattern.search(lowered)
    if match is None:
        return None
    # Lower-casing keeps offsets for all but a few letters (e.g. "İ"); then quote the lower-cased span.
    return body[match.start() : match.end()] if len(lowered) == len(body) else match.group(0)


def indicators_for(finding: Finding, body: str) -> list[Indicator]:
    """Every rule that fires on ``finding`` (whose ``body`` is title + text), in rule-file order."""
    fired = []
    lowered = body.lower()
    for rule in load_rules():
        # A span quoted from the text is the best evidence; a check (e.g. the compound that geolocation
        # resolved from a name in another script) speaks when no pattern does.
        evidence = _span(rule.patterns, body, lowered) if rule.patterns is not None else None
        if evidence is None and rule.check:
            evidence = CHECKS[rule.check](finding, body)
        if evidence is None and rule.groups:
            spans = [_span(group, body, lowered) for group in rule.groups]
            if all(spans):
                evidence = " … ".join(span for span in spans if span)
        if evidence:
            fired.append(Indicator(code=rule.code, weight=rule.weight, evidence=clip(evidence, 200)))
    return fired


def combined(indicators: list[Indicator]) -> int:
    """round(100 · (1 − Π(1 − weight/100))): 0 without indicators, order-independent, capped at 100."""
    remaining = 1.0
    for indicator in indicators:
        remaining *= 1.0 - min(max(indicator.weight, 0.0), 100.0) / 100.0
    return round(100 * (1.0 - remaining))


def risk_score(indicators: list[Indicator]) -> int:
    """The combined weights, raised to the highest ``floor`` of the rules that fired.

    A floor says that one indicator alone is enough for a band: a job at a known compound is never "low",
    however few other indicators its ad trips.
    """
    floors = {rule.code: rule.floor for rule in load_rules()}
    return max([combined(indicators), *(floors.get(i.code, 0) for i in indicators)])


@dataclass(frozen=True)
class Band:
    """A colour band of the risk score, as the web UI shows it."""

    name: str
    low: int
    high: int
    meaning: str


# Documented in README ("Risk score and bands") and on the web UI's /risk page. None of them says "safe":
# no indicator firing means the rules found nothing, not that the ad is genuine.
BANDS = (
    Band("none", 0, 0, "no indicator fired: nothing found, not a sign that the job is genuine"),
    Band("low", 1, 39, "one or two weak indicators"),
    Band("medium", 40, 69, "several indicators, or one strong enough alone (a known compound)"),
    Band("high", 70, 100, "many indicators together: treat as a lure"),
)


def risk_band(score: int | None) -> Band:
    """The band of ``score`` (0–100; None counts as 0)."""
    score = min(max(score or 0, 0), 100)
    return next(band for band in BANDS if band.low <= score <= band.high)


def score(finding: Finding, body: str) -> None:
    """Set ``finding.indicators`` and ``finding.risk_score``."""
    finding.indicators = indicators_for(finding, body)
    finding.risk_score = risk_score(finding.indicators)
