"""A Finding as the plain dict both backends store: what ``dataclasses.asdict`` gives, without its deep copies.

Bulk indexing spends much of its client time turning records into dicts; ``asdict`` copies every list and
dispatches on every value. Here each record class gets a converter generated once from its type hints:
scalars, lists of scalars and dicts of scalars are shared (the dict is serialised at once, nothing mutates
it), nested records are converted by their own converter.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from lurewatch.index.text import without_controls

_CONVERTERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _record_type(hint: Any) -> type | None:
    """The dataclass a field holds (directly or as ``X | None``), if any."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        hint = inner[0] if len(inner) == 1 else None
    return hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None


def _list_item_record(hint: Any) -> type | None:
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return _record_type(item)
    return None


def converter(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The generated function turning a ``cls`` instance into a dict."""
    found = _CONVERTERS.get(cls)
    if found is not None:
        return found
    hints = typing.get_type_hints(cls)
    namespace: dict[str, Any] = {}
    parts = []
    for f in dataclasses.fields(cls):
        nested, items = _record_type(hints[f.name]), _list_item_record(hints[f.name])
        if nested is not None:
            namespace[f"c_{f.name}"] = converter(nested)
            parts.append(f"{f.name!r}: (None if r.{f.name} is None else c_{f.name}(r.{f.name}))")
        elif items is not None:
            namespace[f"c_{f.name}"] = converter(items)
            parts.append(f"{f.name!r}: [c_{f.name}(v) for v in r.{f.name}]")
        else:
            parts.append(f"{f.name!r}: r.{f.name}")
    source = "def convert(r):\n    return {" + ", ".join(parts) + "}\n"
    exec(source, namespace)  # noqa: S102 - code built above from field names only
    _CONVERTERS[cls] = namespace["convert"]
    return namespace["convert"]  # type: ignore[no-any-return]


def document(record: Any) -> dict[str, Any]:
    """The same dict as ``lurewatch.records.to_dict(record)``, built without copying leaf values."""
    return converter(type(record))(record)


TEXT_FIELDS = ("title", "text", "text_segmented")


def stored_document(finding: Any) -> dict[str, Any]:
    """The dict a backend stores for a finding: ``document`` with control characters removed from its text
    fields (the highlighter marks matches with two of them; a crawled page must not be able to forge one),
    and a ``posted_at`` that is not an ISO 8601 date moved to ``posted_at_raw`` (findings enriched before
    dates were parsed): both backends accept every finding."""
    doc = document(finding)
    for name in TEXT_FIELDS:
        value = doc.get(name)
        if value:
            doc[name] = without_controls(value)
    posted = doc.get("posted_at")
    if posted is not None and "posted_at_raw" in doc:
        doc["posted_at"] = iso_date(posted)
        if doc["posted_at"] is None and not doc["posted_at_raw"]:
            doc["posted_at_raw"] = str(posted)[:200]
    return doc


def iso_date(value: Any) -> str | None:
    """``value`` as an ISO 8601 date both backends store (``T`` between date and time), or None."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()
