"""Sizes as people read them: ``1.5 MB`` (powers of 1000) and ``1.4 MiB`` (of 1024).

No dependencies, so that a command that only prints sizes (``dupes``) loads
nothing else; the ``size`` filter publishes :class:`SizeValue` as ``{size}``.
"""

from __future__ import annotations

from dataclasses import dataclass


def _human(n: int, base: int, units: tuple[str, ...]) -> str:
    value = float(n)
    for unit in units:
        if abs(value) < base or unit == units[-1]:
            return f"{value:.0f} {unit}" if unit == units[0] else f"{value:.1f} {unit}"
        value /= base
    return f"{n} B"  # pragma: no cover


@dataclass(frozen=True, slots=True)
class SizeValue:
    """Published as ``{size}``: ``{size.bytes}``, ``{size.decimal}``, ``{size.binary}``."""

    bytes: int

    @property
    def decimal(self) -> str:
        """E.g. ``1.5 MB``."""
        return _human(self.bytes, 1000, ("B", "kB", "MB", "GB", "TB", "PB"))

    @property
    def binary(self) -> str:
        """E.g. ``1.4 MiB``."""
        return _human(self.bytes, 1024, ("B", "KiB", "MiB", "GiB", "TiB", "PiB"))

    def __str__(self) -> str:
        return self.decimal
