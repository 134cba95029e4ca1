"""Accuracy on messages written by others (shared/data/realworld), through bench/accuracy.py as shipped."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lurewatch.enrichment.contacts import extract_contacts
from tests.support import IN_CI, ROOT

SHARED_DATA = ROOT.parent / "shared" / "data"


def test_bare_handles_in_a_telegram_post_are_telegram_handles() -> None:
    post = "Слушайте: @kakberadio\nПишите нам: @kakberadiobot"
    assert extract_contacts(post, "ru", platform="telegram").telegram == ["kakberadio", "kakberadiobot"]
    assert extract_contacts(post, "ru").telegram == []  # elsewhere an @mention may be Instagram's or X's


@pytest.mark.slow
def test_contacts_and_clusters_on_real_messages_meet_the_targets() -> None:
    if not (SHARED_DATA / "realworld").is_dir():
        message = f"no shared data at {SHARED_DATA}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the accuracy test must run)")
        pytest.skip(message)
    env = {**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "accuracy.py"), "--data", str(SHARED_DATA)],
                          capture_output=True, text=True, check=True, env=env, timeout=600)  # fmt: skip
    result = dict(pair.split("=") for pair in done.stdout.strip().splitlines()[-1].split()[1:])
    figures = {key: float(value) for key, value in result.items()}
    print(done.stdout)
    assert figures["phones_r"] >= 0.95 and figures["phones_p"] >= 0.97
    assert figures["handles_r"] >= 0.95 and figures["handles_p"] >= 0.97
    assert figures["dup_p"] >= 0.95 and figures["dup_r"] >= 0.95
