"""The dedup decision on hand-built keys: each threshold pinned by a pair just inside and a pair just outside it.

Body similarity is read from shared body bands: (shared / BANDS) ** (1 / ROWS), so with 32 bands of 4 rows
17 shared bands give 0.854 (a repost) and 16 give 0.841 (not one on the body alone).
"""

from __future__ import annotations

import pytest

from lurewatch.enrichment.dedup import (
    MEMBERS_PER_KEY,
    SAME_AD,
    SAME_AD_CONTAINED,
    SAME_IMAGE_BITS,
    SAME_IMAGE_BODY,
    SAME_TEMPLATE_BODY,
    SAME_TITLE,
    Candidate,
    MemoryCandidateStore,
    assign_cluster,
    content_sha256,
    dedup_keys,
    is_duplicate,
)
from lurewatch.enrichment.minhash import BANDS, ROWS, TITLE_PERM, normalise, shingle_hashes

PHASH = 0xF0E1D2C3B4A59687


def _keys(
    tag: str, body_shared: int = 0, title_shared: int = 0, phash: int | None = None, size: int | None = None
) -> list[str]:
    """Keys of a finding that shares its first ``body_shared`` body bands and ``title_shared`` title values."""
    keys = [f"h:{tag}"]
    keys += [f"b{i:02d}:{'s' if i < body_shared else tag}{i}" for i in range(BANDS)]
    if size is not None:
        keys.append(f"n:{size}")
    keys += [f"t{i:02d}:{'s' if i < title_shared else tag}{i}" for i in range(TITLE_PERM)]
    if phash is not None:
        keys += _phash_keys(phash)
    return keys


def _phash_keys(phash: int) -> list[str]:
    text = f"{phash:016x}"
    return [f"p{i}:{text[4 * i : 4 * i + 4]}" for i in range(4)]


def _body(shared: int) -> float:
    return (shared / BANDS) ** (1.0 / ROWS)


def test_the_thresholds_are_the_documented_ones() -> None:
    assert (SAME_AD, SAME_TEMPLATE_BODY, SAME_TITLE, SAME_IMAGE_BITS, SAME_IMAGE_BODY) == (0.85, 0.40, 0.60, 6, 0.30)
    assert (BANDS, ROWS, TITLE_PERM) == (32, 4, 16)


def test_body_just_above_same_ad_is_a_repost_and_just_below_is_not() -> None:
    assert _body(16) < SAME_AD <= _body(17)
    assert is_duplicate(_keys("a", body_shared=17), _keys("b", body_shared=17))
    assert not is_duplicate(_keys("a", body_shared=16), _keys("b", body_shared=16))


def test_a_lower_same_ad_would_join_what_stays_apart() -> None:
    # 0.841 stays apart: a threshold lowered to 0.84 would join it (pins SAME_AD from below too).
    assert _body(16) > 0.84
    assert not is_duplicate(_keys("a", body_shared=16), _keys("b", body_shared=16))


def test_same_content_hash_is_a_duplicate_whatever_the_bands() -> None:
    mine, other = _keys("a"), _keys("b")
    other[0] = mine[0]
    assert is_duplicate(mine, other)
    assert not is_duplicate(_keys("a"), _keys("b"))


def test_template_body_needs_alike_titles() -> None:
    # 1 shared band of 32: body 0.42, just above SAME_TEMPLATE_BODY (0.40).
    assert SAME_TEMPLATE_BODY <= _body(1) < SAME_AD
    inside, outside = round(SAME_TITLE * TITLE_PERM + 0.5), int(SAME_TITLE * TITLE_PERM)  # 10 and 9 of 16
    assert inside / TITLE_PERM >= SAME_TITLE > outside / TITLE_PERM
    assert is_duplicate(_keys("a", 1, inside), _keys("b", 1, inside))
    assert not is_duplicate(_keys("a", 1, outside), _keys("b", 1, outside))
    assert not is_duplicate(_keys("a", 0, TITLE_PERM), _keys("b", 0, TITLE_PERM))  # same title, other body


