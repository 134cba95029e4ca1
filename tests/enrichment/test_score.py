"""Risk scoring: each indicator rule fires with its evidence span; the score is deterministic and explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from lurewatch.enrichment import score as score_module
from lurewatch.enrichment.pipeline import enrich_posting
from lurewatch.enrichment.score import RuleFileError, indicators_for, load_rules, risk_score
from lurewatch.records import Finding, Indicator, Posting

LURE = """Urgent hiring: customer service staff for Sihanoukville, Cambodia
Salary $1,500/month, no experience needed
Free flight ticket, free visa, free accommodation
Age 18-35, speak English
Passport will be kept by the company during the contract
Contact Telegram @kh_hr_desk or WhatsApp +86 138 0013 8000"""

ORDINARY = """Accountant for our Bangkok office
Salary 45,000 baht per month, 5 years of audit experience and a CPA licence required
Apply at https://careers.siam-audit.co.th/jobs or hr@siam-audit.co.th, phone 02 123 4567"""


def _finding(text: str, title: str = "", compound: str | None = None) -> Finding:
    posting = Posting(
        posting_id="p", source="s", source_kind="board", url="https://jobs.example.com/p",
        canonical_url="https://jobs.example.com/p", fetched_at="2026-11-29T00:00:00+00:00", run_id="r",
        title=title, text=text,
    )  # fmt: skip
    return enrich_posting(posting)


def _codes(finding: Finding) -> dict[str, str]:
    return {i.code: i.evidence for i in finding.indicators}


def test_lure_fires_every_documented_indicator_with_its_span() -> None:
    fired = _codes(_finding(LURE))
    assert fired == {
        "free_travel": "Free flight",
        "free_visa": "free visa",
        "free_lodging": "free accommodation",
        "no_experience": "no experience needed",
        "age_limit": "Age 18-35",
        "unrealistic_salary": "$1,500 (≈1,500 USD/month)",
        "low_skill_role": "customer service",
        "compound_destination": "Sihanoukville",
        "remote_job_to_hub_country": "customer service … Cambodia",
        "messenger_only_contact": "kh_hr_desk, +8613800138000",
        "urgent_departure": "Urgent hiring",
        "passport_held": "Passport will be kept by the company",
        "recruiter_third_country": "+8613800138000",
        "language_requirement": "speak English",
    }


def test_ordinary_job_ad_scores_zero() -> None:
    finding = _finding(ORDINARY)
    assert finding.indicators == [] and finding.risk_score == 0


@pytest.mark.parametrize(
    ("text", "code", "evidence"),
    [
        ("高薪招聘客服，包吃包住，公司报销机票，无需经验", "free_lodging", "包吃包住"),
        ("高薪招聘客服，包吃包住，公司报销机票，无需经验", "free_travel", "报销机票"),
        ("รับสมัครแอดมิน ไม่ต้องมีประสบการณ์ ฟรีที่พัก", "no_experience", "ไม่ต้องมีประสบการณ์"),
        (
            "Tuyển gấp nhân viên chăm sóc khách hàng đi Campuchia, bao ăn ở",
            "remote_job_to_hub_country",
            "chăm sóc khách hàng … Campuchia",
        ),
        ("Lowongan admin, tiket pesawat gratis, usia 18-30 tahun", "age_limit", "usia 18-30"),
        ("Kerja di Kamboja, judi online, gaji besar", "crypto_or_investment_role", "judi online"),
        ("ក្រុមហ៊ុននៅក្រុងព្រះសីហនុ ស្នាក់នៅឥតគិតថ្លៃ", "compound_destination", "ក្រុងព្រះសីហនុ"),
        ("急招打字员，护照由公司保管", "passport_held", "护照由公司保管"),
        ("Hiring game tester in KK Park, salary 2000 USD", "compound_destination", "KK Park"),
    ],
)
def test_multilingual_rules(text: str, code: str, evidence: str) -> None:
    assert _codes(_finding(text)).get(code) == evidence


def test_age_limit_only_for_young_windows() -> None:
    assert "age_limit" not in _codes(_finding("Security guard, age 25-55"))


def test_high_salary_for_skilled_work_is_not_unrealistic() -> None:
    assert "unrealistic_salary" not in _codes(_finding("Senior engineer, salary 4,000 USD per month"))


def test_messenger_contact_with_company_email_is_not_messenger_only() -> None:
    text = "Customer service, Telegram @hr_desk_kh or hr@angkor-tours.com.kh"
    assert "messenger_only_contact" not in _codes(_finding(text))


