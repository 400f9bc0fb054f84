"""Filters: one small module per family, registered by name in :data:`FILTERS`.

A filter's module is imported when a rules file first uses it (``FILTERS`` is a
:class:`~fileorganizer._registry.LazyRegistry`).
"""

from fileorganizer.filters.base import (
    FILTERS,
    LAZY_PLACEHOLDERS,
    Filter,
    FilterContext,
    FilterResult,
    register_filter,
    register_placeholder,
)

__all__ = [
    "FILTERS",
    "LAZY_PLACEHOLDERS",
    "Filter",
    "FilterContext",
    "FilterResult",
    "register_filter",
    "register_placeholder",
]
