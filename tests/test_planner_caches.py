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


def test_operation_planned_is_an_ordinary_operation() -> None:
    import dataclasses
    import os
    import pickle

    from fileorganizer.operations import ConflictMode, Identity, Operation, OpKind

    # Operation.planned sets every field: a new field must be added there too
    assert [f.name for f in dataclasses.fields(Operation)] == [
        "kind",
        "src",
        "dst",
        "rule",
        "rule_index",
        "action",
        "seq",
        "op_id",
        "identity",
        "check_inode",
        "on_conflict",
        "rename_template",
        "message",
        "note",
        "same_as",
        "reverses",
        "after",
        "payload",
    ]
    st = os.lstat(os.curdir)
    ident = Identity.from_stat(st)
    assert ident == Identity(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    fast = Operation.planned(
        OpKind.MOVE,
        "/a",
        "/b",
        "r",
        1,
        "move",
        3,
        "id",
        ident,
        False,
        ConflictMode.SKIP,
        "{counter}",
    )
    slow = Operation(
        kind=OpKind.MOVE,
        src="/a",
        dst="/b",
        rule="r",
        rule_index=1,
        action="move",
        seq=3,
        op_id="id",
        identity=ident,
        check_inode=False,
        on_conflict=ConflictMode.SKIP,
        rename_template="{counter}",
    )
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert dataclasses.replace(fast, seq=4) == dataclasses.replace(slow, seq=4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.seq = 5  # type: ignore[misc]


def test_split_name_matches_splitext() -> None:
    import os

    from fileorganizer.scan import split_name

    names = ["a.pdf", "a.b.c", ".bashrc", ".a.b", "..a", "..a.b", "a.", "...", "..", ".", ""]
    names += ["noext", "a..b", "x/y.z", "x/.y", "d.d/e", "tar.gz.", " .x", "é.txt"]
    for name in names:
        assert split_name(name) == os.path.splitext(name), name
