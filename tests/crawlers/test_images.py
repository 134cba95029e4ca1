"""Image analysis with real Pillow decoding: hashes, size, EXIF GPS; bombs and corrupt files rejected."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image as PILImage

from lurewatch.crawlers.images import ImageRejected, analyse_image
from tests.support.sites.hostile import GOOD_IMAGE_GPS, jpeg_with_gps, png_bomb


def test_good_image_gets_hashes_size_and_gps() -> None:
    image = analyse_image("http://x/a.jpg", jpeg_with_gps())
    assert (image.width, image.height) == (64, 48)
    assert image.exif_gps == pytest.approx(GOOD_IMAGE_GPS, abs=1e-5)
    assert len(image.sha256) == 64 and len(image.phash) == 16


def test_image_without_exif_has_no_position() -> None:
    out = BytesIO()
    PILImage.new("RGB", (20, 20), (0, 90, 0)).save(out, "PNG")
    assert analyse_image("http://x/b.png", out.getvalue()).exif_gps is None


def test_near_identical_images_share_a_close_perceptual_hash() -> None:
    import imagehash

    first, second = BytesIO(), BytesIO()
    base = PILImage.linear_gradient("L").resize((128, 128)).convert("RGB")
    base.save(first, "JPEG", quality=95)
    base.resize((100, 100)).save(second, "JPEG", quality=60)
    a = analyse_image("a", first.getvalue())
    b = analyse_image("b", second.getvalue())
    assert a.sha256 != b.sha256
    assert imagehash.hex_to_hash(a.phash) - imagehash.hex_to_hash(b.phash) <= 6


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (png_bomb(), "image_bomb"),  # 900 M pixels: over Pillow's own hard limit
        (png_bomb(8000, 6000), "image_bomb"),  # 48 M pixels: under Pillow's, over ours
        (jpeg_with_gps()[:300], "image_corrupt"),
        (b"<html>not an image</html>", "image_corrupt"),
    ],
)
def test_bad_images_are_rejected_by_kind(data: bytes, kind: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        analyse_image("http://x/bad", data)
    assert caught.value.kind == kind
