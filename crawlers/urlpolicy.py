"""Which URLs a crawl may fetch: http(s) only, the source's own hosts only, no private or metadata addresses.

Crawled pages are written by the people under investigation, so every link, image and redirect is hostile
input. A URL is refused when its scheme is not http/https, when it carries credentials (``user:pass@``), when its
host (and port) is not one of the source's own, or when its host is, or resolves to, an address that is not
public (private, loopback, link-local, cloud metadata, multicast, reserved) unless the source sets
``allow_private_networks: true``. ``match`` patterns are applied to the path and query of an allowed URL only.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:
    from lurewatch.crawlers.source import Source

SCHEMES = {"http", "https"}
DEFAULT_PORTS = {"http": 80, "https": 443}
# Addresses that are public by ipaddress's tables yet must never be fetched (cloud metadata services).
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
# 64:ff9b::/96 (NAT64) embeds an IPv4 address that a gateway will connect to.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

Resolver = Callable[[str], list[str]]


@dataclass(frozen=True)
class Refusal:
    """Why a URL is not fetched: ``kind`` is the reject kind, ``detail`` the readable reason."""

    kind: str  # blocked_scheme | userinfo | offsite_host | private_address | bad_url
    detail: str


def strip_userinfo(url: str) -> str:
    """``url`` without ``user:pass@``: credentials never reach a log, a reject or a stat."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@?#]*@", "//", url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def resolve_addresses(host: str) -> list[str]:
    """Every address ``host`` resolves to, by the operating system's resolver."""
    # The first item of a sockaddr is the address as text (typeshed types it str | int for AF_UNIX's sake).
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)})


def address_problem(address: str) -> str | None:
    """Why an IP address must not be fetched (``"loopback"``, ``"private"``, ...), or None when it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = (
            ip.ipv4_mapped or ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None)
        )
        if mapped is not None:
            inner = address_problem(str(mapped))
            if inner:
                return inner
    if ip in METADATA:
        return "cloud metadata"
    for name in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    if not ip.is_global:
        return "not public"
    return None


@lru_cache(maxsize=4096)
def _host_key(host: str) -> str:
    """A host as compared: lower case, no trailing dot, IDNA-encoded."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ValueError(f"bad host name {host!r}") from exc


def parse_host_entry(entry: str) -> tuple[str, int | None]:
    """``example.com``, ``*.example.com``, ``example.com:8080`` or a URL → (host, port or None)."""
    text = entry.strip()
    parts = urlsplit(text if "//" in text else f"//{text}")
    if parts.hostname is None:
        raise ValueError(f"{entry!r} is not a host name")
    port = parts.port
    if port in DEFAULT_PORTS.values():
        port = None  # no port, 80 or 443: the default ports of http and https
    wildcard = "*." if parts.hostname.startswith("*.") else ""
    return wildcard + _host_key(parts.hostname.removeprefix("*.")), port


class UrlPolicy:
    """Decides, for each URL, whether the crawl of one source may fetch it."""

    def __init__(
        self,
        hosts: Iterable[tuple[str, int | None]],
        allow_private: bool = False,
        resolve: Resolver = resolve_addresses,
    ) -> None:
        self.hosts = frozenset(hosts)
        self.allow_private = allow_private
        self.resolve = resolve

    @classmethod
    def for_source(cls, source: Source, resolve: Resolver = resolve_addresses) -> UrlPolicy:
        """The hosts of the source's base_url, start_urls and search URL, plus its ``allowed_hosts``."""
        urls = [source.base_url or "", *source.absolute_start_urls()]
        if source.search is not None:
            urls.append(urljoin(source.base_url or "", source.search.url))
        entries = [u for u in urls if urlsplit(u).hostname] + list(source.allowed_hosts)
        return cls([parse_host_entry(e) for e in entries], source.allow_private_networks, resolve)

    def host_entries(self) -> list[str]:
        """The allowed hosts as ``host`` or ``host:port`` strings (for settings and messages)."""
        return sorted(h if p is None else f"{h}:{p}" for h, p in self.hosts)

    def _allowed_host(self, host: str, port: int | None) -> bool:
        for allowed, allowed_port in self.hosts:
            if allowed_port != port:
                continue
            # *.example.com: example.com and every name under it
            if host == allowed or (allowed.startswith("*.") and (host.endswith(allowed[1:]) or host == allowed[2:])):
                return True
        return False

    def check(self, url: str) -> Refusal | None:
        """The refusal of ``url`` by its text alone (scheme, credentials, host, literal address), or None."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
            host = _host_key(parts.hostname or "")
        except ValueError as exc:
            return Refusal("bad_url", f"not a valid URL: {exc}")
        if parts.scheme.lower() not in SCHEMES:
            return Refusal("blocked_scheme", f"scheme {parts.scheme or '(none)'!r} is not http or https")
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            return Refusal("userinfo", "URLs with a user name or password are not fetched")
        if not host:
            return Refusal("bad_url", "no host in the URL")
        if port == DEFAULT_PORTS[parts.scheme.lower()]:
            port = None
        if not self._allowed_host(host, port):
            where = host if port is None else f"{host}:{port}"
            return Refusal("offsite_host", f"{where} is not a host of this source (allowed_hosts lists more)")
        if not self.allow_private:
            problem = _literal_problem(host)
            if problem:
                return Refusal("private_address", f"{host} is a {problem} address")
        return None

    def address_refusal(self, host: str, addresses: Iterable[str]) -> Refusal | None:
        """The refusal of a host whose name resolved to ``addresses``, or None when all of them are public."""
        if self.allow_private:
            return None
        for address in addresses:
            problem = address_problem(address)
            if problem:
                return Refusal("private_address", f"{host} resolves to {address}, a {problem} address")
        return None

    def check_resolved(self, url: str) -> Refusal | None:
        """``check`` and then the addresses the host resolves to (blocking: call it off the event loop)."""
        refusal = self.check(url)
        if refusal is not None or self.allow_private:
            return refusal
        host = urlsplit(url).hostname or ""
        try:
            addresses = self.resolve(host)
        except (OSError, UnicodeError):
            return None  # unresolvable: the download fails and is counted as a `dns` reject
        return self.address_refusal(host, addresses)


@lru_cache(maxsize=4096)
def _literal_problem(host: str) -> str | None:
    """A problem of a host written as an IP address (any notation the OS accepts) or as localhost."""
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:  # 2130706433, 0x7f.1, 017700000001: inet_aton reads them all as 127.0.0.1
            packed = socket.inet_aton(host)
        except (OSError, ValueError):
            return None
        host = socket.inet_ntoa(packed)
    return address_problem(host)


def path_and_query(url: str) -> str | None:
    """The part of an http(s) URL that ``match`` patterns see (path, then ``?query``); None for other URLs."""
    try:
        parts: SplitResult = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def path_matches(pattern: re.Pattern[str], url: str) -> bool:
    """Whether ``pattern`` matches the path (+query) of ``url``; never for a URL that is not http(s)."""
    target = path_and_query(url)
    return target is not None and pattern.search(target) is not None
