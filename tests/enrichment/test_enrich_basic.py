"""The minimal enrichment chain: clean text, language, contacts, content hash; bad lines kept aside."""

from __future__ import annotations

import json
from pathlib import Path

from lurewatch.enrichment.contacts import extract_emails, extract_phones, extract_telegram
from lurewatch.enrichment.dedup import content_sha256
from lurewatch.enrichment.normalize import detect_language, html_to_text
from lurewatch.enrichment.pipeline import enrich_file
from lurewatch.records import Finding, Posting, read_jsonl, to_json


def test_html_to_text_keeps_lines_and_drops_scripts() -> None:
    html = "<div><h1>Job</h1><p>Line one<br>Line two</p><script>var x=1</script><ul><li>a</li><li>b</li></ul></div>"
    assert html_to_text(html) == "Job\nLine one\nLine two\na\nb"


def test_html_to_text_survives_truncated_markup() -> None:
    assert html_to_text("<div><p>Salary $1,500 <b>Tele") == "Salary $1,500 Tele"


def test_language_by_script_and_by_model() -> None:
    assert detect_language("ក្រុមហ៊ុនយើងខ្ញុំកំពុងជ្រើសរើសបុគ្គលិក") == "km"
    assert detect_language("ကုမ္ပဏီမှ ဝန်ထမ်းများ ခေါ်ယူနေပါသည်") == "my"
    assert detect_language("รับสมัครพนักงานบริการลูกค้า เงินเดือนดี") == "th"
    assert detect_language("高薪招聘客服，包吃包住") == "zh"
    assert detect_language("Tuyển nhân viên chăm sóc khách hàng, lương cao") == "vi"
    assert detect_language("We are hiring customer service staff with good salary") == "en"


def test_phones_local_with_region_hint_and_international() -> None:
    text = "โทร 081-234-5678 หรือ +855 12 345 678"
    assert extract_phones(text, ["TH"]) == ["+66812345678", "+85512345678"]


def test_order_numbers_and_dates_are_not_phones() -> None:
    assert extract_phones("Order 20261129 shipped on 2026-11-29, ref 1234567", ["TH"]) == []


def test_telegram_from_links_and_mentions() -> None:
    text = "Apply: t.me/HR_Recruit88\nTelegram: @fast_jobs_kh\nFollow @someone on Instagram"
    assert extract_telegram(text) == ["hr_recruit88", "fast_jobs_kh"]


def test_emails_lower_cased_and_unique() -> None:
    assert extract_emails("Mail HR@Example.com or hr@example.com.") == ["hr@example.com"]


def test_content_hash_ignores_punctuation_case_and_emoji() -> None:
    assert content_sha256("Job!", "Good pay 🔥🔥") == content_sha256("job", "good PAY")


def test_bad_line_is_kept_aside_and_the_rest_enriched(tmp_path: Path) -> None:
    posting = Posting(
        posting_id="p1", source="s", source_kind="board", url="http://x/1", canonical_url="http://x/1",
        fetched_at="2026-11-29T00:00:00+00:00", run_id="r", title="Typing job", html="<p>Contact t.me/abc_def</p>",
    )  # fmt: skip
    src = tmp_path / "postings.jsonl"
    src.write_text(to_json(posting) + "\n{not json\n" + json.dumps({"posting_id": "x"}) + "\n")
    report = enrich_file(src, tmp_path / "findings.jsonl", tmp_path / "rejects.jsonl")
    assert (report.postings, report.findings) == (3, 1)
    assert sum(report.rejected.values()) == 2
    (finding,) = read_jsonl(tmp_path / "findings.jsonl", Finding)
    assert finding.contacts.telegram == ["abc_def"] and finding.text == "Contact t.me/abc_def"
    assert len((tmp_path / "rejects.jsonl").read_text().splitlines()) == 2


def test_bad_lines_are_kept_aside_by_worker_processes_too(tmp_path: Path) -> None:
    postings = [
        Posting(
            posting_id=f"p{i}",
            source="s",
            source_kind="board",
            url=f"http://x/{i}",
            canonical_url=f"http://x/{i}",
            fetched_at="2026-11-29T00:00:00+00:00",
            run_id="r",
            title=f"Job {i}",
            html=f"<p>Ad number {i} for cooks</p>",
        )  # fmt: skip
        for i in range(150)
    ]
    lines = [to_json(p) for p in postings]
    lines.insert(70, "{broken")
    src = tmp_path / "postings.jsonl"
    src.write_text("\n".join(lines) + "\n")
    report = enrich_file(src, tmp_path / "findings.jsonl", tmp_path / "rejects.jsonl", workers=2, min_parallel_bytes=0)
    assert (report.postings, report.findings, report.rejected) == (151, 150, {"invalid_json": 1})
    assert [f.posting_id for f in read_jsonl(tmp_path / "findings.jsonl", Finding)] == [p.posting_id for p in postings]
    assert json.loads((tmp_path / "rejects.jsonl").read_text())["line"] == 71
