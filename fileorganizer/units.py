"""Sizes as people read them: ``1.5 MB`` (powers of 1000) and ``1.4 MiB`` (of 1024).

No dependencies, so that a command that only prints sizes (``dupes``) loads
nothing else; the ``size`` filter publishes :class:`SizeValue` as ``{size}``.
"""

from __future__ import annotations

from dataclasses import dataclass


def _human(n: int, base: int, units: tuple[str, ...]) -> str:
    """``1 byte``, ``999 bytes``, ``1.5 kB``: as organize writes sizes."""
    if n == 1:
        return "1 byte"
    if n < base:
        return f"{n:,} bytes"
    unit = base
    suffix = units[-1]
    for i, name in enumerate(units, 2):
        unit = base**i
        suffix = name
        if n < unit:
            break
    return f"{base * n / unit:,.1f} {suffix}"


@dataclass(frozen=True, slots=True)
class SizeValue:
    """Published as ``{size}``: ``{size.bytes}``, ``{size.decimal}``, ``{size.binary}``."""

    bytes: int

    @property
    def decimal(self) -> str:
        """E.g. ``1.5 MB``."""
        return _human(self.bytes, 1000, ("kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"))

    @property
    def binary(self) -> str:
        """E.g. ``1.4 MiB``."""
        return _human(self.bytes, 1024, ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"))

    @property
    def traditional(self) -> str:
        """Powers of 1024 with JEDEC names, e.g. ``1.4 MB`` (as organize)."""
        return _human(self.bytes, 1024, ("KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"))

    def __str__(self) -> str:
        return self.decimal
