"""The planner's per-rendering caches give the same answers as rendering afresh."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import PurePosixPath

import pytest

from fileorganizer.errors import UnsafePathError
from fileorganizer.filters.dates import LastModifiedFilter
from fileorganizer.templates import Template


def test_fast_template_reuses_checked_path() -> None:
    t = Template("/out/{d.year}/{d.month}/")
    first = t.render_path({"d": datetime(2021, 3, 4)})
    again = t.render_path({"d": datetime(2021, 3, 9, 12)})
    assert first == "/out/2021/3/"
    assert again is first


def test_fast_template_checks_are_not_skipped_by_the_cache() -> None:
    t = Template("{p}/x")
    assert t.render_path({"p": PurePosixPath("/abs")}) == "/abs/x"
    for _ in range(2):
        with pytest.raises(UnsafePathError):
            t.render_path({"p": ""})
    # a value that renders the same text as a path value passes the same checks
    assert t.render_path({"p": "a"}) == "a/x"


def test_dates_age_is_computed_once() -> None:
    f = LastModifiedFilter(days=2, hours=1)
    assert f._age == timedelta(days=2, hours=1)
    assert f._age is f._age
    assert LastModifiedFilter()._age is None
    assert f == LastModifiedFilter(days=2, hours=1)
