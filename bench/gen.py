"""Generate a deterministic, realistic file tree for benchmarks.

The same ``--seed`` (and the same other options) always gives the same tree:
the same relative paths, sizes, contents and modification times. That lets
``bench/run.py`` build a fresh, identical copy for every measurement.

What a tree looks like:

* about 30 extensions (jpg, png, pdf, docx, mp3, mp4, zip, txt, ...), weighted
  roughly like a Downloads or photo folder, a few of them in upper case;
* sizes mostly tiny (8 % empty, about 90 % between 24 B and 4 KiB, skewed
  small, 2.5 % 4 - 32 KiB and 1 in 5,000 between 256 KiB and 4 MiB): about
  2 KiB per file on average, so 200,000 files are about 0.4 GB of data (about
  1 GB on disk with 4 KiB blocks) and generate in seconds;
* content that starts with the format's magic bytes and a unique id (so no two
  non-empty files are equal by accident), followed by seeded random bytes;
* modification times spread over 2017-2024 (UTC), for date-based destinations;
* ``flat`` (every file in OUT) or ``nested`` (files spread over about N/40
  folders up to five levels deep);
* optionally a fraction of duplicates: byte-identical copies of earlier files
  named like ``IMG_00012 (1).jpg``, placed anywhere in the tree.

Every file name is unique in the whole tree, so moving all files into one
folder (by extension or by date) never collides.

Usage::

    python bench/gen.py OUT --files 50000 --layout flat --seed 1 --dupes 0.1
    python bench/gen.py --digest OUT      # hash listing, to compare two trees
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

# (extension, weight, kind). Weights are relative frequencies.
EXTENSIONS: tuple[tuple[str, int, str], ...] = (
    ("jpg", 180, "image"),
    ("jpeg", 20, "image"),
    ("png", 100, "shot"),
    ("gif", 15, "image"),
    ("heic", 30, "image"),
    ("webp", 15, "image"),
    ("svg", 8, "image"),
    ("pdf", 100, "doc"),
    ("docx", 50, "doc"),
    ("doc", 10, "doc"),
    ("xlsx", 30, "doc"),
    ("pptx", 15, "doc"),
    ("odt", 5, "doc"),
    ("txt", 60, "note"),
    ("md", 20, "note"),
    ("csv", 25, "data"),
    ("json", 20, "data"),
    ("html", 15, "data"),
    ("epub", 8, "doc"),
    ("mp3", 50, "audio"),
    ("wav", 8, "audio"),
    ("flac", 8, "audio"),
    ("m4a", 10, "audio"),
    ("mp4", 40, "video"),
    ("mov", 15, "video"),
    ("mkv", 8, "video"),
    ("avi", 4, "video"),
    ("zip", 40, "archive"),
    ("gz", 10, "archive"),
    ("7z", 5, "archive"),
    ("rar", 5, "archive"),
    ("iso", 3, "installer"),
    ("dmg", 5, "installer"),
    ("exe", 8, "installer"),
    ("deb", 3, "installer"),
    ("py", 12, "data"),
)

MAGIC: dict[str, bytes] = {
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "png": b"\x89PNG\r\n\x1a\n",
    "gif": b"GIF89a",
    "heic": b"\x00\x00\x00\x18ftypheic",
    "webp": b"RIFF\x00\x00\x00\x00WEBP",
    "svg": b"<svg xmlns='http://www.w3.org/2000/svg'>",
    "pdf": b"%PDF-1.7\n",
    "docx": b"PK\x03\x04",
    "xlsx": b"PK\x03\x04",
    "pptx": b"PK\x03\x04",
    "odt": b"PK\x03\x04",
    "epub": b"PK\x03\x04",
    "zip": b"PK\x03\x04",
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "mp3": b"ID3\x04\x00",
    "wav": b"RIFF\x00\x00\x00\x00WAVE",
    "flac": b"fLaC",
    "m4a": b"\x00\x00\x00\x20ftypM4A ",
    "mp4": b"\x00\x00\x00\x20ftypisom",
    "mov": b"\x00\x00\x00\x14ftypqt  ",
    "mkv": b"\x1a\x45\xdf\xa3",
    "avi": b"RIFF\x00\x00\x00\x00AVI ",
    "gz": b"\x1f\x8b\x08",
    "7z": b"7z\xbc\xaf\x27\x1c",
    "rar": b"Rar!\x1a\x07\x01\x00",
    "exe": b"MZ",
    "deb": b"!<arch>\n",
    "html": b"<!DOCTYPE html>\n",
    "json": b'{"id": ',
    "py": b"#!/usr/bin/env python3\n",
}

NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "image": ("IMG_{n:05d}", "DSC{n:05d}", "photo-{n}", "Urlaub {n}", "PXL_2021{n:07d}"),
    "shot": ("Screenshot {n}", "Bildschirmfoto {n}", "image ({n})", "diagram_{n}"),
    "doc": ("invoice-{n}", "Report final ({n})", "contract_{n}", "Lebenslauf {n}", "résumé-{n}"),
    "note": ("notes_{n}", "todo {n}", "README-{n}", "meeting-{n}"),
    "data": ("export_{n}", "data-{n}", "page {n}", "script_{n}"),
    "audio": ("track {n}", "Podcast Episode {n}", "voice memo {n}", "01 - Song {n}"),
    "video": ("VID_{n:05d}", "clip-{n}", "Recording {n}", "movie.{n}"),
    "archive": ("backup-{n}", "photos-{n}", "source ({n})", "download_{n}"),
    "installer": ("setup-{n}", "installer_v{n}", "tool-{n}-amd64", "Update {n}"),
}

TOP_DIRS = (
    "Documents",
    "Pictures",
    "Music",
    "Videos",
    "Downloads",
    "Projects",
    "Archive",
    "Desktop",
    "Camera Uploads",
    "Old Stuff",
)
DIR_WORDS = (
    "2019",
    "2020",
    "2021",
    "2022",
    "misc",
    "client",
    "holiday",
    "drafts",
    "scans",
    "taxes",
    "family",
    "work",
    "école",
    "raw",
    "export",
    "backup",
)

MTIME_START = 1483228800  # 2017-01-01T00:00:00Z
MTIME_END = 1735689599  # 2024-12-31T23:59:59Z
POOL_SIZE = 4 * 1024 * 1024 + 65536
UPPERCASE_EXT_FRACTION = 0.03


@dataclass(frozen=True)
class FileSpec:
    """One file to write: where, how big, what content id, when modified."""

    dir_index: int
    name: str
    size: int
    content_id: int
    ext: str
    mtime_ns: int


@dataclass
class TreeStats:
    """What :func:`generate` wrote."""

    files: int
    dirs: int
    bytes: int
    dupes: int
    seconds: float


def _pick_size(rng: random.Random) -> int:
    """A file size: mostly tiny (skewed small), a few medium, very rarely a few MiB."""
    r = rng.random()
    if r < 0.08:
        return 0
    if r < 0.9748:
        return 24 + int(4072 * rng.random() ** 2)
    if r < 0.9998:
        return rng.randint(4097, 32768)
    return rng.randint(256 * 1024, 4 * 1024 * 1024)


def _make_dirs(rng: random.Random, layout: str, files: int) -> list[str]:
    """Relative directory paths ("" is the root), parents before children."""
    if layout == "flat":
        return [""]
    count = max(len(TOP_DIRS), files // 40)
    dirs = ["", *TOP_DIRS]
    depth = {d: 1 for d in TOP_DIRS}
    while len(dirs) < count + 1:
        parent = rng.choice(dirs[1:])
        if depth[parent] >= 5:
            continue
        child = f"{parent}/{rng.choice(DIR_WORDS)}-{len(dirs)}"
        dirs.append(child)
        depth[child] = depth[parent] + 1
    return dirs


def plan_tree(files: int, layout: str, seed: int, dupes: float) -> tuple[list[str], list[FileSpec]]:
    """Decide every directory and file of the tree, without touching the disk."""
    if layout not in ("flat", "nested"):
        raise ValueError(f"layout must be 'flat' or 'nested', not {layout!r}")
    if not 0.0 <= dupes < 1.0:
        raise ValueError("dupes must be in [0, 1)")
    rng = random.Random(seed)
    dirs = _make_dirs(rng, layout, files)
    exts = [e for e, _, _ in EXTENSIONS]
    weights = [w for _, w, _ in EXTENSIONS]
    kinds = {e: k for e, _, k in EXTENSIONS}
    ext_choices = rng.choices(exts, weights=weights, k=files)
    specs: list[FileSpec] = []
    copies: dict[int, int] = {}
    ndirs = len(dirs)
    for n, ext in enumerate(ext_choices):
        dir_index = rng.randrange(ndirs)
        mtime_ns = rng.randint(MTIME_START, MTIME_END) * 1_000_000_000 + rng.randrange(10**9)
        if specs and rng.random() < dupes:
            orig = specs[rng.randrange(len(specs))]
            k = copies.get(orig.content_id, 0) + 1
            copies[orig.content_id] = k
            stem = orig.name.rsplit(".", 1)[0]
            name = f"{stem} ({k}).{orig.ext}"
            specs.append(FileSpec(dir_index, name, orig.size, orig.content_id, orig.ext, mtime_ns))
            continue
        pattern = rng.choice(NAME_PATTERNS[kinds[ext]])
        shown_ext = ext.upper() if rng.random() < UPPERCASE_EXT_FRACTION else ext
        # Every pattern holds n and no pattern's text is another's, so names are unique.
        name = f"{pattern.format(n=n)}.{shown_ext}"
        specs.append(FileSpec(dir_index, name, _pick_size(rng), n, shown_ext, mtime_ns))
    return dirs, specs


def _content(spec: FileSpec, pool: bytes) -> bytes:
    """The bytes of a file: magic, a unique id line, then pool bytes."""
    if spec.size == 0:
        return b""
    head = MAGIC.get(spec.ext.lower(), b"") + b" fo-bench %08d\n" % spec.content_id
    rest = spec.size - len(head)
    if rest <= 0:
        return head[: spec.size]
    offset = (spec.content_id * 7919) % (len(pool) - rest)
    return head + pool[offset : offset + rest]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def generate(
    out: str | os.PathLike[str],
    files: int,
    layout: str = "flat",
    seed: int = 1,
    dupes: float = 0.0,
) -> TreeStats:
    """Write the tree for these options into ``out`` (created; must be empty)."""
    start = time.perf_counter()
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    dirs, specs = plan_tree(files, layout, seed, dupes)
    pool = random.Random(seed ^ 0x5EED).randbytes(POOL_SIZE)
    for rel in dirs[1:]:
        os.mkdir(root / rel)
    by_dir: dict[int, list[FileSpec]] = {}
    for spec in specs:
        by_dir.setdefault(spec.dir_index, []).append(spec)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    total = 0
    for dir_index, dir_specs in by_dir.items():
        dir_fd = os.open(root / dirs[dir_index], os.O_RDONLY | os.O_DIRECTORY)
        try:
            for spec in dir_specs:
                fd = os.open(spec.name, flags, 0o644, dir_fd=dir_fd)
                try:
                    if spec.size:
                        _write_all(fd, _content(spec, pool))
                    os.utime(fd, ns=(spec.mtime_ns, spec.mtime_ns))
                finally:
                    os.close(fd)
                total += spec.size
        finally:
            os.close(dir_fd)
    # Directory mtimes last (creating files changed them), children first.
    dir_rng = random.Random(seed ^ 0xD1D)
    for rel in reversed(dirs):
        t = dir_rng.randint(MTIME_START, MTIME_END) * 1_000_000_000
        os.utime(root / rel if rel else root, ns=(t, t))
    dupe_count = sum(1 for i, s in enumerate(specs) if s.content_id != i)
    return TreeStats(
        files=len(specs),
        dirs=len(dirs) - 1,
        bytes=total,
        dupes=dupe_count,
        seconds=time.perf_counter() - start,
    )


#: The sample corpus of real files (beside the checkout, as for the tests).
CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_files(corpus: str | os.PathLike[str] = CORPUS_DIR) -> list[Path]:
    """The corpus's real files (every format, the camera photos, the broken JPEGs)."""
    root = Path(corpus)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.md")
    if not files:
        raise FileNotFoundError(f"no corpus files under {root}")
    return files


