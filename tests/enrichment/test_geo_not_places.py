"""Words that look like places in a gazetteer but are not: dates, weekdays, acronyms."""

from __future__ import annotations

import pytest

from lurewatch.enrichment.geo_doubts import calendar_words
from lurewatch.enrichment.geolocate import geolocate


def test_calendar_words_come_from_every_supported_language() -> None:
    words = calendar_words()
    assert {"nov", "november", "mon", "senin", "ahad", "lunes", "chu nhat"} <= words
    assert any("\u0e01" <= c <= "\u0e7f" for w in words for c in w)  # Thai month names


@pytest.mark.parametrize(
    "text",
    [
        "Posted 15 Nov 2026. Data entry job in Phnom Penh, Cambodia.",
        "Apply by Monday 3 Mar. Our NGO in Phnom Penh, Cambodia is hiring.",
        "Experience with SAP and ERP systems is a plus. Office in Phnom Penh, Cambodia.",
    ],
)
def test_only_the_real_places_are_found(text: str) -> None:
    result = geolocate(text, "en")
    assert {loc.name for loc in result.locations} == {"Phnom Penh", "Cambodia"}
    assert result.country == "KH"