def test_title_keys_count_only_their_own_kind() -> None:
    # Ten shared title values but no body band: the body (0.0) is below every threshold.
    assert not is_duplicate(_keys("a", 0, 10, PHASH), _keys("b", 0, 10, PHASH))


@pytest.mark.parametrize(("bits", "same"), [(0, True), (SAME_IMAGE_BITS, True), (SAME_IMAGE_BITS + 1, False)])
def test_same_image_within_six_bits_joins_loosely_alike_bodies(bits: int, same: bool) -> None:
    other_hash = PHASH ^ ((1 << bits) - 1)  # flips the lowest ``bits`` bits
    assert bin(PHASH ^ other_hash).count("1") == bits
    assert is_duplicate(_keys("a", 1, 0, PHASH), _keys("b", 1, 0, other_hash)) is same


def test_image_bits_spread_over_all_quarters_count_whole() -> None:
    # Two flipped bits in each of the four quarters: 8 bits in all, more than SAME_IMAGE_BITS.
    other_hash = PHASH ^ 0x0003_0003_0003_0003
    assert not is_duplicate(_keys("a", 1, 0, PHASH), _keys("b", 1, 0, other_hash))
    assert is_duplicate(_keys("a", 1, 0, PHASH), _keys("b", 1, 0, PHASH ^ 0x0003_0003_0003_0000))


def test_same_image_needs_a_loosely_alike_body() -> None:
    assert _body(0) < SAME_IMAGE_BODY <= _body(1)
    assert not is_duplicate(_keys("a", 0, 0, PHASH), _keys("b", 0, 0, PHASH))
    assert is_duplicate(_keys("a", 1, 0, PHASH), _keys("b", 1, 0, PHASH))


def test_the_second_image_of_an_ad_counts() -> None:
    flyer, logo = 0x1111_2222_3333_4444, PHASH
    mine = _keys("a", 1, 0, flyer) + [f"p{i}:{f'{logo:016x}'[4 * i : 4 * i + 4]}" for i in range(4)]
    assert is_duplicate(mine, _keys("b", 1, 0, logo))
    assert not is_duplicate(_keys("a", 1, 0, flyer), _keys("b", 1, 0, logo))


def test_assign_cluster_joins_the_earliest_match_and_names_it() -> None:
    store = MemoryCandidateStore()
    assert assign_cluster(store, "first", "2026-01-02", _keys("a", 17)) == ("first", None)
    assert assign_cluster(store, "other", "2026-01-01", _keys("c")) == ("other", None)
    assert assign_cluster(store, "repost", "2026-01-03", _keys("b", 17)) == ("first", "first")
    assert assign_cluster(store, "near", "2026-01-04", _keys("d", 16)) == ("near", None)
    assert len(store) == 4


def test_a_founder_enriched_again_stays_its_clusters_founder() -> None:
    store = MemoryCandidateStore()
    store.add(Candidate("a", "a", "2026-01-01", tuple(_keys("a", 17))))
    store.add(Candidate("b", "a", "2026-01-02", tuple(_keys("b", 17))))
    assert assign_cluster(store, "a", "2026-01-01", _keys("a", 17)) == ("a", None)
    assert assign_cluster(store, "b", "2026-01-02", _keys("b", 17)) == ("a", "a")


def test_ties_on_first_seen_go_to_the_smaller_id() -> None:
    store = MemoryCandidateStore()
    store.add(Candidate("z", "z", "2026-01-01", tuple(_keys("z", 20))))
    store.add(Candidate("m", "m", "2026-01-01", tuple(_keys("m", 20))))
    assert assign_cluster(store, "new", "2026-01-05", _keys("n", 20)) == ("m", "m")


def test_store_returns_those_sharing_most_keys_first_up_to_the_limit() -> None:
    store = MemoryCandidateStore()
    for shared in range(1, 6):
        store.add(Candidate(f"c{shared}", f"c{shared}", "2026", tuple(_keys(f"x{shared}", shared))))
    found = store.candidates(_keys("q", BANDS), limit=3)
    assert [c.posting_id for c in found] == ["c5", "c4", "c3"]
    assert found[0].keys == tuple(_keys("x5", 5))


