"""Demo ad catalogue: the hand-written ads in ads.yaml plus their deterministic reposts."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from lurewatch.demo.edits import edit_plan, make_repost
from lurewatch.demo.model import Ad, Phone

SEED = "lurewatch-demo-2026"
LURE_REPOST_COUNTS = (1, 2, 2, 3, 3)  # reposts per base ad, drawn with the seeded generator
ORDINARY_REPOST_COUNTS = (2, 2, 3)


def _ad_from_yaml(raw: dict[str, Any]) -> Ad:
    body = tuple(b if isinstance(b, str) else tuple(b["ul"]) for b in raw.get("body", ()))
    alt = raw.get("alt_town")
    translate = raw.get("translate")
    return Ad(
        key=raw["key"],
        lang=raw["lang"],
        is_lure=bool(raw["lure"]),
        title=raw["title"],
        company=raw["company"],
        location=raw["location"],
        town=raw["town"],
        town_text=raw.get("town_text", raw["town"]),
        country=raw["country"],
        salary=raw.get("salary"),
        body=body,
        contact=raw.get("contact"),
        phones=tuple(Phone(p["local"], p["intl"]) for p in raw.get("phones", ())),
        whatsapp=tuple(raw.get("whatsapp", ())),
        telegram=tuple(raw.get("telegram", ())),
        line=tuple(raw.get("line", ())),
        wechat=tuple(raw.get("wechat", ())),
        emails=tuple(raw.get("emails", ())),
        image=raw.get("image"),
        alt_town=(alt["town"], alt["text"], alt.get("country", raw["country"])) if alt else None,
        translate=(translate["from"], translate["to"]) if translate else None,
        kind=raw.get("kind", "ok"),
        encoding=raw.get("encoding"),
    )


def check_ad(ad: Ad) -> None:
    """Raise ValueError when the ground truth of an ad names something its text does not show."""
    text = ad.all_text()
    missing = [p.intl for p in ad.phones if p.local not in text and p.intl not in text]
    missing += [n for n in ad.whatsapp if f"wa.me/{n.lstrip('+')}" not in text]
    missing += [h for h in ad.telegram + ad.line + ad.wechat + ad.emails if h not in text]
    if ad.kind in ("ok", "misencoded", "truncated") and ad.town_text not in text:
        missing.append(ad.town_text)
    if ad.translate and ad.translate[0] not in text:
        missing.append(ad.translate[0])
    if missing:
        raise ValueError(f"demo ad {ad.key!r}: ground truth not shown in its text: {missing}")


@lru_cache(maxsize=1)
def load_catalog() -> tuple[tuple[Ad, ...], tuple[Ad, ...]]:
    """The base ads and the broken-page ads from ads.yaml, validated."""
    source = resources.files(__package__).joinpath("ads.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(source, Loader=loader)
    bases = tuple(_ad_from_yaml(raw) for raw in data["ads"])
    broken = tuple(_ad_from_yaml(raw) for raw in data["broken"])
    keys = [ad.key for ad in bases + broken]
    if len(keys) != len(set(keys)):
        raise ValueError("demo ads: duplicate key in ads.yaml")
    for ad in bases + broken:
        check_ad(ad)
    return bases, broken


@lru_cache(maxsize=1)
def generate_ads() -> tuple[tuple[Ad, ...], tuple[Ad, ...]]:
    """All detail-page ads (bases and reposts) and the broken-page ads, with ids and dates.

    Deterministic: every random choice comes from a generator seeded with a fixed string.
    """
    bases, broken = load_catalog()
    drafts: list[tuple[Ad, int | None]] = []  # (ad, index of its base in drafts)
    for base in bases:
        rng = random.Random(f"{SEED}/{base.key}")
        base_index = len(drafts)
        day = rng.randint(1, 18)
        drafts.append((replace(base, day=day), None))
        counts = LURE_REPOST_COUNTS if base.is_lure else ORDINARY_REPOST_COUNTS
        plan = edit_plan(base, rng)
        for index in range(rng.choice(counts)):
            repost = make_repost(base, plan, index, rng)
            drafts.append((replace(repost, day=min(28, day + rng.randint(1, 10))), base_index))
    id_rng = random.Random(f"{SEED}/job-ids")
    job_ids = id_rng.sample(range(100_000, 1_000_000), len(drafts) + len(broken))
    ads: list[Ad] = []
    for (ad, base_at), job_id in zip(drafts, job_ids[: len(drafts)], strict=True):
        repost_of = ads[base_at].slug if base_at is not None else None
        check_ad(ad)  # an edit must keep the ground truth in step with the text
        ads.append(replace(ad, job_id=job_id, repost_of=repost_of))
    broken_ads = tuple(
        replace(ad, job_id=job_id, day=id_rng.randint(1, 28))
        for ad, job_id in zip(broken, job_ids[len(drafts) :], strict=True)
    )
    return tuple(ads), broken_ads