def test_score_is_deterministic_order_independent_and_bounded() -> None:
    indicators = [Indicator("a", 20), Indicator("b", 15), Indicator("c", 10)]
    assert risk_score(indicators) == risk_score(list(reversed(indicators))) == 39  # 1 - .8 * .85 * .9
    assert risk_score([]) == 0 and risk_score([Indicator("x", 100), Indicator("y", 50)]) == 100


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ([33.3], 33),  # rounds down: ceil would give 34
        ([12.5, 12.5], 23),  # 23.44: ceil 24
        ([0.4], 0),  # 0.4: ceil 1
        ([0.6], 1),  # 0.6: floor and int() give 0
        ([50, 50], 75),  # 1 - .5 * .5: independent evidence, not a sum (100)
        ([10, 10, 10], 27),  # 27.1
    ],
)
def test_score_rounds_to_the_nearest_point(weights: list[float], expected: int) -> None:
    assert risk_score([Indicator(f"r{i}", w) for i, w in enumerate(weights)]) == expected


def test_out_of_range_weights_are_clamped() -> None:
    assert risk_score([Indicator("negative", -50), Indicator("b", 20)]) == 20  # unclamped: 1 - 1.5 * .8 → -20
    assert risk_score([Indicator("negative", -50)]) == 0
    assert risk_score([Indicator("over", 150)]) == 100  # unclamped: 150
    assert risk_score([Indicator("over", 150), Indicator("b", 20)]) == 100


def test_lure_score_is_the_product_of_its_fourteen_weights() -> None:
    finding = _finding(LURE)
    weights = sorted(i.weight for i in finding.indicators)
    assert weights == [4, 5, 6, 8, 10, 10, 10, 10, 10, 15, 15, 20, 20, 20]
    assert finding.risk_score == 83  # round(100 * (1 - .96 * .95 * .94 * .92 * .9**5 * .85**2 * .8**3)) = 83
    again = _finding(LURE)
    assert (again.risk_score, again.indicators) == (finding.risk_score, finding.indicators)


def test_score_sets_indicators_and_score_on_the_finding() -> None:
    finding = _finding("Urgent hiring, free visa")
    assert [(i.code, i.weight, i.evidence) for i in finding.indicators] == [
        ("free_visa", 10.0, "free visa"),
        ("urgent_departure", 10.0, "Urgent hiring"),
    ]
    assert finding.risk_score == 19


def test_every_rule_names_its_public_report() -> None:
    import yaml

    from lurewatch.enrichment.score import RULES_FILE

    for rule in yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["rules"]:
        assert rule["reports"] and rule["description"] and 0 < rule["weight"] <= 100, rule["code"]
    assert len(load_rules()) == 15


def test_a_broken_rule_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yml"
    bad.write_text("rules:\n  - code: broken\n    weight: 5\n    patterns:\n      en: ['(unclosed']\n")
    with pytest.raises(RuleFileError, match="broken"):
        load_rules(bad)


def test_demo_lures_outscore_ordinary_ads() -> None:
    """On the demo board's ground truth (``is_lure``), a lure should rank above an ordinary ad (ROC AUC)."""
    from lurewatch.demo import site

    lures, ordinary = [], []
    for ad in site.demo_ads():
        finding = _finding(ad["text"], ad["title"])
        (lures if ad["is_lure"] else ordinary).append(finding.risk_score)
    auc = sum((a > b) + 0.5 * (a == b) for a in lures for b in ordinary) / (len(lures) * len(ordinary))
    at_30 = sum(s >= 30 for s in lures) / len(lures), sum(s >= 30 for s in ordinary) / len(ordinary)
    print(f"demo risk: AUC={auc:.3f}; score>=30 flags {at_30[0]:.0%} of lures and {at_30[1]:.0%} of ordinary ads")
    assert auc >= 0.95


def _fired(finding: Finding, body: str) -> dict[str, str]:
    return {i.code: i.evidence for i in indicators_for(finding, body)}


def test_patterns_are_lower_cased_but_their_escapes_are_kept(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "rules:\n  - code: r\n    weight: 5\n    patterns:\n      en: ['Free VISA\\W+Fast\\S', 'KK园区']\n"
    )
    assert load_rules(rules)[0].patterns is not None
    assert load_rules(rules)[0].patterns.pattern == r"(?:free visa\W+fast\S)|(?:kk园区)"


@pytest.mark.parametrize(
    ("text", "code", "evidence"),
    [
        ("KK园区招聘打字员", "compound_destination", "KK园区"),  # written in capitals in the rules file
        ("항공권 왕복 무료 제공", "free_travel", "항공권 왕복 무료 제공"),  # the rule's \S stays \S
    ],
)
def test_shipped_patterns_with_capitals_and_escapes_match(text: str, code: str, evidence: str) -> None:
    assert _codes(_finding(text)).get(code) == evidence


def test_age_limit_fires_up_to_forty() -> None:
    assert _codes(_finding("Office job, age 18-40")).get("age_limit") == "age 18-40"
    assert "age_limit" not in _codes(_finding("Office job, age 18-41"))


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("Customer service staff, salary 1,000 USD per month", "1,000 USD (≈1,000 USD/month)"),  # low skill only
        ("Customer service staff, salary 999 USD per month", None),
        ("Customer service staff, salary 500 USD per month", None),
        ("No experience needed, salary 2,000 USD per month", "2,000 USD (≈2,000 USD/month)"),  # no experience only
        ("Senior engineer, salary 2,000 USD per month", None),
    ],
)
def test_unrealistic_salary_is_a_thousand_dollars_for_low_skill_or_no_experience(
    text: str, evidence: str | None
) -> None:
    assert _codes(_finding(text)).get("unrealistic_salary") == evidence


