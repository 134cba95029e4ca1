"""Settings from ``LUREWATCH_*`` environment variables; the only module that reads the environment."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lurewatch.errors import SettingsError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """Every LureWatch setting; each field is the variable ``LUREWATCH_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="LUREWATCH_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="where runs, evidence and the SQLite index live")
    sources_dir: Path = Field(Path("sources"), description="folder of source YAML files")
    cache_dir: Path | None = Field(
        None, description="derived data such as the gazetteer index (default: DATA_DIR/cache)"
    )
    index: Literal["sqlite", "elasticsearch"] = Field("sqlite", description="index backend")
    sqlite_path: Path | None = Field(None, description="SQLite index file (default: DATA_DIR/index.sqlite)")
    es_url: str = Field("http://127.0.0.1:9200", description="Elasticsearch URL(s), comma separated")
    es_api_key: str | None = Field(None, description="Elasticsearch API key (never logged)")
    es_index_prefix: str = Field("lurewatch", description="prefix of the index aliases")
    es_timeout: float = Field(30.0, description="Elasticsearch request timeout in seconds")
    es_ca_certs: Path | None = Field(None, description="CA bundle for an HTTPS Elasticsearch")
    es_username: str | None = Field(None, description="Elasticsearch basic-auth user (when no API key is set)")
    es_password: str | None = Field(None, description="Elasticsearch basic-auth password (never logged)")
    es_verify_certs: bool = Field(True, description="verify the Elasticsearch TLS certificate")
    es_max_retries: int = Field(3, description="retries of a failed Elasticsearch request")
    es_shards: int = Field(1, ge=1, description="primary shards of a new findings index")
    es_replicas: int = Field(0, ge=0, description="replicas of each shard (1 or more on a cluster: a node can be lost)")
    es_refresh_interval: str = Field("1s", description="how often new findings become searchable (e.g. 1s, 30s, -1)")
    es_wait_for_active_shards: str = Field(
        "1", description="shard copies a write waits for: a number or `all` (1: the primary; a lost replica never blocks)"
    )
    es_sniff: bool = Field(False, description="discover the cluster's other nodes from the ones in ES_URL")
    redis_url: str | None = Field(
        None, description="Redis shared by crawler processes (frontier, dupefilter, politeness), e.g. redis://host:6379/0"
    )
    crawl_workers: int = Field(1, ge=1, description="crawler processes per crawl (more than 1 needs REDIS_URL)")
    serve_host: str = Field("127.0.0.1", description="address `lurewatch serve` listens on")
    serve_port: int = Field(8765, description="port `lurewatch serve` listens on")
    serve_workers: int = Field(1, ge=1, description="server processes of `lurewatch serve` (one per core at most)")
    keys_file: Path | None = Field(None, description="hashed API keys (default: DATA_DIR/api_keys.json)")
    audit_log: Path | None = Field(None, description="search audit log, JSON lines (default: DATA_DIR/audit.jsonl)")
    cookie_secure: bool = Field(False, description="mark the web UI's session cookie Secure (set when served over HTTPS)")
    session_secret: SecretStr | None = Field(
        None, description="key that signs the web UI's session cookie (default: made once in DATA_DIR/session_secret)"
    )
    session_hours: float = Field(12.0, gt=0, description="hours a web UI login lasts")
    chromium: Path = Field(Path("/usr/bin/chromium"), description="Chromium executable for JavaScript-only sources")
    user_agent: str = Field(
        "LureWatch/0.1 (+https://github.com/lurewatch/lurewatch; research crawler)",
        description="default User-Agent of the crawlers",
    )
    log_level: str = Field("INFO", description="log level of LureWatch's own messages: CLI, API, DAGs and crawls")
    enrich_workers: int = Field(0, ge=0, description="processes for enrichment (0: one per core)")
    public_url: str = Field("http://127.0.0.1:8765", description="base URL of the web UI, for links in alert digests")
    smtp_host: str | None = Field(None, description="SMTP server that sends alert emails")
    smtp_port: int = Field(587, description="SMTP port (587 STARTTLS, 465 TLS, 25 plain)")
    smtp_tls: Literal["starttls", "ssl", "none"] = Field("starttls", description="SMTP encryption")
    smtp_user: str | None = Field(None, description="SMTP login (none: send without logging in)")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (never logged)")
    smtp_from: str = Field("lurewatch@localhost", description="sender address of alert emails")
    smtp_timeout: float = Field(30.0, description="SMTP timeout in seconds")
    webhook_timeout: float = Field(15.0, description="alert webhook timeout in seconds")
    webhook_allow_private: bool = Field(
        False, description="allow alert webhooks to loopback and private addresses (off: only public hosts)"
    )
    alerts_settle_seconds: int = Field(
        900,
        ge=0,
        description="how far back each alert run re-reads (findings become searchable after their "
        "indexed_at stamp; alerted clusters are never sent twice)",
    )
    profile: Literal["investigator", "researcher"] = Field(
        "investigator", description="who works from this install; researcher makes exports redacted by default"
    )
    export_key: SecretStr | None = Field(
        None, description="key of the HMAC pseudonyms in redacted exports (never logged; default: EXPORT_KEY_FILE)"
    )
    export_key_file: Path | None = Field(
        None, description="file holding the pseudonym key, made on first use (default: DATA_DIR/export.key)"
    )
    export_license: str = Field("CC-BY-4.0", description="licence of exported datasets (SPDX id) in datapackage.json")
    export_citation: str = Field(
        "LureWatch dataset export", description="how to cite exported datasets (datapackage.json's citation)"
    )
    exports_dir: Path | None = Field(None, description="where export jobs of the HTTP API write (default: DATA_DIR/exports)")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def enrich_processes(self) -> int:
        return self.enrich_workers or os.cpu_count() or 1

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def cache_path(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"

    @property
    def sqlite_file(self) -> Path:
        return self.sqlite_path or self.data_dir / "index.sqlite"

    @property
    def keys_path(self) -> Path:
        return self.keys_file or self.data_dir / "api_keys.json"

    @property
    def audit_path(self) -> Path:
        return self.audit_log or self.data_dir / "audit.jsonl"

    @property
    def export_key_path(self) -> Path:
        return self.export_key_file or self.data_dir / "export.key"

    @property
    def exports_path(self) -> Path:
        return self.exports_dir or self.data_dir / "exports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing the environment."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "LUREWATCH_" + "_".join(str(part) for part in first["loc"]).upper()
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SettingsError(f"{name}={first.get('input')!r}: {first['msg']}{more}") from exc


def offline_environment() -> dict[str, str]:
    """Variables that child processes need so nothing tries to reach the network by itself."""
    env = dict(os.environ)
    # tldextract would otherwise try to download the public suffix list and hang when offline.
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    return env
