"""The walk's order is organize's: natural order per folder, files before folders.

organize (3.3) sorts each folder's entries with natsort's ``os_sorted`` and
yields a folder's files, then its folders, then walks into each folder. The
order decides which file wins when several are aimed at one name.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from natsort import os_sort_keygen

from fileorganizer.natural import _ascii_key, natural_key, sort_names
from fileorganizer.scan import ScanSpec, scan

_NATSORT = os_sort_keygen()

_ascii_names = st.text(
    alphabet=string.ascii_letters + string.digits + " ._-~()[]+",
    min_size=1,
    max_size=14,
).filter(lambda n: n not in (".", ".."))


@settings(max_examples=400, deadline=None)
@given(st.lists(_ascii_names, min_size=2, max_size=12, unique=True))
def test_fast_ascii_key_sorts_like_natsort(names):
    assert sorted(names, key=_ascii_key) == sorted(names, key=_NATSORT)


_any_names = st.text(
    alphabet=st.characters(blacklist_characters="\x00/", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=8,
).filter(lambda n: n not in (".", ".."))


@settings(max_examples=200, deadline=None)
@given(st.lists(_any_names, min_size=2, max_size=8, unique=True))
def test_sort_names_sorts_like_natsort_for_any_names(names):
    got = list(names)
    sort_names(got)
    assert got == sorted(names, key=_NATSORT)


def test_natural_order_examples():
    names = ["img10.jpg", "IMG2.jpg", "img1.jpg", "a.txt", "a-b.txt", "X.txt_Y.TXT", "Ä.txt"]
    got = list(names)
    sort_names(got)
    assert got == sorted(names, key=natural_key)
    assert got.index("img1.jpg") < got.index("IMG2.jpg") < got.index("img10.jpg")


def test_walk_yields_files_then_folders_then_walks_each_folder(tmp_path):
    for rel in ["b10.txt", "b9.txt", "d2/x.txt", "d2/e/y.txt", "d10/z.txt", "A.txt"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(rel)
    files = [
        e.relative_path for e in scan(ScanSpec(str(tmp_path), subfolders=True, targets="files"))
    ]
    assert files == ["A.txt", "b9.txt", "b10.txt", "d2/x.txt", "d2/e/y.txt", "d10/z.txt"]
    dirs = [e.relative_path for e in scan(ScanSpec(str(tmp_path), subfolders=True, targets="dirs"))]
    assert dirs == ["d2", "d10", "d2/e"]
