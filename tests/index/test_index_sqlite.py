"""The SQLite index sees exactly the words of the shared tokenizer, in every script of the region."""

from __future__ import annotations

from pathlib import Path

from lurewatch.demo.site import demo_ads
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.index.text import finding_words
from lurewatch.records import Finding


def test_fts5_keeps_the_shared_tokenizers_words_intact(tmp_path: Path) -> None:
    store = SqliteIndex(tmp_path / "index.sqlite")
    store.setup()
    ads = demo_ads()
    findings = [
        Finding(posting_id=f"p{i}", source="demo", source_kind="board", url=f"u{i}", canonical_url=f"u{i}",
                fetched_at="2026-11-29T00:00:00+00:00", run_id="r", title=ad["title"], text=ad["text"])
        for i, ad in enumerate(ads)
    ]  # fmt: skip
    store.upsert(findings)
    store.db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(findings_fts, 'instance')")
    counts = dict(store.db.execute("SELECT doc, COUNT(*) FROM vocab GROUP BY doc").fetchall())
    rowids = dict(store.db.execute("SELECT posting_id, rowid FROM findings").fetchall())
    languages = set()
    for finding, ad in zip(findings, ads, strict=True):
        expected = len(finding_words(finding.title, finding.text, finding.text_segmented).split())
        assert counts[rowids[finding.posting_id]] == expected, (ad["language"], ad["slug"])
        languages.add(ad["language"])
    assert {"km", "my", "th", "lo", "zh", "vi"} <= languages
    store.close()
