"""A generated corpus with known recruiter networks, for the network tests and bench/networks.py.

Each network posts ads across sources and languages; it rotates phones (an ad carries the current phone and,
often, the next), keeps a Telegram handle or two for weeks, reposts templates (near-duplicate clusters), reuses
photos (image hashes) and now and then a wallet or an email. Every ad also carries generic hosts (``t.me``,
``wa.me``, ``facebook.com``, ``gmail.com``). Decoys are single ads by unrelated posters: some share only a generic
host with the networks, others only a "common value" (a national hotline number that hundreds of ads print, and
a stock photo), which the frequency cap must stop. ``truth`` maps each posting id to its network (decoys: own).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations

from lurewatch.records import Contacts, Finding, Image, Wallet

SOURCES = [("jobboard-kh", "board"), ("social-groups", "social"), ("channel-previews", "channel"),
           ("career-feed", "feed"), ("expat-forum", "forum")]  # fmt: skip
LANGUAGES = ["en", "th", "km", "my", "zh", "vi", "id", "tl"]
COUNTRIES = ["KH", "MM", "LA", "TH", "PH"]
GENERIC = ["t.me", "wa.me", "facebook.com", "line.me", "bit.ly"]
HOTLINE = "+6621234567"  # a number hundreds of unrelated ads print
STOCK_PHOTO = "c3c3c3c3c3c3c3c3"
START = datetime(2026, 1, 5, tzinfo=UTC)


@dataclass
class Corpus:
    findings: list[Finding] = field(default_factory=list)
    truth: dict[str, str] = field(default_factory=dict)  # posting_id -> network (decoys: their own id)


def _phone(rng: random.Random) -> str:
    return "+855" + str(rng.randrange(10**8, 10**9))


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def _finding(pid: str, n: int, rng: random.Random, when: datetime, contacts: Contacts, **extra: object) -> Finding:
    source, kind = rng.choice(SOURCES)
    return Finding(
        posting_id=pid, source=source, source_kind=kind, url=f"https://{source}.example/ads/{pid}",
        canonical_url=f"https://{source}.example/ads/{pid}", fetched_at=when.isoformat(), run_id=f"corpus-{n}",
        title=f"Ad {pid}", text="", language=rng.choice(LANGUAGES), country=rng.choice(COUNTRIES), contacts=contacts,
        risk_score=rng.randrange(10, 100), first_seen=when.isoformat(), last_seen=when.isoformat(), **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def network_corpus(networks: int = 40, decoys: int = 700, seed: int = 13) -> Corpus:
    rng = random.Random(seed)
    corpus = Corpus()
    serial = 0
    for g in range(networks):
        phones = [_phone(rng) for _ in range(rng.randrange(3, 7))]
        handles = [f"hr_{g}_{rng.randrange(10**6)}" for _ in range(rng.randrange(1, 3))]
        photos = [_hex(rng) for _ in range(rng.randrange(1, 4))]
        wallet = f"T{rng.getrandbits(160):040x}"[:34]
        email = f"jobs{g}@recruit{g}.example"
        ads = rng.randrange(6, 40)
        began = START + timedelta(days=rng.randrange(0, 200))
        templates = [f"c{g}-{t}" for t in range(rng.randrange(2, 5))]
        for i in range(ads):
            serial += 1
            pid = f"net{g:03d}-{i:03d}-{serial:06d}"
            # phones rotate: ad i carries the phone of its stage and, half the time, the next one
            stage = min(i * len(phones) // ads, len(phones) - 1)
            ad_phones = [phones[stage]] + ([phones[stage + 1]] if stage + 1 < len(phones) and rng.random() < 0.5 else [])
            contacts = Contacts(phones=ad_phones, whatsapp=[ad_phones[0]] if rng.random() < 0.3 else [],
                                telegram=[handles[i % len(handles)]] if rng.random() < 0.6 else [],
                                emails=[email] if rng.random() < 0.1 else [],
                                domains=rng.sample(GENERIC, 2) + ([email.split("@")[1]] if rng.random() < 0.1 else []))  # fmt: skip
            if rng.random() < 0.15:
                contacts.phones.append(HOTLINE)  # some network ads print the hotline too
            images = [Image(url=f"https://img.example/{pid}.jpg", phash=rng.choice(photos))] if rng.random() < 0.5 else []
            if rng.random() < 0.1:
                images.append(Image(url=f"https://img.example/{pid}-2.jpg", phash=STOCK_PHOTO))
            wallets = [Wallet("tron", wallet)] if rng.random() < 0.05 else []
            when = began + timedelta(days=i * rng.uniform(0.5, 3))
            corpus.findings.append(_finding(pid, serial, rng, when, contacts, images=images, wallets=wallets,
                                            cluster_id=rng.choice(templates)))  # fmt: skip
            corpus.truth[pid] = f"network-{g}"
    for d in range(decoys):
        serial += 1
        pid = f"decoy-{d:04d}-{serial:06d}"
        common = d % 3 == 0 or d % 3 == 1  # two thirds print the hotline or the stock photo
        contacts = Contacts(phones=[_phone(rng)] + ([HOTLINE] if d % 3 == 0 else []), domains=rng.sample(GENERIC, 2),
                            emails=[f"someone{d}@gmail.com"] if rng.random() < 0.3 else [])  # fmt: skip
        images = [Image(url=f"https://img.example/{pid}.jpg", phash=STOCK_PHOTO if d % 3 == 1 else _hex(rng))]
        when = START + timedelta(days=rng.uniform(0, 300))
        corpus.findings.append(_finding(pid, serial, rng, when, contacts, images=images if common or d % 2 else []))
        corpus.truth[pid] = pid
    corpus.findings.sort(key=lambda f: f.fetched_at)
    return corpus


def pairwise(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall over findings: a pair is positive when both are in one network."""

    def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = {}
        for pid, group in assignment.items():
            groups.setdefault(group, []).append(pid)
        return {pair for members in groups.values() for pair in combinations(sorted(members), 2)}

    true, found = pairs(truth), pairs(predicted)
    both = len(true & found)
    return (both / len(found) if found else 1.0), (both / len(true) if true else 1.0)
