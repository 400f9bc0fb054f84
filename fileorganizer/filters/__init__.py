"""Filters: one small module per family, registered by name in :data:`FILTERS`."""

from fileorganizer.filters import (  # noqa: F401  (importing registers them)
    dates,
    duplicate,
    exif,
    filecontent,
    hash,
    kind,
    macos,
    mimetype,
    names,
    python_code,
    size,
)
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
