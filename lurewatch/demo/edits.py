"""Repost edits: the small changes a recruiter makes when posting the same ad again."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING

from lurewatch.demo.model import Ad, Block, Phone

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

EMOJI = ("🔥", "💰", "✈️", "✅", "📢", "⭐", "💯", "🎉", "👉", "🆕")
SALARY_FACTORS = (1.2, 1.25, 1.5)
_NUMBER = re.compile(r"\d{1,3}(?:[,.]\d{3})+|\d+")


def _map_text(ad: Ad, change: Callable[[str], str]) -> Ad:
    """Apply a text change to every field a reader sees (the company name excepted)."""
    body: tuple[Block, ...] = tuple(
        change(b) if isinstance(b, str) else tuple(change(item) for item in b) for b in ad.body
    )
    return replace(
        ad,
        title=change(ad.title),
        location=change(ad.location),
        salary=change(ad.salary) if ad.salary else ad.salary,
        body=body,
        contact=change(ad.contact) if ad.contact else ad.contact,
    )


def _replace_all(ad: Ad, old: str, new: str) -> Ad:
    return _map_text(ad, lambda text: text.replace(old, new))


def _set_trailing_digits(text: str, digits: str) -> str:
    """Overwrite the last len(digits) digits of text, keeping each digit's script (e.g. Burmese)."""
    chars = list(text)
    todo = list(digits)
    for i in range(len(chars) - 1, -1, -1):
        if not todo:
            break
        value = unicodedata.decimal(chars[i], None)
        if value is not None:
            chars[i] = chr(ord(chars[i]) - value + int(todo.pop()))
    return "".join(chars)


def _new_tail(rng: random.Random, old_number: str) -> str:
    old_tail = old_number[-3:]
    tail = old_tail
    while tail == old_tail:
        tail = f"{rng.randrange(1000):03d}"
    return tail


def change_phone(ad: Ad, rng: random.Random) -> Ad:
    """Swap the first number for a sibling SIM: same prefix, new last three digits."""
    if ad.phones:
        old = ad.phones[0]
        tail = _new_tail(rng, old.e164)
        new = Phone(_set_trailing_digits(old.local, tail), _set_trailing_digits(old.intl, tail))
        # The international form first: a national form may be a substring of it.
        edited = _replace_all(_replace_all(ad, old.intl, new.intl), old.local, new.local)
        edited = replace(edited, phones=(new, *ad.phones[1:]))
        old_e164, new_e164 = old.e164, new.e164
    else:
        old_e164 = ad.whatsapp[0]
        new_e164 = _set_trailing_digits(old_e164, _new_tail(rng, old_e164))
        edited = ad
    if old_e164 in ad.whatsapp:
        edited = _replace_all(edited, f"wa.me/{old_e164[1:]}", f"wa.me/{new_e164[1:]}")
        whatsapp = tuple(new_e164 if n == old_e164 else n for n in ad.whatsapp)
        edited = replace(edited, whatsapp=whatsapp)
    return edited


def change_handle(ad: Ad, rng: random.Random) -> Ad:
    """Move to a fresh Telegram account after the old one was reported."""
    old = ad.telegram[0]
    suffix = str(rng.randint(2, 9))
    new = old[:-1] + suffix if old[-1].isdigit() and old[-1] != suffix else old + suffix
    pattern = re.compile(rf"(?<![\w.]){re.escape(old)}(?!\w)")
    edited = _map_text(ad, lambda text: pattern.sub(new, text))
    return replace(edited, telegram=(new, *ad.telegram[1:]))


def add_emoji(ad: Ad, rng: random.Random) -> Ad:
    """Decorate the title and the first paragraph with emoji."""
    first, second = rng.sample(EMOJI, 2)
    body = list(ad.body)
    for i, block in enumerate(body):
        if isinstance(block, str):
            body[i] = f"{block} {second}{second}"
            break
    return replace(ad, title=f"{first} {ad.title}", body=tuple(body))


