"""A registry whose entries are imported on first use (filters, actions, placeholders).

The names are known up front (from a table: name -> the module that defines
it), so listing them, checking a name or suggesting one costs no import; the
module is imported when an entry is first looked up, and registers itself.
Loading a rules file then imports only the filters and actions it uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TypeVar

V = TypeVar("V")


class LazyRegistry(Mapping[str, V]):
    """``name -> value``, each value registered by its module when that is imported."""

    def __init__(self, package: str, where: Mapping[str, str]) -> None:
        self._package = package
        #: name -> the module (under ``package``) that registers it
        self.where = dict(where)
        self._loaded: dict[str, V] = {}

    def register(self, name: str, value: V) -> None:
        """Record ``value`` under ``name`` (called by the module that defines it)."""
        self._loaded[name] = value

    def __getitem__(self, name: str) -> V:
        got = self._loaded.get(name)
        if got is not None:
            return got
        module = self.where.get(name)
        if module is None:
            raise KeyError(name)
        importlib.import_module(f"{self._package}.{module}")
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self.where or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        yield from self.where
        yield from (n for n in self._loaded if n not in self.where)

    def __len__(self) -> int:
        return len(self.where) + sum(1 for n in self._loaded if n not in self.where)

    def load_all(self) -> None:
        """Import every module (for documentation and tests)."""
        for name in list(self.where):
            self[name]
