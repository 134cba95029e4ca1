"""Each politeness default lives in the source schema only; Scrapy's setting names stay out of LUREWATCH_*."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.test import get_crawler

from lurewatch.crawlers.images import ImagesPipeline
from lurewatch.crawlers.incremental import IncrementalMiddleware
from lurewatch.crawlers.middlewares import BackoffRetryMiddleware
from lurewatch.crawlers.settings import BASE_SETTINGS, crawl_settings
from lurewatch.crawlers.source import Politeness, load_source
from lurewatch.settings import Settings
from tests.support import ROOT

# The example board source with its politeness block left out.
SOURCE = load_source(ROOT / "sources" / "example-board.yml").model_copy(update={"politeness": Politeness()})


def test_scrapy_settings_never_use_the_environment_prefix(tmp_path: Path) -> None:
    names = set(crawl_settings(SOURCE, tmp_path / "runs" / "r", "UA", "INFO"))
    assert not [name for name in names if name.startswith("LUREWATCH_")]
    environment = {f"LUREWATCH_{field.upper()}" for field in Settings.model_fields}
    assert not names & environment


def test_components_take_the_schema_defaults(tmp_path: Path) -> None:
    defaults = Politeness()
    crawler = get_crawler(settings_dict={**BASE_SETTINGS, "RUN_DIR": str(tmp_path), "SOURCE_NAME": "plain",
                                         "INCREMENTAL_STATE_DIR": str(tmp_path / "state")})  # fmt: skip
    retry = BackoffRetryMiddleware(ScrapySettings(BASE_SETTINGS))
    assert (retry.backoff_base, retry.backoff_max) == (defaults.retry_backoff, defaults.retry_backoff_max)
    assert retry.max_retry_times == defaults.retries
    assert IncrementalMiddleware.from_crawler(crawler).revisit_after == defaults.revisit_seconds()
    assert ImagesPipeline.from_crawler(crawler).max_bytes == defaults.max_image_bytes


def test_a_source_without_politeness_block_crawls_with_the_schema_defaults(tmp_path: Path) -> None:
    values = crawl_settings(SOURCE, tmp_path / "runs" / "r", "UA", "INFO")
    defaults = Politeness()
    assert values["DOWNLOAD_DELAY"] == values["AUTOTHROTTLE_START_DELAY"] == defaults.delay
    assert values["CONCURRENT_REQUESTS"] == defaults.concurrency and values["DOWNLOAD_TIMEOUT"] == defaults.timeout
    assert values["POSTING_IMAGES_MAX_BYTES"] == defaults.max_image_bytes and values["USER_AGENT"] == "UA"