def test_title_values_are_never_looked_up() -> None:
    store = MemoryCandidateStore()
    store.add(Candidate("a", "a", "2026", tuple(_keys("a", 0, TITLE_PERM))))
    assert store.candidates(_keys("b", 0, TITLE_PERM)) == []


def test_dedup_keys_layout() -> None:
    digest = content_sha256("Title", "Body text of an ad")
    keys = dedup_keys("Title", "Body text of an ad", digest, ["f0e1d2c3b4a59687", "short"])
    assert keys[0] == f"h:{digest[:24]}"
    kinds = [k.split(":")[0] for k in keys]
    assert sum(k.startswith("b") for k in kinds) == BANDS and sum(k.startswith("T") for k in kinds) == 4
    assert sum(k.startswith("t") for k in kinds) == TITLE_PERM
    assert keys[-4:] == ["p0:f0e1", "p1:d2c3", "p2:b4a5", "p3:9687"]  # a malformed hash adds no key


def test_content_hash_ignores_case_punctuation_and_spacing_only() -> None:
    assert content_sha256("Job", "Call now!") == content_sha256("JOB", "call   now")
    assert content_sha256("Job", "Call now") != content_sha256("Job", "Call later")
    assert content_sha256("ab", "c") != content_sha256("a", "bc")


def test_a_flushed_store_answers_as_an_unflushed_one() -> None:
    flushed, fresh = MemoryCandidateStore(), MemoryCandidateStore()
    flushed.FLUSH = 1  # merge the recent keys into the sorted arrays after every finding
    for number in range(12):
        candidate = Candidate(f"c{number}", f"c{number % 4}", f"2026-01-{number + 1:02d}", tuple(_keys("x", number)))
        flushed.add(candidate)
        fresh.add(candidate)
    for shared in (1, 5, 11, BANDS):
        query = _keys("q", shared)
        assert flushed.candidates(query) == fresh.candidates(query)
        assert flushed.candidates(query, limit=3) == fresh.candidates(query, limit=3)


# Containment: a repost with a line added or dropped. From Jaccard J and the two sizes s <= l, the smaller body's
# share in the larger is J (s + l) / ((1 + J) s); it joins at SAME_AD_CONTAINED (0.919, what two equal bodies at
# SAME_AD give). Sizes 60 and 100: 3 shared bands (J 0.553) give 0.950, 2 bands (J 0.500) give 0.889.
def test_a_smaller_body_contained_in_a_larger_one_joins_it() -> None:
    assert SAME_AD_CONTAINED == pytest.approx(2 * 0.85 / 1.85)
    assert _body(3) * 160 / ((1 + _body(3)) * 60) == pytest.approx(0.9499, abs=1e-4)
    assert is_duplicate(_keys("a", 3, size=60), _keys("b", 3, size=100))
    assert is_duplicate(_keys("a", 3, size=100), _keys("b", 3, size=60))  # whichever comes first
    assert not is_duplicate(_keys("a", 2, size=60), _keys("b", 2, size=100))
    assert not is_duplicate(_keys("a", 3, size=60), _keys("b", 3))  # a size unknown: no containment
    assert not is_duplicate(_keys("a", 2), _keys("b", 2, size=2))  # not even beside a tiny body
    assert not is_duplicate(_keys("a", 3, size=0), _keys("b", 3, size=0))


def test_containment_needs_bodies_of_comparable_size() -> None:
    # Half the larger body's size is still comparable (2 bands, J 0.5: the half-size body lies wholly in the other).
    assert is_duplicate(_keys("a", 2, size=50), _keys("b", 2, size=100))
    assert not is_duplicate(_keys("a", 2, size=49), _keys("b", 2, size=100))
    assert not is_duplicate(_keys("a", 2, size=5), _keys("b", 2, size=1000))


def test_sizes_in_the_hundreds_are_read_whole() -> None:
    # 3 bands: 120 in 200 gives 0.950 (joins), 120 in 2000 is not comparable: a size read as 12 or 20 would differ.
    assert is_duplicate(_keys("a", 3, size=120), _keys("b", 3, size=200))
    assert not is_duplicate(_keys("a", 3, size=120), _keys("b", 3, size=2000))


