"""The URL policy at work: a downloader middleware that sees every request, and a DNS resolver that checks answers.

``UrlPolicyMiddleware`` runs first for every request Scrapy downloads: start URLs, links, each redirect hop
(a redirect is a new request), images (``engine.download``), robots.txt. A refused request is a reject with its
kind and URL (credentials stripped) and never reaches the network. Host names are resolved with the standard
library and every address must be public.

Between that check and the connection, the name is resolved again by the reactor; a name that answers with a
public address first and a private one next (DNS rebinding) is caught by ``PolicyResolver``, the resolver the
connection itself uses, which refuses private answers as well. What remains: Chromium (``social`` sources) resolves
names itself, so there the check is the stdlib resolution just before the browser's own request; and behind a
proxy the proxy resolves names, so only literal addresses and the host list are checked.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

from lurewatch.crawlers.rejects import RejectLog
from lurewatch.crawlers.urlpolicy import (
    Refusal,
    UrlPolicy,
    address_problem,
    parse_host_entry,
    strip_userinfo,
)

if TYPE_CHECKING:

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.internet.defer import Deferred

# Scrapy also downloads file:, data:, s3: and ftp: URLs; a crawl of the web needs none of them.
NO_OTHER_SCHEMES: dict[str, None] = {"file": None, "data": None, "s3": None, "ftp": None}
REDIRECT_CODES = {301, 302, 303, 307, 308}
RESOLVED_TTL = 60.0  # seconds a host's checked addresses are reused by the middleware


class UrlRefused(IgnoreRequest):
    """A request the URL policy refused; already kept as a reject by the middleware."""

    def __init__(self, refusal: Refusal, url: str) -> None:
        super().__init__(f"{refusal.kind}: {strip_userinfo(url)}: {refusal.detail}")
        self.refusal = refusal


class PrivateAddressRefused(DNSLookupError):
    """A name resolved, at connection time, to an address the source may not reach."""


def policy_from_settings(settings: BaseSettings) -> UrlPolicy:
    hosts = [parse_host_entry(entry) for entry in settings.getlist("URLGUARD_ALLOWED_HOSTS")]
    return UrlPolicy(hosts, settings.getbool("URLGUARD_ALLOW_PRIVATE_NETWORKS"))


class UrlPolicyMiddleware:
    """Refuses, before the network, every request the source's URL policy does not allow."""

    def __init__(self, policy: UrlPolicy, rejects: RejectLog, proxied: bool) -> None:
        self.policy = policy
        self.rejects = rejects
        self.proxied = proxied  # behind a proxy, the proxy resolves names: only literal addresses are checked
        self._resolved: dict[str, tuple[float, list[str]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlPolicyMiddleware:
        settings = crawler.settings
        rejects = RejectLog.for_crawler(crawler)
        return cls(policy_from_settings(settings), rejects, bool(settings.get("SOURCE_PROXY")))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        refusal = self.policy.check(request.url)
        if refusal is None and not (self.policy.allow_private or self.proxied):
            host = urlsplit(request.url).hostname or ""
            addresses = await self._addresses(host)
            refusal = self.policy.address_refusal(host, addresses)
        if refusal is not None:
            self.refuse(request.url, request.meta, refusal)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        """A redirect Scrapy did not follow (to ``file:``, ``ftp:``, ...) is a reject too, not a blank page."""
        location = response.headers.get("Location")
        if response.status in REDIRECT_CODES and location:
            try:
                target = response.urljoin(location.decode("latin-1"))
            except ValueError:
                target = location.decode("latin-1")
            refusal = self.policy.check(target)
            if refusal is not None:
                self.refuse(target, {**request.meta, "redirect_urls": [request.url]}, refusal)
        return response

    async def _addresses(self, host: str) -> list[str]:
        cached = self._resolved.get(host)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            addresses: list[str] = await maybe_deferred_to_future(deferToThread(self.policy.resolve, host))
        except (OSError, UnicodeError):
            return []  # unresolvable: the download fails and is counted as a `dns` reject
        self._resolved[host] = (time.monotonic() + RESOLVED_TTL, addresses)
        return addresses

    def refuse(self, url: str, meta: dict[str, Any], refusal: Refusal) -> None:
        extra: dict[str, Any] = {"role": meta.get("lurewatch_role", "")}
        if meta.get("redirect_urls"):
            extra["redirected_from"] = strip_userinfo(meta["redirect_urls"][0])
        for key in ("posting_id", "posting_url"):
            if meta.get(f"lurewatch_{key}"):
                extra[key] = meta[f"lurewatch_{key}"]
        assert self.rejects.crawler.stats is not None
        self.rejects.crawler.stats.inc_value("lurewatch/url_policy/refused")
        self.rejects.add(refusal.kind, url, refusal.detail, **extra)
        raise UrlRefused(refusal, url)


class PolicyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that also refuses private answers, so a rebinding name cannot slip through."""

    allow_private = False
    proxy_host = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> PolicyResolver:
        resolver = super().from_crawler(crawler, reactor)
        settings = crawler.settings
        resolver.allow_private = settings.getbool("URLGUARD_ALLOW_PRIVATE_NETWORKS")
        proxy = settings.get("SOURCE_PROXY") or ""
        resolver.proxy_host = (urlsplit(proxy).hostname or "") if proxy else ""
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Deferred[str]:  # noqa: N802 - Twisted's name
        result = super().getHostByName(name, timeout)
        if self.allow_private or name == self.proxy_host:
            return result  # the operator's own proxy may well be on 127.0.0.1
        return result.addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        problem = address_problem(address)
        if problem:
            raise PrivateAddressRefused(f"{name} resolved to {address}, a {problem} address")
        return address

