"""Removing duplicates: which copy is the original, and the plan that trashes or
hard-links the others (pure; applied here by the real executor)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fileorganizer import apply_plan
from fileorganizer.content.duplicates import DuplicateGroup, FileRef, find_duplicates
from fileorganizer.dedupe import DedupeMode, plan_dedupe
from fileorganizer.operations import ConflictMode, Identity, OpKind, OpStatus
from fileorganizer.scan import ScanSpec, scan

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not beside checkout")


def ident(ino: int, dev: int = 1, size: int = 10) -> Identity:
    return Identity(dev=dev, ino=ino, size=size, mtime_ns=5)


def group(original: str, *dups: str, links: dict[str, tuple[str, ...]] | None = None) -> Any:
    links = links or {}
    refs = [FileRef(p, 10, links.get(p, ()), ident(i + 1)) for i, p in enumerate((original, *dups))]
    return DuplicateGroup(digest="d", size=10, original=refs[0], duplicates=tuple(refs[1:]))


def test_trash_plan_removes_every_duplicate_checked_against_its_original() -> None:
    p = plan_dedupe([group("/a/x.jpg", "/b/x (1).jpg", "/c/x copy.jpg")], token="t")
    assert [(op.kind, op.src, op.dst, op.same_as, op.seq) for op in p.operations] == [
        (OpKind.TRASH, "/b/x (1).jpg", None, "/a/x.jpg", 0),
        (OpKind.TRASH, "/c/x copy.jpg", None, "/a/x.jpg", 1),
    ]
    assert [op.identity for op in p.operations] == [ident(2), ident(3)]
    assert [op.op_id for op in p.operations] == ["t00000000", "t00000001"]
    assert all(op.rule == "dupes" and op.check_inode for op in p.operations)
    assert p.entries_seen == 3 and not p.skips


def test_link_plan_trashes_then_links_the_original_into_the_duplicates_place() -> None:
    p = plan_dedupe([group("/a/x.jpg", "/b/y.jpg")], DedupeMode.LINK)
    trash, link = p.operations
    assert (trash.kind, trash.src, trash.same_as, trash.identity) == (
        OpKind.TRASH,
        "/b/y.jpg",
        "/a/x.jpg",
        ident(2),
    )
    assert (link.kind, link.src, link.dst, link.identity) == (
        OpKind.HARDLINK,
        "/a/x.jpg",
        "/b/y.jpg",
        ident(1),
    )
    # if the trash is skipped (the file changed meanwhile), the link must not go beside it
    assert link.on_conflict is ConflictMode.SKIP
    assert [op.seq for op in p.operations] == [0, 1]


def test_every_name_of_a_duplicate_inode_is_handled_and_kept_copies_never() -> None:
    g = group("/a/x", "/b/y", links={"/b/y": ("/c/y-link",), "/a/x": ("/a/x-link",)})
    kept = FileRef("/originals/x", 10, (), ident(9))
    g = DuplicateGroup(g.digest, g.size, g.original, g.duplicates, kept=(kept,))
    p = plan_dedupe([g])
    assert [op.src for op in p.operations] == ["/b/y", "/c/y-link"]
    assert p.entries_seen == 3


def test_a_duplicate_on_another_device_is_not_linked_and_says_why() -> None:
    original = FileRef("/a/x", 10, (), ident(1, dev=1))
    g = DuplicateGroup("d", 10, original, (FileRef("/m/y", 10, (), ident(2, dev=2)),))
    p = plan_dedupe([g], DedupeMode.LINK)
    assert p.operations == []
    assert [(s.path, s.reason) for s in p.skips] == [
        ("/m/y", "on another device than its original /a/x")
    ]
    assert [op.src for op in plan_dedupe([g], DedupeMode.TRASH).operations] == ["/m/y"]


def _pair(root: Path) -> tuple[Path, Path]:
    a, b = root / "keep" / "photo.jpg", root / "other" / "photo copy.jpg"
    a.parent.mkdir(parents=True)
    b.parent.mkdir(parents=True)
    a.write_bytes(b"\xff\xd8\xff" + os.urandom(5000))
    shutil.copyfile(a, b)
    os.utime(a, ns=(10**18, 10**18))
    os.utime(b, ns=(2 * 10**18, 2 * 10**18))
    return a, b


def _groups(root: Path) -> list[DuplicateGroup]:
    return find_duplicates(scan(ScanSpec(str(root), subfolders=True)), detect_original_by="auto")


def test_link_plan_applied_leaves_one_inode_under_both_names(tmp_path: Path) -> None:
    a, b = _pair(tmp_path / "tree")
    p = plan_dedupe(_groups(tmp_path / "tree"), DedupeMode.LINK)
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert [r.status for r in result.results] == [OpStatus.DONE, OpStatus.DONE]
    assert os.stat(a).st_ino == os.stat(b).st_ino
    assert b.read_bytes() == a.read_bytes()
    assert len(list((tmp_path / "trash").rglob("photo copy.jpg"))) == 1


def test_a_duplicate_changed_after_planning_is_neither_trashed_nor_linked(tmp_path: Path) -> None:
    a, b = _pair(tmp_path / "tree")
    p = plan_dedupe(_groups(tmp_path / "tree"), DedupeMode.LINK)
    stat = b.stat()
    b.write_bytes(b"\xff\xd8\xff" + os.urandom(5000))  # same size, new bytes
    os.utime(b, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same times
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert [r.status for r in result.results] == [OpStatus.SKIPPED, OpStatus.SKIPPED]
    assert "no longer identical" in (result.results[0].reason or "")
    assert os.stat(a).st_ino != os.stat(b).st_ino and b.exists()


# --- which one is the original ------------------------------------------------------------


def test_auto_picks_the_oldest_then_the_name_without_a_copy_marker_then_the_shortest_path(
    tmp_path: Path,
) -> None:
    same = b"same bytes" * 100
    names = ["Kopie von photo.jpg", "photo (1).jpg", "deep/er/photo.jpg", "photo.jpg"]
    for n in names:
        (tmp_path / n).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / n).write_bytes(same)
        os.utime(tmp_path / n, ns=(10**18, 10**18))
    (g,) = _groups(tmp_path)
    assert g.original.path == str(tmp_path / "photo.jpg")  # no marker, shortest
    os.utime(tmp_path / "photo (1).jpg", ns=(10**17, 10**17))  # now the oldest
    (g,) = _groups(tmp_path)
    assert g.original.path == str(tmp_path / "photo (1).jpg")


@needs_corpus
def test_dupes_picks_the_real_file_not_its_copy(cli_main: Any, tmp_path: Path) -> None:
    for name, copy in (("jpeg.jpg", "Kopie von jpeg.jpg"), ("zip.zip", "zip-copy.zip")):
        shutil.copy2(CORPUS / "formats" / name, tmp_path / name)
        shutil.copy2(CORPUS / "formats" / name, tmp_path / copy)  # same mtime
    r = cli_main("dupes", str(tmp_path), "--format", "json")
    assert r.code == 0, r.err
    originals = sorted(os.path.basename(g["original"]) for g in json.loads(r.out)["groups"])
    assert originals == ["jpeg.jpg", "zip.zip"]


_NO_XXHASH = r"""
import json, sys
sys.modules["xxhash"] = None  # as if the package were not installed
from fileorganizer.content.duplicates import find_duplicates
from fileorganizer.content.hashing import grouping_algorithm, check_algorithm
groups = find_duplicates(sys.argv[1:])
try:
    check_algorithm("xxh3_128")
    err = ""
except ValueError as exc:
    err = str(exc)
print(json.dumps([grouping_algorithm(), len(groups[0].digest), len(groups), err]))
"""


def test_without_xxhash_duplicates_are_grouped_with_sha256(tmp_path: Path) -> None:
    files = [tmp_path / n for n in ("a", "b", "c")]
    for f in files[:2]:
        f.write_bytes(b"twins" * 5000)
    files[2].write_bytes(b"other" * 5000)
    proc = subprocess.run(
        [sys.executable, "-c", _NO_XXHASH, *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout) == [
        "sha256",
        64,
        1,
        "hash algorithm 'xxh3_128' needs the xxhash package",
    ]


def test_with_xxhash_groups_use_xxh3_128(tmp_path: Path) -> None:
    pytest.importorskip("xxhash")
    for n in ("a", "b"):
        (tmp_path / n).write_bytes(b"twins" * 5000)
    (g,) = find_duplicates([tmp_path / "a", tmp_path / "b"])
    import xxhash

    assert g.digest == xxhash.xxh3_128(b"twins" * 5000).hexdigest()
