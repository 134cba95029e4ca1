"""A Finding as the plain dict both backends store: what ``dataclasses.asdict`` gives, without its deep copies."""

from __future__ import annotations

import dataclasses
from typing import Any

_FIELDS: dict[type, tuple[str, ...]] = {}


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _names(cls: type) -> tuple[str, ...] | None:
    names = _FIELDS.get(cls)
    if names is None and dataclasses.is_dataclass(cls):
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list or kind is tuple:
        if value and type(value[0]) in _SCALARS:
            return list(value)
        return [_plain(v) for v in value]
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    names = _names(kind)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    return value


def document(record: Any) -> dict[str, Any]:
    """The same dict as ``lurewatch.records.to_dict(record)``, built without copying leaf values."""
    return _plain(record)  # type: ignore[no-any-return]