def reorder_lines(ad: Ad, rng: random.Random) -> Ad:
    """Rotate the items of the first bullet list (two items: swap them)."""
    body = list(ad.body)
    for i, block in enumerate(body):
        if not isinstance(block, str) and len(block) >= 2:
            shift = rng.randint(1, len(block) - 1)
            body[i] = block[shift:] + block[:shift]
            break
    return replace(ad, body=tuple(body))


def _scale_number(token: str, factor: float, separator: str) -> str:
    """Scale one number of a salary, keeping its digit script and the salary's thousands separator."""
    value = int(token.replace(",", "").replace(".", ""))
    scaled = value * factor
    if scaled >= 100:
        magnitude = 10 ** (len(str(int(scaled))) - 2)
        new_value = int(round(scaled / magnitude) * magnitude)
    else:
        new_value = round(scaled)
    if new_value == value:
        new_value += 1
    text = f"{new_value:,}".replace(",", separator) if separator else str(new_value)
    zero = ord(token[0]) - (unicodedata.decimal(token[0], 0))
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


def change_salary(ad: Ad, rng: random.Random) -> Ad:
    """Raise the advertised salary wherever it is written."""
    if ad.salary is None:
        raise ValueError(f"demo ad {ad.key!r} has no salary to change")
    factor = rng.choice(SALARY_FACTORS)
    grouped = re.search(r"\d([,.])\d{3}(?!\d)", ad.salary)
    separator = grouped.group(1) if grouped else ""
    new_salary = _NUMBER.sub(lambda m: _scale_number(m.group(0), factor, separator), ad.salary)
    return _replace_all(ad, ad.salary, new_salary)


def change_town(ad: Ad, rng: random.Random) -> Ad:
    """Move the same ad to another town of the same network."""
    if ad.alt_town is None:
        raise ValueError(f"demo ad {ad.key!r} has no alternative town")
    town, town_text, country = ad.alt_town
    edited = _replace_all(ad, ad.town_text, town_text)
    return replace(edited, town=town, town_text=town_text, country=country, alt_town=None)


def translate_sentence(ad: Ad, rng: random.Random) -> Ad:
    """Carry one sentence in another language (copied from a sister ad)."""
    if ad.translate is None:
        raise ValueError(f"demo ad {ad.key!r} has no sentence to translate")
    source, translation = ad.translate
    return replace(_replace_all(ad, source, translation), translate=None)


# How often each edit is picked, relative to the others, when it applies.
EDIT_WEIGHTS = {"phone": 3, "handle": 2, "emoji": 2, "reorder": 2, "salary": 2, "town": 3, "translate": 3}

EDITS: dict[str, Callable[[Ad, random.Random], Ad]] = {
    "phone": change_phone,
    "handle": change_handle,
    "emoji": add_emoji,
    "reorder": reorder_lines,
    "salary": change_salary,
    "town": change_town,
    "translate": translate_sentence,
}


def applicable_edits(ad: Ad) -> list[str]:
    """Names of the edits that make sense for this ad; ordinary employers only tidy up."""
    names = ["reorder", "emoji"]
    if ad.salary and _NUMBER.search(ad.salary):
        names.append("salary")
    if ad.is_lure:
        if ad.phones or ad.whatsapp:
            names.append("phone")
        if ad.telegram:
            names.append("handle")
        if ad.alt_town:
            names.append("town")
        if ad.translate:
            names.append("translate")
    return names


def edit_plan(base: Ad, rng: random.Random) -> list[str]:
    """The applicable edits in a weighted random order; repost i leads with edit i of the plan."""
    names = applicable_edits(base)
    return sorted(names, key=lambda name: rng.random() ** (1 / EDIT_WEIGHTS[name]), reverse=True)


def make_repost(base: Ad, plan: list[str], index: int, rng: random.Random) -> Ad:
    """Repost number index of base: the plan's edit for that index, sometimes plus one more."""
    chosen = [plan[index % len(plan)]]
    others = [name for name in plan if name not in chosen]
    if others and rng.random() < 0.35:
        chosen.append(rng.choice(others))
    chosen.sort(key=list(EDITS).index)
    ad = base
    for name in chosen:
        ad = EDITS[name](ad, rng)
    return replace(ad, edits=tuple(chosen), alt_town=None, translate=None)