def test_messenger_only_contact_names_three_handles_and_looks_at_domains_and_emails() -> None:
    assert _codes(_finding("Telegram @aa_one @bb_two @cc_three @dd_four"))["messenger_only_contact"] == (
        "aa_one, bb_two, cc_three"
    )
    assert _codes(_finding("Apply via https://t.me/hr_desk_kh"))["messenger_only_contact"] == "hr_desk_kh"
    assert "messenger_only_contact" not in _codes(_finding("Telegram @hr_desk_kh, see https://hr-desk.example.org"))
    finding = _finding("Office job")
    finding.contacts.telegram, finding.contacts.emails = ["hr_desk_kh"], ["hr@example.org"]
    assert "messenger_only_contact" not in _fired(finding, "Office job")
    finding.contacts.telegram = []
    finding.contacts.emails = []
    assert "messenger_only_contact" not in _fired(finding, "Office job")


def test_a_compound_found_by_geolocation_is_the_evidence_when_no_pattern_matches() -> None:
    finding = _finding("Office job, good pay")
    finding.compound = "Shwe Kokko"
    assert _fired(finding, "Office job, good pay")["compound_destination"] == "Shwe Kokko"


@pytest.mark.parametrize(
    ("phone", "fires"),
    [
        ("+8613800138000", True),  # China: neither the destination nor the ad's language
        ("+66812345678", False),  # Thailand: the ad's own language's country
        ("+855962345678", False),  # Cambodia: the destination named
    ],
)
def test_recruiter_third_country_is_neither_destination_nor_home(phone: str, fires: bool) -> None:
    body = "งานแอดมินที่กัมพูชา"  # Thai: admin work in Cambodia
    finding = _finding(body)
    finding.language, finding.contacts.phones = "th", [phone]
    assert _fired(finding, body).get("recruiter_third_country") == (phone if fires else None)


def test_evidence_is_quoted_from_lower_cased_text_when_lower_casing_changes_its_length() -> None:
    # "İ" lower-cases to two code points: offsets into the lower-cased text no longer fit the original.
    assert _codes(_finding("İstanbul office, Free visa"))["free_visa"] == "free visa"
    assert _codes(_finding("Istanbul office, Free visa"))["free_visa"] == "Free visa"


def test_a_pattern_span_wins_over_groups_and_evidence_is_cut_at_200(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "rules:\n"
        "  - code: both\n    weight: 5\n    patterns:\n      en: ['pattern word']\n    all: [['group one'], ['group two']]\n"
        "  - code: long\n    weight: 5\n    patterns:\n      en: ['start.*end']\n"
    )
    monkeypatch.setattr(score_module, "load_rules", lambda: load_rules(rules))  # this file instead of the shipped one
    body = "group one, group two, pattern word, start " + "x" * 300 + " end"
    fired = _fired(_finding("Office job"), body)
    assert fired["both"] == "pattern word"
    assert fired["long"] == "start " + "x" * 194 and len(fired["long"]) == 200
    assert _fired(_finding("Office job"), "group one and group two")["both"] == "group one … group two"


def test_a_lure_at_a_known_compound_is_never_shown_as_low_risk() -> None:
    """Two indicators (compound and messenger, 28 combined) used to give a green "low" badge for a Bavet job."""
    from lurewatch.enrichment.score import risk_band

    finding = _finding("ត្រូវការអ្នកបកប្រែភាសាចិន-ខ្មែរ នៅបាវិត ប្រាក់ខែ $1,500 Telegram @bavet_hr")
    assert finding.compound and "compound_destination" in _codes(finding)
    assert finding.risk_score >= 40
    assert risk_band(finding.risk_score).name in ("medium", "high")
    assert risk_score([Indicator("compound_destination", 20)]) == 40  # the rule's floor, alone
    assert risk_score([Indicator("compound_destination", 20), *[Indicator(f"r{i}", 30) for i in range(4)]]) == 81


def test_bands_cover_every_score_once_and_none_is_called_safe() -> None:
    from lurewatch.enrichment.score import BANDS, risk_band

    assert [risk_band(s).name for s in (0, 1, 39, 40, 69, 70, 100)] == ["none", "low", "low", "medium", "medium",
                                                                       "high", "high"]  # fmt: skip
    assert sum(b.high - b.low + 1 for b in BANDS) == 101
    assert all("safe" not in f"{b.name} {b.meaning}".replace("not a sign", "") for b in BANDS)


def test_a_score_outside_0_to_100_falls_in_the_nearest_band() -> None:
    from lurewatch.enrichment.score import risk_band

    assert [risk_band(s).name for s in (None, -5, 101, 250)] == ["none", "none", "high", "high"]
