"""Which entities may link findings: never a generic value (data/generic.txt), never one over the frequency cap."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

GENERIC_FILE = "generic.txt"


@lru_cache(maxsize=1)
def generic_keys() -> frozenset[str]:
    """``kind:value`` keys that never link (a bare host in the file is a ``domain``)."""
    text = resources.files("lurewatch.networks").joinpath("data", GENERIC_FILE).read_text(encoding="utf-8")
    keys = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            keys.add(line if ":" in line else f"domain:{line}")
    return frozenset(keys)


def is_generic(key: str) -> bool:
    """A generic host or value; emails at a generic host are people and do link."""
    return key.lower() in generic_keys()


def kind_of(key: str) -> str:
    return key.partition(":")[0]


def value_of(key: str) -> str:
    return key.partition(":")[2]
