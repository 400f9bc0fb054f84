"""The ``kind`` filter: Images, Documents, Video, ... decided once per file.

A file's kind comes from its content type (magic bytes first, see
:mod:`fileorganizer.content.mime`) and, for kinds whose content types are not
distinctive (source code, installers, fonts), from its extension. The kinds
are tried in the order of :data:`KIND_RULES`; the first whose content types or
extensions fit wins. A file no kind fits is :attr:`Kind.OTHER`. The built-in
rules are one rule on this filter: ``move: "{kind}/"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar

from pydantic import field_validator

from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    as_list,
    register_filter,
    register_placeholder,
    result,
)
from fileorganizer.filters.mimetype import mimetype_matches
from fileorganizer.scan import FileEntry


class Kind(StrEnum):
    """A kind of file; the value is the folder the built-in rules sort it into."""

    IMAGES = "Images"
    AUDIO = "Audio"
    VIDEO = "Video"
    CODE = "Code"
    DOCUMENTS = "Documents"
    INSTALLERS = "Installers"
    ARCHIVES = "Archives"
    FONTS = "Fonts"
    #: none of the above: the built-in rules leave such files where they are
    OTHER = "Other"


@dataclass(frozen=True)
class KindRule:
    """Which content types (patterns as the ``mimetype`` filter takes) and extensions."""

    kind: Kind
    mimetypes: tuple[str, ...]
    extensions: tuple[str, ...] = ()


KIND_RULES: tuple[KindRule, ...] = (
    KindRule(Kind.IMAGES, ("image",)),
    KindRule(Kind.AUDIO, ("audio",)),
    KindRule(Kind.VIDEO, ("video",)),
    KindRule(
        Kind.CODE,
        ("text/x-python", "text/javascript", "text/html", "text/css", "application/json",
         "application/xml", "text/xml", "application/yaml", "application/toml",
         "application/x-sh", "text/x-shellscript", "text/x-c", "text/x-java",
         "application/sql"),
        ("py", "js", "ts", "tsx", "jsx", "html", "htm", "css", "json", "xml", "yml", "yaml",
         "toml", "sh", "c", "h", "cpp", "hpp", "java", "go", "rs", "rb", "php", "sql", "ini",
         "cfg", "ipynb"),
    ),
    KindRule(
        Kind.DOCUMENTS,
        ("application/pdf", "application/rtf", "text/rtf", "text/plain", "text/markdown",
         "text/csv", "text/x-tex", "application/epub+zip", "application/msword",
         "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
         "application/vnd.openxmlformats-officedocument.*",
         "application/vnd.oasis.opendocument.*"),
        ("pdf", "doc", "docx", "odt", "rtf", "txt", "md", "xls", "xlsx", "ods", "csv", "ppt",
         "pptx", "odp", "epub", "pages", "numbers", "key"),
    ),
    KindRule(
        Kind.INSTALLERS,
        ("application/vnd.debian.binary-package", "application/x-rpm",
         "application/vnd.microsoft.portable-executable", "application/x-msi",
         "application/vnd.android.package-archive"),
        ("deb", "rpm", "msi", "exe", "pkg", "appimage", "apk"),
    ),
    KindRule(
        Kind.ARCHIVES,
        ("application/zip", "application/gzip", "application/x-bzip2", "application/x-xz",
         "application/zstd", "application/x-tar", "application/vnd.rar",
         "application/x-7z-compressed", "application/x-iso9660-image",
         "application/x-apple-diskimage"),
        ("zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz", "zst", "iso", "dmg"),
    ),
    KindRule(Kind.FONTS, ("font",), ("ttf", "otf", "woff", "woff2")),
)  # fmt: skip

#: Every kind a rule can sort into (all but OTHER), in the order they are tried.
SORTED_KINDS: tuple[Kind, ...] = tuple(r.kind for r in KIND_RULES)


@lru_cache(maxsize=4096)
def kind_of(mime: str, extension: str) -> Kind:
    """The kind of a file with this content type and extension (without the dot)."""
    ext = extension.lower()
    for rule in KIND_RULES:
        if ext in rule.extensions or any(mimetype_matches(mime, p) for p in rule.mimetypes):
            return rule.kind
    return Kind.OTHER


def parse_kind(value: str) -> Kind:
    """A kind by name, case-insensitive (``images``, ``Images``); ``ValueError`` if unknown."""
    text = str(value).strip().lower()
    for kind in Kind:
        if kind.value.lower() == text or kind.name.lower() == text:
            return kind
    known = ", ".join(k.value for k in Kind)
    raise ValueError(f"unknown kind {value!r} (known: {known})")


def entry_kind(entry: FileEntry, ctx: FilterContext | None = None) -> Kind:
    """The kind of a scanned entry (its bytes, its planned name), computed once.

    The entry's cache is shared by every rule of a plan, so the bytes are read
    once however many rules, filters and placeholders ask.
    """
    key = "kind:" + entry.name
    cache = entry.cache
    found: Kind | None = cache.get(key)
    if found is None:
        byte_counter, entry_mimetype = _CONTENT or _load_content()
        counter = byte_counter()
        try:
            mime = entry_mimetype(entry, counter)
        finally:
            if ctx is not None:
                ctx.bytes_read += counter.bytes_read
        found = cache[key] = kind_of(mime, entry.extension)
    return found


#: (ByteCounter, entry_mimetype), imported on first use: registering the filter
#: must not load the content modules, and an import statement per file costs.
_CONTENT: tuple[Any, Any] | None = None


def _load_content() -> tuple[Any, Any]:
    global _CONTENT
    from fileorganizer.content.counting import ByteCounter
    from fileorganizer.content.mime import entry_mimetype

    _CONTENT = (ByteCounter, entry_mimetype)
    return _CONTENT


@register_filter
class KindFilter(Filter):
    """Match by kind of file: Images, Audio, Video, Code, Documents, Installers, Archives, Fonts.

    The kind is told by the file's content first (a photo without an extension,
    or a PDF named ``.jpg``, still has the right kind), and by its extension for
    kinds whose content is not distinctive (source code, installers, fonts);
    see the table in the rules reference. Files of no kind are ``Other``.

    A bare ``- kind`` matches every file of a known kind (not ``Other``); a list
    matches those kinds (case-insensitive). Publishes ``{kind}``: the kind's
    name, also its folder in the built-in rules. ``{kind}`` works in every
    template even without this filter.

    ```yaml
    rules:
      - locations: ~/Downloads
        filters:
          - kind
        actions:
          - move: "{kind}/"        # Downloads/Images/, Downloads/Documents/, ...
      - locations: ~/Downloads
        filters:
          - kind: [Images, Video]
        actions:
          - move: ~/Pictures/Inbox/
    ```
    """

    filter_name: ClassVar[str] = "kind"
    kinds: tuple[Kind, ...] = ()

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        return {"kinds": as_list(value)}

    @field_validator("kinds", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> tuple[Kind, ...]:
        return tuple(parse_kind(x) for x in as_list(v))

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        kind = entry_kind(entry, ctx)
        if not self.kinds:
            return result(kind is not _OTHER, kind)
        return result(kind in self.kinds, kind)


_OTHER = Kind.OTHER


@register_placeholder("kind")
def kind_placeholder(entry: FileEntry, ctx: FilterContext) -> Kind:
    """``{kind}`` in any template, decided only when a template uses it."""
    return entry_kind(entry, ctx)
