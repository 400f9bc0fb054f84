"""The ``duplicate`` filter: files whose content equals another file's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import PrivateAttr, field_validator

from fileorganizer.filters.base import Filter, FilterContext, FilterResult, register_filter
from fileorganizer.scan import FileEntry

if TYPE_CHECKING:
    from fileorganizer.content.duplicates import DuplicateGroup


@dataclass(frozen=True)
class DuplicateValue:
    """What ``{duplicate}`` publishes for a duplicate file."""

    #: The file this one duplicates (``{duplicate.original}``, ``{duplicate.original.name}``).
    original: PurePosixPath
    #: The content hash shared by the group.
    digest: str
    #: Files (inodes) in the group, the original included.
    count: int
    size: int

    def __str__(self) -> str:
        return str(self.original)


@register_filter
class DuplicateFilter(Filter):
    """Match files whose content is identical to another file in the rule's locations.

    In each group of identical files one is the *original* and does not match;
    the others match. Files are compared by size, then by a hash of their first
    and last 4 KiB, then by a full hash, so a file whose size is unique is never
    read. Hard links to one file are not duplicates of each other; empty files
    are ignored unless ``include_empty: true``. Before a duplicate is removed the
    tool checks again, byte for byte, that it still equals its original.

    Options:

    - ``detect_original_by``: ``first_seen`` (default: the first found in the
      order of locations), ``name`` (alphabetically first name), ``created``
      (oldest), ``lastmodified`` (least recently modified), ``auto`` (what
      ``fileorganizer dupes`` uses: the oldest modification time, then a name
      without a copy marker such as ``copy``, ``Kopie``, ``copie`` or ``(1)``,
      then the shortest path); prefix ``-`` to reverse (``-created``: the newest
      is the original). A file in a location marked ``original: true`` always
      wins, and files there never match.
    - ``hash_algorithm``: the hash that groups files (default: XXH3-128 when the
      ``xxhash`` package is installed, else ``sha256``; any hashlib name works).
    - ``include_empty``: also group empty files (default false).

    Publishes ``{duplicate.original}`` (the original's path), ``{duplicate.digest}``
    and ``{duplicate.count}``.

    ```yaml
    rules:
      - locations:
          - path: ~/Pictures
            original: true
          - ~/Downloads
        subfolders: true
        filters:
          - duplicate: {detect_original_by: -created}
        actions:
          - trash
    ```
    """

    filter_name: ClassVar[str] = "duplicate"
    needs_all_entries: ClassVar[bool] = True
    detect_original_by: str = "first_seen"
    hash_algorithm: str | None = None
    include_empty: bool = False
    _found: dict[str, DuplicateGroup] = PrivateAttr(default_factory=dict)

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if isinstance(value, str):
            return {"detect_original_by": value}
        raise ValueError("expected a detect_original_by value or a mapping of options")

    @field_validator("detect_original_by")
    @classmethod
    def _valid_key(cls, v: str) -> str:
        from fileorganizer.content.duplicates import parse_detect_original_by

        parse_detect_original_by(v)
        return v.strip()

    @field_validator("hash_algorithm")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        from fileorganizer.content.hashing import check_algorithm

        return None if v is None else check_algorithm(v)

    def prepare(self, entries: Sequence[FileEntry], ctx: FilterContext) -> None:
        """Find the duplicate groups among all the rule's entries."""
        from fileorganizer.content.counting import ByteCounter
        from fileorganizer.content.duplicates import find_duplicates

        counter = ByteCounter()
        try:
            groups = find_duplicates(
                entries,
                algorithm=self.hash_algorithm,
                detect_original_by=self.detect_original_by,
                original_locations=ctx.original_locations,
                include_empty=self.include_empty,
                cache=ctx.hash_cache,
                counter=counter,
            )
        finally:
            ctx.bytes_read += counter.bytes_read
        found: dict[str, DuplicateGroup] = {}
        for group in groups:
            for dup in group.duplicates:
                for path in dup.paths:
                    found[path] = group
        self._found.clear()
        self._found.update(found)

    @property
    def groups(self) -> list[DuplicateGroup]:
        """The groups found by the last :meth:`prepare` (that have duplicates)."""
        unique = {id(g): g for g in self._found.values()}
        return list(unique.values())

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        group = self._found.get(entry.path)
        if group is None:
            return FilterResult(False, None)
        value = DuplicateValue(
            original=PurePosixPath(group.original.path),
            digest=group.digest,
            count=group.count,
            size=group.size,
        )
        return FilterResult(True, value, detail=f"duplicate of {group.original.path}")
