"""The ``mimetype`` filter: a file's content type, from its bytes first."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import field_validator

from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    as_list,
    register_filter,
    register_placeholder,
)
from fileorganizer.scan import FileEntry

if TYPE_CHECKING:
    from fileorganizer.content.mime import MimeType


@register_filter
class MimeTypeFilter(Filter):
    """Match by content type (MIME type), detected from the file's bytes.

    The type comes from the file's magic bytes; the extension is used only when
    the content says nothing (an empty or unknown file) or names a more specific
    kind of the same thing (a ZIP named ``.docx``). So a photo without an
    extension, or a PDF named ``.txt``, is still recognized.

    Each pattern matches a top-level type (``image`` matches ``image/png``), a
    full type (``application/pdf``), or a glob (``video/x-*``); case-insensitive.
    A bare ``- mimetype`` matches every file. Publishes ``{mimetype}`` (e.g.
    ``image/jpeg``, with ``{mimetype.type}`` = ``image`` and
    ``{mimetype.subtype}`` = ``jpeg``).

    ```yaml
    rules:
      - locations: ~/Downloads
        filters:
          - mimetype: [image, application/pdf]
        actions:
          - move: "~/Sorted/{mimetype.type}/"
    ```
    """

    filter_name: ClassVar[str] = "mimetype"
    mimetypes: tuple[str, ...] = ()

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        return {"mimetypes": as_list(value)}

    @field_validator("mimetypes", mode="before")
    @classmethod
    def _normalize(cls, v: Any) -> tuple[str, ...]:
        out = tuple(str(x).strip().lower() for x in as_list(v))
        if any(not x for x in out):
            raise ValueError("a MIME type pattern cannot be empty")
        return out

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        mime = _mimetype(entry, ctx)
        if not self.mimetypes:
            return FilterResult(True, mime)
        return FilterResult(any(mimetype_matches(mime, p) for p in self.mimetypes), mime)


def mimetype_matches(mime: str, pattern: str) -> bool:
    """``image`` ~ ``image/png``; ``image/png`` ~ itself; globs (``*/x-*``) as globs."""
    mime, pattern = mime.lower(), pattern.lower()
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(mime, pattern)
    if "/" not in pattern or pattern.endswith("/"):
        return mime.partition("/")[0] == pattern.rstrip("/")
    return mime == pattern


def _mimetype(entry: FileEntry, ctx: FilterContext) -> MimeType:
    found: MimeType | None = entry.cache.get("mimetype:" + entry.name)  # (as entry_mimetype)
    if found is not None:
        return found
    byte_counter, entry_mimetype = _CONTENT or _load_content()
    counter = byte_counter()
    try:
        result: MimeType = entry_mimetype(entry, counter)
        return result
    finally:
        ctx.bytes_read += counter.bytes_read


#: (ByteCounter, entry_mimetype), imported on first use: registering the filter
#: must not load the content modules, and an import statement per file costs.
_CONTENT: tuple[Any, Any] | None = None


def _load_content() -> tuple[Any, Any]:
    global _CONTENT
    from fileorganizer.content.counting import ByteCounter
    from fileorganizer.content.mime import entry_mimetype

    _CONTENT = (ByteCounter, entry_mimetype)
    return _CONTENT


@register_placeholder("mimetype")
def mimetype_placeholder(entry: FileEntry, ctx: FilterContext) -> MimeType:
    """``{mimetype}`` in any template, detected only when a template uses it."""
    return _mimetype(entry, ctx)
