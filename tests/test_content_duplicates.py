"""Duplicate finding on generated trees: exact groups, reads avoided, hard links, empties."""

from __future__ import annotations

import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fileorganizer.content import duplicates as dup_mod
from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.duplicates import (
    DuplicateGroup,
    find_duplicates,
    parse_detect_original_by,
    same_bytes,
)
from fileorganizer.content.hashing import PARTIAL_BLOCK
from fileorganizer.scan import FileEntry, ScanSpec, scan


class DictHashCache:
    """A HashCache backed by a dict."""

    def __init__(self) -> None:
        self.data: dict[tuple[int, int, int, int, str], str] = {}

    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        return self.data.get((dev, ino, size, mtime_ns, algo))

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        self.data[(dev, ino, size, mtime_ns, algo)] = digest


@dataclass
class Tree:
    root: Path
    #: Expected groups: each a set of inodes, each inode the set of its paths.
    groups: set[frozenset[frozenset[str]]] = field(default_factory=set)
    unique_size: set[str] = field(default_factory=set)
    empties: list[str] = field(default_factory=list)
    hardlinks: list[tuple[str, str]] = field(default_factory=list)


def build_tree(root: Path, n: int = 300, seed: int = 5) -> Tree:
    """A tree with 10% exact duplicates, last-byte and middle-byte near twins,
    hard links and empty files; returns what a correct finder must report."""
    rng = random.Random(seed)
    tree = Tree(root)
    for d in ("a", "b", "c/deep"):
        (root / d).mkdir(parents=True, exist_ok=True)
    sizes = [1, 100, 4096, 8192, 8193, 20_000, 70_000]  # few sizes: many same-size files
    originals: list[Path] = []
    for i in range(n):
        size = rng.choice(sizes)
        p = root / rng.choice(("a", "b", "c/deep")) / f"file{i:04d}.bin"
        # a unique 8-byte tag at both ends keeps unrelated same-size files distinct
        tag = i.to_bytes(8, "little")
        body = (tag + rng.randbytes(max(size - 16, 0)) + tag)[:size] if size >= 16 else tag[:size]
        p.write_bytes(body)
        originals.append(p)
    # 10% exact duplicates (some files copied twice)
    copies: dict[Path, list[Path]] = defaultdict(list)
    for k, src in enumerate(rng.sample(originals, n // 10)):
        for j in range(1 + (k % 3 == 0)):
            dst = root / rng.choice(("a", "b", "c/deep")) / f"copy{k:03d}_{j}.bin"
            dst.write_bytes(src.read_bytes())
            copies[src].append(dst)
    # near twins: same size, differing only in the last byte (small and large)
    for k, size in enumerate([10, 5000, 8192, 8193, 50_000]):
        data = bytearray(rng.randbytes(size))
        (root / "a" / f"last{k}_x.bin").write_bytes(bytes(data))
        data[-1] ^= 0xFF
        (root / "b" / f"last{k}_y.bin").write_bytes(bytes(data))
    # near twins: same head and tail, differing only in the middle (needs the full hash)
    for k, size in enumerate([3 * PARTIAL_BLOCK, 200_000]):
        data = bytearray(rng.randbytes(size))
        (root / "a" / f"mid{k}_x.bin").write_bytes(bytes(data))
        data[size // 2] ^= 0xFF
        (root / "b" / f"mid{k}_y.bin").write_bytes(bytes(data))
    # hard links: to unique files (no group) and to a duplicated file (a link, not a dupe)
    linked_dupe = next(iter(copies))
    for k, src in enumerate([*rng.sample([p for p in originals if p not in copies], 4)]):
        link = root / "c" / f"hardlink{k}.bin"
        os.link(src, link)
        tree.hardlinks.append((str(src), str(link)))
    dupe_link = root / "c" / "hardlink_of_dupe.bin"
    os.link(linked_dupe, dupe_link)
    # empty files
    for k in range(5):
        e = root / ("a", "b", "c")[k % 3] / f"empty{k}.txt"
        e.write_bytes(b"")
        tree.empties.append(str(e))
    # expected groups
    for src, dsts in copies.items():
        members = [frozenset({str(src)} | ({str(dupe_link)} if src == linked_dupe else set()))]
        members += [frozenset({str(d)}) for d in dsts]
        tree.groups.add(frozenset(members))
    # files whose size no other inode shares
    by_size: dict[int, set[tuple[int, int]]] = defaultdict(set)
    paths_by_size: dict[int, list[str]] = defaultdict(list)
    for p in root.rglob("*"):
        if p.is_file():
            st = p.stat()
            by_size[st.st_size].add((st.st_dev, st.st_ino))
            paths_by_size[st.st_size].append(str(p))
    tree.unique_size = {p for s, ps in paths_by_size.items() if len(by_size[s]) == 1 for p in ps}
    return tree


def entries_of(root: Path) -> list[FileEntry]:
    return list(scan(ScanSpec(str(root), subfolders=True)))


def shape(groups: list[DuplicateGroup]) -> set[frozenset[frozenset[str]]]:
    return {
        frozenset(frozenset(m.paths) for m in (g.original, *g.kept, *g.duplicates)) for g in groups
    }


def brute_force_groups(root: Path) -> set[frozenset[frozenset[str]]]:
    """The oracle: read every non-empty file whole and group by (bytes, inode)."""
    by_content: dict[bytes, dict[tuple[int, int], set[str]]] = defaultdict(lambda: defaultdict(set))
    for p in root.rglob("*"):
        if p.is_file() and p.stat().st_size:
            st = p.stat()
            by_content[p.read_bytes()][(st.st_dev, st.st_ino)].add(str(p))
    return {
        frozenset(frozenset(paths) for paths in inodes.values())
        for inodes in by_content.values()
        if len(inodes) > 1
    }


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return build_tree(tmp_path / "tree")


def test_groups_are_exactly_the_duplicated_files(tree: Tree) -> None:
    found = find_duplicates(entries_of(tree.root))
    assert len(tree.groups) == 30
    assert shape(found) == tree.groups
    assert shape(found) == brute_force_groups(tree.root)
    for g in found:
        assert all(same_bytes(g.original.path, d.path) for d in g.duplicates)
        assert g.wasted_bytes == g.size * len(g.duplicates)


def test_same_size_near_twins_are_not_duplicates(tree: Tree) -> None:
    found_paths = {p for g in shape(find_duplicates(entries_of(tree.root))) for m in g for p in m}
    assert not any(("last" in p or "mid" in p) for p in found_paths)


def test_hard_links_are_not_duplicates_of_each_other(tree: Tree) -> None:
    found = find_duplicates(entries_of(tree.root))
    in_groups = {p for g in shape(found) for m in g for p in m}
    for src, link in tree.hardlinks:
        assert src not in in_groups and link not in in_groups
    only_links = find_duplicates([FileEntry(p, "") for pair in tree.hardlinks for p in pair])
    assert only_links == []
    linked = next(g for g in found if any(m.links for m in (g.original, *g.duplicates)))
    assert len(linked.duplicates) + 1 + len(linked.kept) >= 2


def test_empty_files_are_reported_only_when_asked(tree: Tree) -> None:
    entries = entries_of(tree.root)
    assert not any(g.size == 0 for g in find_duplicates(entries))
    with_empty = [g for g in find_duplicates(entries, include_empty=True) if g.size == 0]
    assert len(with_empty) == 1
    group = with_empty[0]
    assert {group.original.path, *(d.path for d in group.duplicates)} == set(tree.empties)
    assert group.wasted_bytes == 0


def test_files_with_a_unique_size_are_never_read(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_partial, real_full = dup_mod.partial_hash, dup_mod.hash_file

    def partial(path: str, *a: object, **k: object) -> tuple[str, bool]:
        opened.append(os.fspath(path))
        return real_partial(path, *a, **k)  # type: ignore[arg-type]

    def full(path: str, *a: object, **k: object) -> str:
        opened.append(os.fspath(path))
        return real_full(path, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(dup_mod, "partial_hash", partial)
    monkeypatch.setattr(dup_mod, "hash_file", full)
    # a few files with sizes no one else has
    for k, size in enumerate([3, 333, 33_333]):
        (tree.root / f"unique{k}").write_bytes(b"u" * size)
        tree.unique_size.add(str(tree.root / f"unique{k}"))
    find_duplicates(entries_of(tree.root))
    assert opened
    assert not set(opened) & tree.unique_size
    assert not set(opened) & set(tree.empties)


def test_full_hash_only_where_head_and_tail_collide(tree: Tree) -> None:
    counter = ByteCounter()
    find_duplicates(entries_of(tree.root), counter=counter)
    total = sum(p.stat().st_size for p in tree.root.rglob("*") if p.is_file())
    assert 0 < counter.bytes_read < total


def test_second_run_with_a_cache_reads_no_large_file_again(tmp_path: Path) -> None:
    big = dup_mod.CACHE_MIN_SIZE + 1
    body = bytearray(random.Random(1).randbytes(big))
    (tmp_path / "a.bin").write_bytes(bytes(body))
    (tmp_path / "b.bin").write_bytes(bytes(body))
    body[big // 2] ^= 1  # same head and tail: only a full hash tells it apart
    (tmp_path / "c.bin").write_bytes(bytes(body))
    for name in ("s1.txt", "s2.txt"):
        (tmp_path / name).write_bytes(b"small and equal")
    cache = DictHashCache()
    first = ByteCounter()
    groups = find_duplicates(entries_of(tmp_path), cache=cache, counter=first)
    assert first.bytes_read > 3 * big
    second = ByteCounter()
    again = find_duplicates(entries_of(tmp_path), cache=cache, counter=second)
    # small files, heads and tails are read again (cheaper than a look-up); the full
    # hashes of the large ones come from the cache
    assert second.bytes_read == 2 * len(b"small and equal") + 3 * 2 * PARTIAL_BLOCK
    assert shape(again) == shape(groups)
    assert len(groups) == 2


def test_small_files_never_touch_the_cache(tree: Tree) -> None:
    cache = DictHashCache()
    find_duplicates(entries_of(tree.root), cache=cache)
    assert cache.data == {}


def test_changed_file_is_reread_and_regrouped(tree: Tree) -> None:
    cache = DictHashCache()
    groups = find_duplicates(entries_of(tree.root), cache=cache)
    victim = groups[0].duplicates[0].path
    data = bytearray(Path(victim).read_bytes())
    data[0] ^= 1
    Path(victim).write_bytes(bytes(data))
    counter = ByteCounter()
    again = find_duplicates(entries_of(tree.root), cache=cache, counter=counter)
    assert counter.bytes_read > 0
    assert shape(again) == brute_force_groups(tree.root)


def _three_copies(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "b_mid.txt", tmp_path / "c_new.txt", tmp_path / "a_old.txt"]
    for k, p in enumerate(paths):
        p.write_bytes(b"same content" * 100)
        os.utime(p, ns=(0, (k + 1) * 10**9 * 1000))
    return paths


@pytest.mark.parametrize(
    ("how", "original"),
    [
        ("first_seen", "b_mid.txt"),
        ("-first_seen", "a_old.txt"),
        ("name", "a_old.txt"),
        ("-name", "c_new.txt"),
        ("lastmodified", "b_mid.txt"),
        ("-lastmodified", "a_old.txt"),
    ],
)
def test_detect_original_by(tmp_path: Path, how: str, original: str) -> None:
    paths = _three_copies(tmp_path)
    [group] = find_duplicates([str(p) for p in paths], detect_original_by=how)
    assert Path(group.original.path).name == original
    assert len(group.duplicates) == 2


def test_detect_original_by_created_uses_birth_or_change_time(tmp_path: Path) -> None:
    first = tmp_path / "z_first"
    first.write_bytes(b"x" * 10)
    os.utime(first, (0, 0))  # an old mtime does not make it "created" first
    later = tmp_path / "a_later"
    later.write_bytes(b"x" * 10)
    later.chmod(0o644)
    [g] = find_duplicates([str(later), str(first)], detect_original_by="created")
    [r] = find_duplicates([str(later), str(first)], detect_original_by="-created")
    assert g.original.path != r.original.path


def test_originals_location_always_wins_and_is_never_a_duplicate(tmp_path: Path) -> None:
    keep, inbox = tmp_path / "keep", tmp_path / "inbox"
    keep.mkdir()
    inbox.mkdir()
    for p in (inbox / "a.jpg", keep / "z1.jpg", keep / "z2.jpg", inbox / "b.jpg"):
        p.write_bytes(b"photo" * 1000)
    entries = entries_of(inbox) + entries_of(keep)
    [g] = find_duplicates(entries, detect_original_by="name", original_locations=[str(keep)])
    assert g.original.path == str(keep / "z1.jpg")
    assert [k.path for k in g.kept] == [str(keep / "z2.jpg")]
    assert sorted(d.path for d in g.duplicates) == [str(inbox / "a.jpg"), str(inbox / "b.jpg")]


def test_symlinks_and_vanished_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"data" * 10)
    (tmp_path / "b").write_bytes(b"data" * 10)
    (tmp_path / "link").symlink_to(tmp_path / "a")
    paths = [str(tmp_path / n) for n in ("a", "b", "link", "gone")]
    [g] = find_duplicates(paths)
    assert {g.original.path, g.duplicates[0].path} == {paths[0], paths[1]}


def test_bad_detect_original_by() -> None:
    assert parse_detect_original_by("-created") == ("created", True)
    with pytest.raises(ValueError):
        parse_detect_original_by("size")


def test_group_to_dict(tmp_path: Path) -> None:
    paths = _three_copies(tmp_path)
    [g] = find_duplicates([str(p) for p in paths])
    d = g.to_dict()
    assert d["count"] == 3 and d["wasted_bytes"] == 2 * 1200
    assert d["original"] == str(paths[0])
