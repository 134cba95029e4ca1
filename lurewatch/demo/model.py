"""Demo ad records: one job ad and the phone numbers it shows."""

from __future__ import annotations

from dataclasses import dataclass

# A description block: a paragraph, or the items of a bullet list.
Block = str | tuple[str, ...]


@dataclass(frozen=True)
class Phone:
    """A phone number as an ad writes it, in national and in international form."""

    local: str
    intl: str

    @property
    def e164(self) -> str:
        return "+" + "".join(c for c in self.intl if c.isascii() and c.isdigit())


@dataclass(frozen=True)
class Ad:
    """One job ad as shown on one detail page of the demo board."""

    key: str
    lang: str
    is_lure: bool
    title: str
    company: str
    location: str
    town: str
    town_text: str
    country: str
    salary: str | None = None
    body: tuple[Block, ...] = ()
    contact: str | None = None
    phones: tuple[Phone, ...] = ()
    whatsapp: tuple[str, ...] = ()
    telegram: tuple[str, ...] = ()
    line: tuple[str, ...] = ()
    wechat: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    image: str | None = None
    alt_town: tuple[str, str, str] | None = None  # (town, town_text, country)
    translate: tuple[str, str] | None = None  # (sentence, its translation)
    kind: str = "ok"  # ok | misencoded | truncated | server-error | missing
    encoding: str | None = None
    job_id: int = 0
    day: int = 1
    repost_of: str | None = None
    edits: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return f"{self.job_id}-{self.key}"

    @property
    def path(self) -> str:
        return f"/jobs/{self.slug}.html"

    @property
    def posted_at(self) -> str:
        return f"2026-11-{self.day:02d}"

    def description_lines(self) -> list[str]:
        """Every line of the description (paragraphs, list items, contact line), in order."""
        lines: list[str] = []
        for block in self.body:
            lines.extend([block] if isinstance(block, str) else block)
        if self.contact:
            lines.append(self.contact)
        return lines

    def all_text(self) -> str:
        """Title, meta fields and description joined, for checks that a contact is shown."""
        meta = [self.title, self.company, self.location, self.salary or ""]
        return "\n".join(meta + self.description_lines())
