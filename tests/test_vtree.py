"""The virtual tree answers 'exists?' as if the plan so far were applied."""

from __future__ import annotations

from pathlib import Path

from fileorganizer.vtree import VirtualTree


def test_added_and_removed_entries(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    vt = VirtualTree()
    assert vt.exists(str(tmp_path / "a.txt"))
    vt.remove(str(tmp_path / "a.txt"))
    assert not vt.exists(str(tmp_path / "a.txt")) and vt.is_removed(str(tmp_path / "a.txt"))
    vt.add(str(tmp_path / "new" / "deep" / "b.txt"), str(tmp_path / "a.txt"))
    assert vt.exists(str(tmp_path / "new"))
    assert vt.exists(str(tmp_path / "new" / "deep"))
    assert vt.exists(str(tmp_path / "new" / "deep" / "b.txt"))
    vt.add(str(tmp_path / "new" / "deep" / "c.txt"), str(tmp_path / "c.txt"))
    assert vt.exists(str(tmp_path / "new" / "deep" / "c.txt"))


def test_removing_a_planned_folder_forgets_what_is_inside(tmp_path: Path) -> None:
    vt = VirtualTree()
    vt.add(str(tmp_path / "d" / "x.txt"), "/elsewhere/x.txt")
    vt.remove(str(tmp_path / "d"), is_dir=True)
    assert not vt.exists(str(tmp_path / "d"))
    vt.add(str(tmp_path / "d" / "y.txt"), "/elsewhere/y.txt")
    assert vt.exists(str(tmp_path / "d")), "the folder is planned again for the new file"
    assert vt.exists(str(tmp_path / "d" / "y.txt"))


def test_added_under_respects_depth(tmp_path: Path) -> None:
    vt = VirtualTree()
    vt.add(str(tmp_path / "top.txt"), "/r/1")
    vt.add(str(tmp_path / "a" / "mid.txt"), "/r/2")
    vt.add(str(tmp_path / "a" / "b" / "deep.txt"), "/r/3")
    names = [Path(p).name for p, _ in vt.added_under(str(tmp_path), 0)]
    assert names == ["top.txt"]
    assert len(vt.added_under(str(tmp_path), None)) == 3


def test_split_of_normal_paths_matches_os_path_split() -> None:
    import os

    from fileorganizer.vtree import _split, norm

    for p in ["/", "/a", "/a/b", "a", "a/b", "/a/b/c.txt", ".", "..", "../a", "//a", "//a/b"]:
        q = norm(p)
        assert _split(q) == os.path.split(q), p
