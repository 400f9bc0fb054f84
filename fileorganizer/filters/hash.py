"""The ``hash`` filter: a file's content hash as ``{hash}``."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import field_validator

from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    register_filter,
    register_placeholder,
)
from fileorganizer.scan import FileEntry

#: ``fileorganizer.content.hashing.DEFAULT_ALGORITHM``, repeated so that
#: registering the filter imports no content module (a test keeps them equal).
DEFAULT_ALGORITHM = "sha256"


@register_filter
class HashFilter(Filter):
    """Compute a hash of the file's whole content and publish it as ``{hash}``.

    Matches every file it can read. Option: ``algorithm`` (any hashlib name:
    ``sha256`` (default), ``sha1``, ``md5``, ``blake2b``, ...). Full hashes are
    kept in the history database's hash cache, so an unchanged file is read once.
    ``{hash}`` (SHA-256) is also available in every template without this filter.

    ```yaml
    rules:
      - locations: ~/Inbox
        filters:
          - hash: {algorithm: sha256}
        actions:
          - rename: "{hash[:12]}.{extension}"
    ```
    """

    filter_name: ClassVar[str] = "hash"
    algorithm: str = DEFAULT_ALGORITHM

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if isinstance(value, str):
            return {"algorithm": value}
        raise ValueError("expected an algorithm name or a mapping of options")

    @field_validator("algorithm")
    @classmethod
    def _known(cls, v: str) -> str:
        from fileorganizer.content.hashing import check_algorithm

        return check_algorithm(v)

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        return FilterResult(True, entry_hash(entry, ctx, self.algorithm))


def entry_hash(entry: FileEntry, ctx: FilterContext, algorithm: str = DEFAULT_ALGORITHM) -> str:
    """The entry's full hash, through ``entry.cache`` and the context's hash cache."""
    from fileorganizer.content.counting import ByteCounter
    from fileorganizer.content.hashing import cached_hash

    counter = ByteCounter()
    try:
        return cached_hash(entry, algorithm, cache=ctx.hash_cache, counter=counter)
    finally:
        ctx.bytes_read += counter.bytes_read


@register_placeholder("hash")
def hash_placeholder(entry: FileEntry, ctx: FilterContext) -> str:
    """``{hash}`` in any template: the SHA-256 of the content, computed when used."""
    return entry_hash(entry, ctx)
