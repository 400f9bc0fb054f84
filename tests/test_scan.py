"""Scanning: default excludes, partial downloads, depth, and the tool's own files."""

from __future__ import annotations

from pathlib import Path

from fileorganizer.scan import ScanSpec, scan


def names(spec: ScanSpec) -> list[str]:
    return sorted(str(Path(e.path).relative_to(spec.path)) for e in scan(spec))


def test_default_excludes_and_partial_downloads(tmp_path: Path) -> None:
    for n in [
        "a.txt",
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini",
        "~$doc.docx",
        "x.part",
        "y.crdownload",
        "z.download",
        "w.tmp",
        "movie.mkv",
        "movie.mkv.part",
        "ok.zip",
    ]:
        (tmp_path / n).write_text(n)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    assert names(ScanSpec(str(tmp_path), subfolders=True)) == ["a.txt", "ok.zip"]


def test_depth_limits_and_subfolders(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "top.txt").write_text("")
    (tmp_path / "a" / "mid.txt").write_text("")
    (tmp_path / "a" / "b" / "deep.txt").write_text("")
    assert names(ScanSpec(str(tmp_path))) == ["top.txt"]
    assert names(ScanSpec(str(tmp_path), subfolders=True)) == [
        "a/b/deep.txt",
        "a/mid.txt",
        "top.txt",
    ]
    assert names(ScanSpec(str(tmp_path), subfolders=True, max_depth=1)) == ["a/mid.txt", "top.txt"]
    assert names(ScanSpec(str(tmp_path), subfolders=True, min_depth=1)) == [
        "a/b/deep.txt",
        "a/mid.txt",
    ]


def test_excludes_and_include_globs(tmp_path: Path) -> None:
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "s.txt").write_text("")
    for n in ["a.txt", "b.pdf", "c.log"]:
        (tmp_path / n).write_text("")
    spec = ScanSpec(
        str(tmp_path), subfolders=True, exclude_files=("*.log",), exclude_dirs=("skip",)
    )
    assert names(spec) == ["a.txt", "b.pdf"]
    assert names(ScanSpec(str(tmp_path), include=("*.pdf",))) == ["b.pdf"]


def test_the_tools_own_state_is_never_scanned(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.sqlite").write_text("db")
    (tmp_path / "user.txt").write_text("")
    spec = ScanSpec(str(tmp_path), subfolders=True, protected=(str(data),))
    assert names(spec) == ["user.txt"]
    dirs = ScanSpec(str(tmp_path), subfolders=True, targets="dirs", protected=(str(data),))
    assert names(dirs) == []


def test_unreadable_folder_is_reported_not_fatal(tmp_path: Path) -> None:
    errors: list[str] = []
    missing = tmp_path / "gone"
    assert list(scan(ScanSpec(str(missing)), lambda p, e: errors.append(p))) == []
    assert errors == [str(missing)]