def test_image_bits_in_the_top_digit_of_each_quarter_count() -> None:
    other_hash = PHASH ^ 0xF000_7000_0000_0000  # 7 bits flipped, all in the quarters' leading hex digits
    assert not is_duplicate(_keys("a", 1, 0, PHASH), _keys("b", 1, 0, other_hash))
    assert is_duplicate(_keys("a", 1, 0, PHASH), _keys("b", 1, 0, PHASH ^ 0xF000_3000_0000_0000))  # 6 bits


def test_the_first_image_of_an_ad_with_two_counts() -> None:
    flyer, logo = 0x1111_2222_3333_4444, PHASH
    mine = _keys("a", 1, 0, logo) + _phash_keys(flyer)
    assert is_duplicate(mine, _keys("b", 1, 0, logo))


def test_the_earliest_seen_match_founds_the_cluster_whatever_its_id() -> None:
    store = MemoryCandidateStore()
    store.add(Candidate("a-late", "a-late", "2026-01-05", tuple(_keys("a", 20))))
    store.add(Candidate("z-early", "z-early", "2026-01-01", tuple(_keys("z", 20))))
    assert [c.first_seen for c in store.candidates(_keys("q", 20))] == ["2026-01-05", "2026-01-01"]
    assert assign_cluster(store, "new", "2026-01-06", _keys("n", 20)) == ("z-early", "z-early")


def test_members_sharing_as_many_keys_come_in_the_order_they_were_added() -> None:
    store = MemoryCandidateStore()
    store.add(Candidate("c0", "c0", "2026", ("h:a", "b05:s")))
    store.add(Candidate("c1", "c1", "2026", ("h:b", "b01:s")))
    query = ["h:q", "b01:s", "b05:s"]  # c1's key is met first
    assert [c.posting_id for c in store.candidates(query, limit=1)] == ["c0"]
    assert [c.posting_id for c in store.candidates(query)] == ["c0", "c1"]


@pytest.mark.parametrize("flush", [3, 4, MemoryCandidateStore.FLUSH])
def test_only_a_keys_earliest_members_are_candidates_merged_or_recent(flush: int) -> None:
    store = MemoryCandidateStore()
    # Four keys a member, merged every FLUSH * 8 keys: with 3, members 0-5 and 6-11 are merged; with 4, members
    # 0-7 are merged and 8-11 still recent; with the default, all are recent.
    store.FLUSH = flush
    for number in range(12):
        store.add(Candidate(f"c{number}", f"c{number}", "2026", (f"h:{number}", "b00:s", f"b01:{number}", "b02:x")))
    found = store.candidates(["h:q", "b00:s"])
    assert [c.posting_id for c in found] == [f"c{number}" for number in range(MEMBERS_PER_KEY)]


def test_keys_of_an_empty_body() -> None:
    keys = dedup_keys("Driver", "", content_sha256("Driver", ""), [])
    other = dedup_keys("Cook", "", content_sha256("Cook", ""), [])
    assert "n:0" in keys
    assert [k for k in keys if k[0] == "b"] == [k for k in other if k[0] == "b"]  # no shingles: one empty signature


def test_a_title_that_is_the_bodys_first_line_adds_no_title_keys() -> None:
    body = "Hiring now\nGood pay in Bangkok, free room and meals"
    keys = dedup_keys("Hiring now", body, content_sha256("Hiring now", body), [])
    assert not [k for k in keys if k[0] in "Tt"]
    assert f"n:{len(shingle_hashes(normalise(body)))}" in keys


def test_title_keys_follow_the_title() -> None:
    body = "Good pay in Bangkok, free room and meals"
    driver = [k for k in dedup_keys("Driver wanted", body, "0" * 64, []) if k[0] in "Tt"]
    cook = [k for k in dedup_keys("Cook wanted now", body, "0" * 64, []) if k[0] in "Tt"]
    assert len(driver) == len(cook) == 4 + TITLE_PERM
    assert len(set(driver) & set(cook)) < TITLE_PERM // 2
