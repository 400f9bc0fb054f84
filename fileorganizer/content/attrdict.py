"""A dict whose keys read as attributes, for values published to templates."""

from __future__ import annotations

from typing import Any


class AttrDict(dict[str, Any]):
    """``d.key`` reads ``d["key"]`` (templates write ``{exif.model}``, Python code too)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None
