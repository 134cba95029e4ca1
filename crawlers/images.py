"""Images of postings: fetched through the crawl (so they are in the WARC too), hashed and measured.

Each image gets its sha256, width and height, EXIF GPS position and a perceptual hash. A corrupt
file, a decompression bomb or an image over the size cap is counted, kept aside and skipped.
"""

from __future__ import annotations

import hashlib
import warnings
from io import BytesIO
from typing import TYPE_CHECKING

import imagehash
from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from lurewatch.crawlers.rejects import RejectLog
from lurewatch.crawlers.urlguard import UrlRefused
from lurewatch.records import Image

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from lurewatch.records import Posting

GPS_IFD = 0x8825
MAX_PIXELS = 40_000_000  # pixels; larger images are treated as decompression bombs


class ImageRejected(Exception):
    """An image that cannot be used; ``kind`` names why."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


def _degrees(value: tuple[float, float, float], ref: str) -> float:
    degrees = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
    return -degrees if ref in {"S", "W"} else degrees


def exif_gps(image: PILImage.Image) -> list[float] | None:
    """[lat, lon] from the EXIF GPS block, or None."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
        if 2 not in gps or 4 not in gps:
            return None
        lat = _degrees(gps[2], str(gps.get(1, "N")))
        lon = _degrees(gps[4], str(gps.get(3, "E")))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return [round(lat, 6), round(lon, 6)]


def analyse_image(url: str, data: bytes, max_pixels: int = MAX_PIXELS) -> Image:
    """Hash and measure one image; raises ImageRejected for a corrupt file or a decompression bomb."""
    sha256 = hashlib.sha256(data).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            with PILImage.open(BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageRejected("image_bomb", f"{width}x{height} pixels is over the {max_pixels} limit")
                image.load()
                gps = exif_gps(image)
                phash = str(imagehash.phash(image))
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
            raise ImageRejected("image_bomb", str(exc)) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejected("image_corrupt", f"{type(exc).__name__}: {exc}") from exc
    return Image(url=url, sha256=sha256, phash=phash, width=width, height=height, exif_gps=gps)


class ImagesPipeline:
    """Downloads each posting's ``image_urls`` (size-capped) and fills ``images``."""

    def __init__(self, crawler: Crawler, rejects: RejectLog, max_bytes: int, max_pixels: int) -> None:
        self.crawler = crawler
        self.rejects = rejects
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImagesPipeline:
        settings = crawler.settings
        if not settings.getbool("POSTING_IMAGES_ENABLED"):
            raise NotConfigured("images are off for this source")
        rejects = RejectLog.for_crawler(crawler)
        max_bytes = settings.getint("POSTING_IMAGES_MAX_BYTES")  # bytes per image (politeness.max_image_bytes)
        return cls(crawler, rejects, max_bytes, settings.getint("POSTING_IMAGES_MAX_PIXELS", MAX_PIXELS))

    async def process_item(self, item: Posting, spider: Spider) -> Posting:
        done = {image.url for image in item.images}
        for url in dict.fromkeys(item.image_urls):
            if url in done:
                continue
            try:
                item.images.append(await self._fetch(url, item))
            except UrlRefused:
                pass  # kept aside by the URL policy already, with the posting's id
            except ImageRejected as exc:
                self.rejects.add(exc.kind, url, str(exc), posting_id=item.posting_id, posting_url=item.url)
            except Exception as exc:  # noqa: BLE001 - an image never costs the posting
                detail = f"{type(exc).__name__}: {exc}"
                self.rejects.add("image_error", url, detail, posting_id=item.posting_id, posting_url=item.url)
        return item

    async def _fetch(self, url: str, item: Posting) -> Image:
        assert self.crawler.engine is not None and self.crawler.stats is not None
        meta = {
            "lurewatch_role": "image",
            "download_maxsize": self.max_bytes,
            "lurewatch_posting_id": item.posting_id,
            "lurewatch_posting_url": item.url,
        }
        request = Request(url, meta=meta, priority=10)
        try:
            response = await self.crawler.engine.download_async(request)
        except UrlRefused:
            raise
        except IgnoreRequest as exc:
            kind = "decompression_bomb" if "decompressed" in str(exc) else "image_blocked"
            raise ImageRejected(kind, str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - any download failure is one rejected image, never a crash
            text = str(exc)
            kind = "image_too_large" if "max size" in text else "image_download"
            raise ImageRejected(kind, f"{type(exc).__name__}: {text}") from exc
        if response.status >= 400:
            raise ImageRejected("image_http", f"HTTP {response.status}")
        image = await maybe_deferred_to_future(deferToThread(analyse_image, url, response.body, self.max_pixels))
        self.crawler.stats.inc_value("lurewatch/images/ok")
        return image
