"""A source's own Python module, for markup the YAML selectors cannot read.

The YAML names it with ``module: sources/xyz.py`` (a path, relative to the source file or the working
folder) or a dotted name (``mypackage.xyz``). The module has one entry function::

    def parse_detail(response, source):
        '''Return a dict of Posting fields (title, html, text, posted_at, author, native_id, fields,
        image_urls), a Posting, or None to skip the page.'''
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lurewatch.errors import SourceConfigError

if TYPE_CHECKING:
    from lurewatch.crawlers.source import Source

ENTRY = "parse_detail"

DetailHook = Callable[[Any, "Source"], Any]


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
    return entry  # type: ignore[no-any-return]
