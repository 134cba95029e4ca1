"""A source's own Python module, for markup the YAML selectors cannot read.

The YAML names it with ``module: sources/xyz.py`` (a path, relative to the source file or the working
folder) or a dotted name (``mypackage.xyz``). The module has one entry function::

    def parse_detail(response, source):
        '''Return a dict of Posting fields (title, html, text, posted_at, author, native_id, fields,
        image_urls), a Posting, or None to skip the page.'''

``response`` is Scrapy's (``response.css``, ``response.xpath``, ``response.url``). A function that also
names a ``soup`` parameter, ``parse_detail(response, source, soup)``, gets the page as a BeautifulSoup
document too, parsed with lxml; only such hooks pay for it, the selectors and spiders stay on lxml alone.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lurewatch.errors import SourceConfigError

if TYPE_CHECKING:
    from lurewatch.crawlers.source import Source

ENTRY = "parse_detail"
SOUP = "soup"  # the parameter name that asks for a BeautifulSoup document
SOUP_PARSER = "lxml"


@dataclass(frozen=True)
class DetailHook:
    """The source module's ``parse_detail``, called with what its signature asks for."""

    function: Callable[..., Any]
    wants_soup: bool = False

    def __call__(self, response: Any, source: Source) -> Any:
        if self.wants_soup:
            from bs4 import BeautifulSoup

            return self.function(response, source, soup=BeautifulSoup(response.text, SOUP_PARSER))
        return self.function(response, source)


def _wants_soup(entry: Callable[..., Any], ref: str) -> bool:
    """Whether ``entry`` takes ``soup``; a signature that cannot take (response, source) is a config error."""
    try:
        signature = inspect.signature(entry)
    except (TypeError, ValueError):
        return False  # a builtin or C function: called the plain way
    wants = SOUP in signature.parameters
    try:
        signature.bind(None, None, **({SOUP: None} if wants else {}))
    except TypeError as exc:
        message = f"{ref}: {ENTRY} must take (response, source) or (response, source, soup): {exc}"
        raise SourceConfigError(message) from exc
    return wants


def _module_path(source: Source, ref: str) -> Path:
    candidate = Path(ref)
    if candidate.is_absolute():
        return candidate
    if source.path is not None and (source.path.parent / candidate).is_file():
        return source.path.parent / candidate
    return Path.cwd() / candidate


def load_hook(source: Source) -> DetailHook:
    """The module's ``parse_detail`` function; a missing module or function is a SourceConfigError."""
    ref = source.module
    assert ref is not None
    try:
        if ref.endswith(".py") or "/" in ref:
            path = _module_path(source, ref)
            if not path.is_file():
                raise SourceConfigError(f"no such module file {ref}")
            name = f"lurewatch_source_{source.name.replace('-', '_')}"
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(ref)
    except SourceConfigError:
        raise
    except Exception as exc:  # any error while importing the analyst's module is a config error
        raise SourceConfigError(f"cannot import {ref}: {type(exc).__name__}: {exc}") from exc
    entry = getattr(module, ENTRY, None)
    if not callable(entry):
        raise SourceConfigError(f"{ref} has no function {ENTRY}(response, source)")
    return DetailHook(entry, _wants_soup(entry, ref))
