"""The filter base class, its result and context, and the registry.

Adding a filter is one small module: subclass :class:`Filter`, set
``filter_name``, implement :meth:`Filter.match`, decorate with
:func:`register_filter`, and add it to ``FILTER_MODULES`` (the module is imported when used).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

from fileorganizer._registry import LazyRegistry

if TYPE_CHECKING:
    from fileorganizer.scan import FileEntry


class HashCache(Protocol):
    """A store of full-content hashes keyed by file identity (the history DB)."""

    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        """A cached digest, or None."""

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        """Remember a digest."""


@dataclass
class FilterContext:
    """What a filter may know beyond the entry: the clock, the rule, caches."""

    now: datetime = field(default_factory=datetime.now)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    hash_cache: HashCache | None = None
    rule_name: str = ""
    #: The rule's locations, and which of them are marked as holding originals.
    locations: Sequence[str] = ()
    original_locations: Sequence[str] = ()
    #: Bytes read from user files by content filters (for benchmarks).
    bytes_read: int = 0
    #: The values the rule's earlier filters published for the entry being judged
    #: (``{regex}``, ``{exif}``...): what the ``python`` filter can read.
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FilterResult:
    """Whether an entry passed, and the value the filter publishes as a placeholder."""

    matched: bool
    value: Any = None
    detail: str | None = None


_new = object.__new__
_set_matched = FilterResult.__dict__["matched"].__set__
_set_value = FilterResult.__dict__["value"].__set__
_set_detail = FilterResult.__dict__["detail"].__set__


def result(matched: bool, value: Any = None) -> FilterResult:
    """``FilterResult(matched, value)``, built faster (for filters run on every file).

    The frozen dataclass ``__init__`` sets each field through
    ``object.__setattr__``; this fills the slots directly. The value is the same.
    """
    res = _new(FilterResult)
    _set_matched(res, matched)
    _set_value(res, value)
    _set_detail(res, None)
    return res


class Filter(BaseModel):
    """Base class of every filter. Its docstring is its user documentation.

    Class attributes a subclass sets:

    - ``filter_name``: the key in the rules file (``extension``, ``size``, ...)
    - ``supports_files`` / ``supports_dirs``: which targets it can judge
    - ``needs_all_entries``: ``True`` when :meth:`prepare` must see every entry
      of the rule before any is matched (e.g. ``duplicate``)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    filter_name: ClassVar[str] = ""
    supports_files: ClassVar[bool] = True
    supports_dirs: ClassVar[bool] = False
    needs_all_entries: ClassVar[bool] = False

    @classmethod
    def from_config(cls, value: Any) -> Filter:
        """Build from the YAML value (``None`` for a bare ``- name``).

        Subclasses override :meth:`shorthand` to accept organize-style scalars
        and lists; a mapping is validated as the model's fields.
        """
        if isinstance(value, Mapping):
            return cls.model_validate(dict(value))
        return cls.model_validate(cls.shorthand(value))

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        """Turn a scalar/list/None config value into field values."""
        if value is None:
            return {}
        raise ValueError(f"expected a mapping of options, got {type(value).__name__}")

    def prepare(self, entries: Sequence[FileEntry], ctx: FilterContext) -> None:
        """Look at all entries first (only when ``needs_all_entries``)."""

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        """Judge one entry; publish a value for templates."""
        raise NotImplementedError


class RegexExprFilter(Filter):
    """Shared by filters configured with one regular expression (``expr``).

    Accepts the expression as a bare string (``- regex: '^IMG_'``) and rejects
    one that does not compile, naming the error.
    """

    expr: str

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        """A bare string is the expression."""
        if not isinstance(value, str):
            raise ValueError("expected a regular expression string")
        return {"expr": value}

    @field_validator("expr")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return v


F = TypeVar("F", bound=type[Filter])

#: Where each filter is defined (imported when a rules file first uses it).
FILTER_MODULES = {
    "extension": "names",
    "name": "names",
    "regex": "names",
    "size": "size",
    "lastmodified": "dates",
    "created": "dates",
    "lastaccessed": "dates",
    "empty": "dates",
    "hash": "hash",
    "mimetype": "mimetype",
    "kind": "kind",
    "exif": "exif",
    "filecontent": "filecontent",
    "duplicate": "duplicate",
    "python": "python_code",
    "date_added": "macos",
    "date_lastused": "macos",
    "macos_tags": "macos",
}
#: Where each placeholder computed without its filter is defined.
PLACEHOLDER_MODULES = {
    "size": "size",
    "lastmodified": "dates",
    "created": "dates",
    "lastaccessed": "dates",
    "hash": "hash",
    "mimetype": "mimetype",
    "kind": "kind",
    "exif": "exif",
    "photo_date": "exif",
    "date_added": "macos",
    "date_lastused": "macos",
}

FILTERS: LazyRegistry[type[Filter]] = LazyRegistry("fileorganizer.filters", FILTER_MODULES)


def register_filter(cls: F) -> F:
    """Class decorator: make a filter available under its ``filter_name``."""
    if not cls.filter_name:
        raise TypeError(f"{cls.__name__} has no filter_name")
    FILTERS.register(cls.filter_name, cls)
    return cls


def as_list(value: Any) -> list[Any]:
    """``None`` -> ``[]``, a scalar -> ``[value]``, a list stays."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


Matcher = Callable[["FileEntry", FilterContext], FilterResult]


#: Placeholders available in every template without a filter, computed only
#: when a template uses them (``{hash}``, ``{mimetype}``, ``{photo_date}``...).
LazyPlaceholder = Callable[["FileEntry", FilterContext], Any]
LAZY_PLACEHOLDERS: LazyRegistry[LazyPlaceholder] = LazyRegistry(
    "fileorganizer.filters", PLACEHOLDER_MODULES
)


def register_placeholder(name: str) -> Callable[[LazyPlaceholder], LazyPlaceholder]:
    """Decorator: make ``{name}`` available in templates, computed on demand."""

    def deco(fn: LazyPlaceholder) -> LazyPlaceholder:
        LAZY_PLACEHOLDERS.register(name, fn)
        return fn

    return deco