def generate_corpus(
    out: str | os.PathLike[str],
    files: int,
    seed: int = 1,
    corpus: str | os.PathLike[str] = CORPUS_DIR,
) -> TreeStats:
    """A flat folder of ``files`` copies of the corpus's real files, in turn.

    Names are ``<stem>-<n>.<ext>`` (unique, the real extension kept); mtimes are
    spread over 2017-2024 as in :func:`generate`. Copies of one file are
    byte-identical (a duplicate finder would group them).
    """
    start = time.perf_counter()
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    sources = [(p.stem, p.suffix, p.read_bytes()) for p in corpus_files(corpus)]
    rng = random.Random(seed)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    total = 0
    dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for n in range(files):
            stem, suffix, data = sources[n % len(sources)]
            fd = os.open(f"{stem}-{n:06d}{suffix}", flags, 0o644, dir_fd=dir_fd)
            try:
                if data:
                    _write_all(fd, data)
                mtime_ns = rng.randint(MTIME_START, MTIME_END) * 1_000_000_000
                os.utime(fd, ns=(mtime_ns, mtime_ns))
            finally:
                os.close(fd)
            total += len(data)
    finally:
        os.close(dir_fd)
    return TreeStats(files=files, dirs=0, bytes=total, dupes=0, seconds=time.perf_counter() - start)


