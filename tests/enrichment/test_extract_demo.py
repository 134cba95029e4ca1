"""Contact extraction measured on the demo board's ground truth.

The demo board was written together with the extractors, so these figures are a regression check, not an
accuracy claim: accuracy is measured on text written by others (bench/accuracy.py).
"""

from __future__ import annotations

from lurewatch.demo.site import demo_ads
from lurewatch.enrichment.contacts import extract_contacts
from lurewatch.enrichment.normalize import detect_language


def test_demo_contacts_precision_and_recall() -> None:
    counts: dict[str, list[int]] = {}
    for ad in demo_ads():
        body = f"{ad['title']}\n{ad['text']}"
        contacts = extract_contacts(body, detect_language(body), context=ad.get("location", ""))
        for field in ("phones", "telegram", "line", "wechat", "emails", "whatsapp"):
            truth = {x.lower() for x in ad[field]}
            if field == "phones":  # a WhatsApp number is a phone too: pivoting on the phone finds the ad
                truth |= {x.lower() for x in ad["whatsapp"]}
            found = {x.lower() for x in getattr(contacts, field)}
            tp_fp_fn = counts.setdefault(field, [0, 0, 0])
            tp_fp_fn[0] += len(truth & found)
            tp_fp_fn[1] += len(found - truth)
            tp_fp_fn[2] += len(truth - found)
    for field, (tp, fp, fn) in counts.items():
        precision, recall = tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)
        print(f"demo {field}: precision={precision:.3f} recall={recall:.3f} (tp={tp} fp={fp} fn={fn})")
        assert recall >= 0.95, field
        # The board lists only wa.me links under WhatsApp; a number on a "WhatsApp:" line counts here too.
        assert field == "whatsapp" or precision >= 0.95, field
