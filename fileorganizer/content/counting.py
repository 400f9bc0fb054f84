"""A counter of bytes read from user files, shared by the content functions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ByteCounter:
    """How many bytes (and files) the content functions read; for benchmarks and tests."""

    bytes_read: int = 0
    files_opened: int = 0

    def add(self, n: int) -> None:
        """Count ``n`` more bytes read."""
        self.bytes_read += n