def tree_digest(root: str | os.PathLike[str], content: bool = True) -> tuple[str, int]:
    """A SHA-256 over (relative path, size, mtime_ns, content hash) of every file.

    Returns the hex digest and the number of files. Two trees with the same
    digest have the same files, names, sizes, times and (with ``content``)
    bytes.
    """
    base = os.fspath(root)
    rows: list[str] = []
    for dirpath, _dirnames, filenames in os.walk(base):
        for name in filenames:
            path = os.path.join(dirpath, name)
            st = os.stat(path)
            digest = ""
            if content:
                with open(path, "rb") as fh:
                    digest = hashlib.file_digest(fh, "sha1").hexdigest()
            rel = os.path.relpath(path, base)
            rows.append(f"{rel}\t{st.st_size}\t{st.st_mtime_ns}\t{digest}")
    rows.sort()
    h = hashlib.sha256()
    for row in rows:
        h.update(row.encode("utf-8", "surrogateescape") + b"\n")
    return h.hexdigest(), len(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="directory to create (must not exist or be empty)")
    parser.add_argument("--files", type=int, default=10_000, help="number of files")
    parser.add_argument("--layout", choices=("flat", "nested"), default="flat")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dupes", type=float, default=0.0, help="fraction of duplicates")
    parser.add_argument(
        "--corpus",
        type=Path,
        nargs="?",
        const=CORPUS_DIR,
        help="copies of the sample corpus's real files instead (flat; default: shared/corpus)",
    )
    parser.add_argument(
        "--digest", action="store_true", help="print the hash listing digest of OUT instead"
    )
    args = parser.parse_args(argv)
    if args.digest:
        digest, count = tree_digest(args.out)
        print(f"{digest}  {count} files  {args.out}")
        return 0
    try:
        if args.corpus:
            stats = generate_corpus(args.out, args.files, args.seed, args.corpus)
        else:
            stats = generate(args.out, args.files, args.layout, args.seed, args.dupes)
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        print(f"gen.py: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(stats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
