"""The query model shared by both backends, and a parser for ``simple_query_string`` text.

Text syntax (as Elasticsearch's simple_query_string, default operator AND): words, ``"phrases"``,
``+`` and, ``|`` or, ``-`` not, ``prefix*``, parentheses. Operators apply left to right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FILTER_FIELDS = ("source", "source_kind", "language", "country")
DEFAULT_FACETS = ("source", "language", "country")


@dataclass
class Query:
    """What a search asks for; compiled by each backend."""

    text: str = "*"
    filters: dict[str, list[str]] = field(default_factory=dict)
    size: int = 20
    offset: int = 0
    facets: tuple[str, ...] = DEFAULT_FACETS

    def __post_init__(self) -> None:
        unknown = set(self.filters) - set(FILTER_FIELDS)
        if unknown:
            raise ValueError(f"unknown filter(s) {sorted(unknown)}; known: {', '.join(FILTER_FIELDS)}")
        self.filters = {k: v for k, v in self.filters.items() if v}

    @property
    def match_all(self) -> bool:
        return self.text.strip() in {"", "*"}


@dataclass
class Hit:
    posting_id: str
    title: str
    url: str
    score: float
    source: str = ""
    language: str = ""
    country: str | None = None
    risk_score: int = 0
    fetched_at: str = ""


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


# --- text parsing -----------------------------------------------------------------------------


@dataclass
class Term:
    text: str
    kind: str = "word"  # word | phrase | prefix


@dataclass
class Not:
    node: Node


@dataclass
class BoolOp:
    op: str  # and | or
    nodes: list[Node]


Node = Term | Not | BoolOp

_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<op>[|+()-])|(?P<word>[^\s|+()"]+))')


def parse(text: str) -> Node | None:
    """Parse simple_query_string text into a tree; None for a query that matches everything."""
    tokens = [m for m in _TOKEN.finditer(text) if m.group(0).strip()]
    pos = 0

    def group() -> Node | None:
        nonlocal pos
        result: Node | None = None
        op = "and"
        negate = False
        while pos < len(tokens):
            tok = tokens[pos]
            pos += 1
            if tok.group("op") == ")":
                break
            if tok.group("op") == "|":
                op = "or"
                continue
            if tok.group("op") == "+":
                op = "and"
                continue
            if tok.group("op") == "-":
                negate = True
                continue
            if tok.group("op") == "(":
                node = group()
            elif tok.group("phrase") is not None:
                node = Term(tok.group("phrase").strip('"'), "phrase")
            else:
                word = tok.group("word")
                node = Term(word[:-1], "prefix") if word.endswith("*") and len(word) > 1 else Term(word)
                if word == "*":
                    node = None
            if node is None:
                negate = False
                continue
            if negate:
                node = Not(node)
                negate = False
            if result is None:
                result = node
            elif isinstance(result, BoolOp) and result.op == op:
                result.nodes.append(node)
            else:
                result = BoolOp(op, [result, node])
            op = "and"
        return result

    return group()
