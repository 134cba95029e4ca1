"""The URL policy on its own: schemes, hosts, addresses (with a resolver the test points), match on the path.

Properties (hypothesis): the policy and the match check never raise on any text, refuse every scheme but
http(s), and let nothing through that is not an http(s) URL of an allowed host.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lurewatch.crawlers.source import load_source
from lurewatch.crawlers.urlguard import PolicyResolver, PrivateAddressRefused
from lurewatch.crawlers.urlpolicy import (
    UrlPolicy,
    address_problem,
    parse_host_entry,
    path_and_query,
    path_matches,
    strip_userinfo,
)
from tests.support.sites.crawling import SOURCES

HOSTS = [parse_host_entry(h) for h in ("jobs.example.com", "127.0.0.1:8801", "*.cdn.example.net")]


def answers(table: dict[str, list[str]]):  # noqa: ANN201 - a resolver the test points at any answer
    def resolve(host: str) -> list[str]:
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    return resolve


def policy(allow_private: bool = False, **table: list[str]) -> UrlPolicy:
    return UrlPolicy(HOSTS, allow_private, answers({k.replace("_", "."): v for k, v in table.items()}))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "  file:///proc/self/environ",
        "file:///x?/job/1",
        "ftp://jobs.example.com/job/1",
        "data:text/html,<h1>x</h1>",
        "javascript:alert(1)",
        "gopher://jobs.example.com/_GET",
        "jar:http://jobs.example.com/x.jar!/",
        "//jobs.example.com/job/1",
        "jobs.example.com/job/1",
    ],
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    refusal = policy().check(url)
    assert refusal is not None and refusal.kind == "blocked_scheme"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://jobs.example.com/job/1", True),
        ("http://JOBS.example.com./job/1", True),
        ("https://jobs.example.com:443/job/1", True),
        ("https://jobs.example.com:8443/job/1", False),  # another port is another service
        ("http://127.0.0.1:8801/job/1", True),
        ("http://127.0.0.1:8802/job/1", False),
        ("http://localhost:8801/job/1", False),  # the same machine by another name is not the source's host
        ("https://img.cdn.example.net/a.png", True),
        ("https://cdn.example.net/a.png", True),
        ("https://example.net/a.png", False),
        ("https://jobs.example.com.evil.test/job/1", False),
        ("https://evil.test/jobs.example.com/job/1", False),
    ],
)
def test_only_the_sources_own_hosts_are_fetched(url: str, allowed: bool) -> None:
    refusal = UrlPolicy(HOSTS, allow_private=True).check(url)
    assert (refusal is None) == allowed, refusal
    if not allowed:
        assert refusal is not None and refusal.kind == "offsite_host"


def test_credentials_in_a_url_are_refused_and_stripped() -> None:
    refusal = policy().check("https://admin:hunter2@jobs.example.com/job/1")
    assert refusal is not None and refusal.kind == "userinfo" and "hunter2" not in refusal.detail
    assert strip_userinfo("https://admin:hunter2@jobs.example.com/job/1?q=1") == "https://jobs.example.com/job/1?q=1"
    assert strip_userinfo("http://a@b@jobs.example.com/") == "http://jobs.example.com/"


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.10.1", "link-local"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),  # NAT64 form of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 form of 127.0.0.1
        ("fe80::1%eth0", "link-local"),
        ("fc00::5", "private"),
        ("0.0.0.0", "private"),
        ("100.64.0.1", "not public"),  # carrier-grade NAT
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "private"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_classes(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


@pytest.mark.parametrize(
    "host", ["10.0.0.5", "169.254.169.254", "[::1]", "[fd00:ec2::254]", "2130706433", "0x7f.1", "localhost"]
)
def test_a_literal_private_address_is_refused_without_the_switch(host: str) -> None:
    own = UrlPolicy([parse_host_entry(host)])
    refusal = own.check(f"http://{host}/job/1")
    assert refusal is not None and refusal.kind == "private_address"
    assert UrlPolicy([parse_host_entry(host)], allow_private=True).check(f"http://{host}/job/1") is None


def test_a_name_that_resolves_to_a_private_address_is_refused_without_the_switch() -> None:
    url = "https://jobs.example.com/job/1"
    assert policy(jobs_example_com=["10.0.0.5"]).check(url) is None  # the text alone is fine
    refusal = policy(jobs_example_com=["10.0.0.5"]).check_resolved(url)
    assert refusal is not None and refusal.kind == "private_address" and "10.0.0.5" in refusal.detail
    assert policy(True, jobs_example_com=["10.0.0.5"]).check_resolved(url) is None
    assert policy(jobs_example_com=["93.184.216.34"]).check_resolved(url) is None
    # One private answer among public ones is enough: the connection may pick any of them.
    mixed = policy(jobs_example_com=["93.184.216.34", "169.254.169.254"]).check_resolved(url)
    assert mixed is not None and "metadata" in mixed.detail
    assert policy().check_resolved(url) is None  # unresolvable: the download itself fails as `dns`


def test_the_connection_resolver_refuses_private_answers() -> None:
    """DNS rebinding: the resolver that opens the connection checks the address it hands out."""
    resolver = PolicyResolver.__new__(PolicyResolver)
    with pytest.raises(PrivateAddressRefused, match="10.0.0.5, a private address"):
        resolver._check("10.0.0.5", "jobs.example.com")
    assert resolver._check("93.184.216.34", "jobs.example.com") == "93.184.216.34"


def test_path_matches_sees_only_the_path_of_an_http_url() -> None:
    pattern = re.compile(r"/job/\d+$")
    assert not path_matches(pattern, "file:///x?/job/1")
    assert not path_matches(pattern, "javascript:alert(1)//job/1")
    assert not path_matches(pattern, "data:text/html,/job/1")
    assert path_matches(pattern, "https://jobs.example.com/job/1")
    assert not path_matches(re.compile(r"^https://jobs"), "https://jobs.example.com/job/1")  # no host in sight
    assert path_and_query("https://jobs.example.com/job/1?page=2#top") == "/job/1?page=2"


def test_the_hosts_of_a_source_are_its_urls_and_allowed_hosts(tmp_path: Path) -> None:
    text = (
        SOURCES / "example-board.yml"
    ).read_text() + 'allowed_hosts: ["*.cdn.example.net", "img.example.org:8443"]\n'
    (tmp_path / "s.yml").write_text(text)
    source = load_source(tmp_path / "s.yml").with_base_url("https://jobs.example.com")
    own = UrlPolicy.for_source(source)
    assert own.host_entries() == ["*.cdn.example.net", "img.example.org:8443", "jobs.example.com"]
    assert not own.allow_private and not source.allow_private_networks


# --- properties ------------------------------------------------------------------------------------------------

SCHEMES = st.from_regex(r"\A[a-zA-Z][a-zA-Z0-9+.\-]{0,12}\Z").filter(lambda s: s.lower() not in {"http", "https"})
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=80)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
@example("http://[::1")
@example("http://jobs.example.com:99999/")
@example("http://jobs.example.com:-1/")
@example("https://\udcff/")
@example("http://%00@jobs.example.com/")
def test_the_policy_never_raises_and_passes_only_http_urls_of_allowed_hosts(text: str) -> None:
    own = policy(True)
    refusal = own.check(text)
    strip_userinfo(text)
    path_matches(re.compile("job"), text)
    if refusal is None:
        parts = urlsplit(text.strip())
        assert parts.scheme.lower() in {"http", "https"}
        assert (parts.hostname or "").rstrip(".").endswith(("jobs.example.com", "127.0.0.1", "cdn.example.net"))
        assert "@" not in parts.netloc


@settings(max_examples=300)
@given(SCHEMES, ANY_TEXT)
def test_every_scheme_but_http_and_https_is_refused(scheme: str, rest: str) -> None:
    for url in (f"{scheme}:{rest}", f"{scheme}://jobs.example.com/{rest}", f"{scheme}://127.0.0.1:8801/job/1"):
        refusal = policy(True).check(url)
        assert refusal is not None and refusal.kind in {"blocked_scheme", "bad_url"}, url


@settings(max_examples=300)
@given(SCHEMES, st.from_regex(r"\A/[a-z0-9/?=&]{0,30}\Z"))
def test_match_never_matches_a_url_of_another_scheme(scheme: str, path: str) -> None:
    assert not path_matches(re.compile(".*"), f"{scheme}://jobs.example.com{path}")
    assert not path_matches(re.compile(".*"), f"{scheme}:///x?{path}")
    assert path_matches(re.compile(re.escape(path.split("?")[0] or "/")), f"https://jobs.example.com{path}")


@settings(max_examples=300)
@given(st.ip_addresses())
def test_address_check_never_raises_and_refuses_every_non_global_address(address: object) -> None:
    import ipaddress

    ip = ipaddress.ip_address(str(address))
    problem = address_problem(str(ip))
    if not ip.is_global or ip.is_multicast:
        assert problem is not None
