"""The known-compounds gazetteer: scam-compound sites and hubs named in public reporting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

COMPOUNDS_FILE = Path(__file__).parent / "data" / "compounds.yml"


@dataclass(frozen=True)
class Compound:
    """One entry of compounds.yml."""

    name: str
    kind: str  # compound | hub | transit
    aliases: tuple[str, ...]
    country: str
    area: str
    near_town: str
    lat: float
    lon: float
    precision: str
    radius_km: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CompoundMention:
    start: int
    end: int
    text: str
    compound: Compound


@lru_cache(maxsize=1)
def load_compounds(path: Path = COMPOUNDS_FILE) -> tuple[Compound, ...]:
    """Every entry of compounds.yml, validated."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = []
    for item in raw["compounds"]:
        if not item.get("sources"):
            raise ValueError(f"compound {item['name']!r} in {path} cites no public source")
        entries.append(
            Compound(
                name=item["name"], kind=item["kind"], aliases=tuple(item.get("aliases", [])),
                country=item["country"], area=item["area"], near_town=item["near_town"],
                lat=float(item["lat"]), lon=float(item["lon"]), precision=item["precision"],
                radius_km=float(item["radius_km"]), sources=tuple(s["title"] for s in item["sources"]),
            )
        )  # fmt: skip
    return tuple(entries)


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, Compound]]:
    by_alias: dict[str, Compound] = {}
    for compound in load_compounds():
        for alias in (compound.name, *compound.aliases):
            by_alias.setdefault(alias.casefold(), compound)
    # Latin names must stand as words; names in scripts written without spaces match anywhere. Each set is
    # one trie-shaped pattern: a plain alternation of every alias is tried alias by alias at every position.
    latin = _trie_pattern([a for a in by_alias if a.isascii()])
    local = _trie_pattern([a for a in by_alias if not a.isascii()])
    parts = [rf"(?<!\w){latin}(?!\w)" if latin else "", local]
    return re.compile("|".join(p for p in parts if p), re.IGNORECASE), by_alias


def _trie_pattern(aliases: list[str]) -> str:
    """A regex matching any of ``aliases``, longest first, as a trie (a space matches any run of spaces)."""
    trie: dict[str, Any] = {}
    for alias in aliases:
        node = trie
        for char in alias:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        branches = [
            (r"\s+" if char == " " else re.escape(char)) + render(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(trie)


def find_compounds(text: str) -> list[CompoundMention]:
    """Every mention of a known compound or hub in ``text``, with character offsets."""
    pattern, by_alias = _matcher()
    found = []
    for match in pattern.finditer(text):
        key = " ".join(match.group(0).casefold().split())
        compound = by_alias.get(key)
        if compound is not None:
            found.append(CompoundMention(match.start(), match.end(), match.group(0), compound))
    return found
