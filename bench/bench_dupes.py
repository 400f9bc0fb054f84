"""Benchmark: duplicate finding, beside a raw baseline and Debian's duplicate finders.

Two generated trees:

- ``small``: ``--small-count`` files (default 20,000) of 0-64 KiB, 10% exact
  duplicates, same-size files that differ only in their last byte, hard links
  and empty files;
- ``large``: about ``--large-gb`` GiB (default 4) of files of 16-128 MiB, 10%
  exact duplicates, same-size files that differ only in the middle.

For each tree, in one run:

- ``raw``: walk and sha256 every byte (the naive finder's floor);
- ``fileorganizer dupes``: the command, as a user runs it (``python -m
  fileorganizer dupes ROOT --format json``, start-up included), with a fresh
  history database; then ``(2nd run)`` with the hashes it kept;
- ``fileorganizer (library)``: ``scan`` + ``content.duplicates.find_duplicates``
  in this process, no cache;
- ``jdupes`` / ``rdfind`` / ``fdupes`` when installed (``apt-get install jdupes
  rdfind fdupes``), else skipped with a message.

Reports seconds (wall; CPU seconds of the process and its children for the
commands), bytes read (our own counter; for external tools, the ``rchar`` of
a wrapping shell from ``/proc/PID/io``, which includes its waited-for
children) and the groups found, and checks that every tool found the same
groups: each group as the set of inodes it names (so a tool that lists every
hard link of a file and one that lists one name agree). All tools see the same warm page cache (the
generator just wrote the files); ``--drop-caches`` tries to drop it before
each measurement (needs root).

    python bench/bench_dupes.py                      # under a minute (warm cache)
    python bench/bench_dupes.py --large-gb 6 --tools jdupes,rdfind,fdupes
    python bench/bench_dupes.py --small-count 2000 --large-gb 0.2   # smoke
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.duplicates import find_duplicates
from fileorganizer.scan import ScanSpec, scan

MiB = 1024 * 1024


@dataclass
class Row:
    tree: str
    tool: str
    seconds: float | None
    bytes_read: int | None
    groups: int | None
    dupes: int | None
    note: str = ""
    cpu_seconds: float | None = None
    #: the groups, each as the set of (dev, ino) it names (not in the JSON)
    inode_groups: frozenset[frozenset[tuple[int, int]]] | None = field(default=None, repr=False)


def inode_groups(groups: list[list[str]]) -> frozenset[frozenset[tuple[int, int]]]:
    """Groups of paths -> groups of inodes; a group of one inode (hard links) is dropped."""
    out = set()
    for paths in groups:
        inodes = set()
        for p in paths:
            try:
                st = os.lstat(p)
            except OSError:
                continue
            inodes.add((st.st_dev, st.st_ino))
        if len(inodes) > 1:
            out.add(frozenset(inodes))
    return frozenset(out)


class DictHashCache:
    """The history DB's hash cache, in memory."""

    def __init__(self) -> None:
        self.data: dict[tuple[int, int, int, int, str], str] = {}

    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        return self.data.get((dev, ino, size, mtime_ns, algo))

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        self.data[(dev, ino, size, mtime_ns, algo)] = digest


# --- generating -------------------------------------------------------------------------


def gen_small(root: Path, count: int, seed: int = 1) -> int:
    """``count`` small files; returns the total bytes written."""
    rng = random.Random(seed)
    dirs = [root / f"d{i:02d}" for i in range(40)]
    for d in dirs:
        d.mkdir(parents=True)
    block = rng.randbytes(64 * 1024)
    written: list[Path] = []
    total = 0
    n_unique = int(count * 0.86)
    for i in range(n_unique):
        size = min(int(rng.lognormvariate(8.5, 1.5)), 64 * 1024)
        tag = i.to_bytes(8, "little")
        data = (tag + block[: max(size - 16, 0)] + tag)[:size]
        p = dirs[i % len(dirs)] / f"f{i:06d}.bin"
        p.write_bytes(data)
        written.append(p)
        total += size
    i = n_unique
    for src in rng.sample(written, count // 10):  # 10% exact duplicates
        p = dirs[i % len(dirs)] / f"copy{i:06d}.bin"
        data = src.read_bytes()
        p.write_bytes(data)
        total += len(data)
        i += 1
    for k in range(count // 50):  # same size, last byte differs
        src = written[k]
        data = bytearray(src.read_bytes() or b"\x00")
        data[-1] ^= 0xFF
        p = dirs[i % len(dirs)] / f"twin{i:06d}.bin"
        p.write_bytes(bytes(data))
        total += len(data)
        i += 1
    for k in range(count // 100):  # hard links
        os.link(written[-1 - k], dirs[k % len(dirs)] / f"link{k:06d}.bin")
    for k in range(count - i - count // 100):  # empty files fill up the count
        (dirs[k % len(dirs)] / f"empty{k:06d}").write_bytes(b"")
    return total


def gen_large(root: Path, gib: float, seed: int = 2) -> int:
    """About ``gib`` GiB of 16-128 MiB files; returns the total bytes written."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    chunk = rng.randbytes(MiB)
    budget = int(gib * 1024 * MiB)
    sizes = [16 * MiB, 32 * MiB, 64 * MiB, 128 * MiB]
    total = 0
    made: list[tuple[Path, int]] = []
    i = 0

    def write(p: Path, size: int, tag: int, middle: int = 0) -> None:
        with open(p, "wb") as f:
            for off in range(0, size, MiB):
                buf = bytearray(chunk[: min(MiB, size - off)])
                if off == 0:
                    buf[:8] = tag.to_bytes(8, "little")
                if off + len(buf) == size:
                    buf[-8:] = tag.to_bytes(8, "little")
                if middle and off == (size // 2 // MiB) * MiB:
                    buf[100] ^= middle
                f.write(buf)

    while total < budget * 0.8:
        size = rng.choice(sizes)
        p = root / f"video{i:04d}.mp4"
        write(p, size, i)
        made.append((p, size))
        total += size
        i += 1
    for p, size in rng.sample(made, max(1, len(made) // 10)):  # exact duplicates
        shutil.copyfile(p, root / f"{p.stem} (copy).mp4")
        total += size
    for k, (p, size) in enumerate(made[:3]):  # same head and tail, middle differs
        write(root / f"{p.stem}-middle{k}.mp4", size, int(p.stem[5:]), middle=0x5A)
        total += size
    return total


# --- measuring --------------------------------------------------------------------------


def drop_caches(enabled: bool) -> str:
    if not enabled:
        return ""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return "cold cache"
    except OSError as exc:
        return f"could not drop caches ({exc.strerror})"


def raw_baseline(root: Path) -> Row:
    t = time.perf_counter()
    by_digest: dict[tuple[int, str], int] = {}
    read = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            h = hashlib.sha256()
            with open(p, "rb") as f:
                while chunk := f.read(MiB):
                    h.update(chunk)
                    read += len(chunk)
            key = (os.path.getsize(p), h.hexdigest())
            by_digest[key] = by_digest.get(key, 0) + 1
    secs = time.perf_counter() - t
    return Row(root.name, "raw (sha256 all)", secs, read, None, None, "no inode/empty logic")


def ours(root: Path, cache: DictHashCache | None, label: str) -> Row:
    t = time.perf_counter()
    counter = ByteCounter()
    entries = list(scan(ScanSpec(str(root), subfolders=True)))
    groups = find_duplicates(entries, cache=cache, counter=counter, detect_original_by="auto")
    secs = time.perf_counter() - t
    dupes = sum(len(g.duplicates) for g in groups)
    row = Row(root.name, label, secs, counter.bytes_read, len(groups), dupes)
    row.inode_groups = inode_groups([[m for r in g._members() for m in r.paths] for g in groups])
    return row


def ours_cli(root: Path, state: Path, label: str) -> Row:
    """``fileorganizer dupes ROOT --format json`` as a subprocess, in its own state dirs."""
    env = dict(os.environ)
    for sub in ("data", "config", "logs"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        FILEORGANIZER_DATA_DIR=str(state / "data"),
        FILEORGANIZER_CONFIG_DIR=str(state / "config"),
        FILEORGANIZER_LOG_DIR=str(state / "logs"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "fileorganizer", "dupes", str(root), "--format", "json"]
    before = os.times()
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    secs = time.perf_counter() - t
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    if proc.returncode not in (0, 1):
        return Row(root.name, label, None, None, None, None, f"failed: {proc.stderr[-200:]}")
    data = json.loads(proc.stdout)
    groups = data["groups"]
    paths = [
        [
            g["original"],
            *g["duplicates"],
            *g["kept"],
            *[p for ls in g["links"].values() for p in ls],
        ]
        for g in groups
    ]
    row = Row(
        root.name,
        label,
        secs,
        data["summary"]["bytes_read"],
        len(groups),
        sum(len(g["duplicates"]) for g in groups),
        "the command, start-up included",
        cpu_seconds=cpu,
    )
    row.inode_groups = inode_groups(paths)
    return row


def external(root: Path, tool: str, work: Path) -> Row:
    exe = shutil.which(tool)
    if exe is None:
        msg = f"{tool} not installed (apt-get install {tool}): skipped"
        print(f"  {msg}", file=sys.stderr)
        return Row(root.name, tool, None, None, None, None, msg)
    out = work / f"{tool}.out"
    if tool == "rdfind":
        cmd = [exe, "-dryrun", "true", "-outputname", str(out), str(root)]
        redirect = "/dev/null"
    else:  # jdupes and fdupes share the output format; -n: fdupes, skip empty files
        cmd = [exe, "-r", "-q", *(["-n"] if tool == "fdupes" else []), str(root)]
        redirect = str(out)
    shell = 'exec_io() { "$@" > ' + _q(redirect) + '; }; exec_io "$@"; grep rchar /proc/$$/io'
    before = os.times()
    t = time.perf_counter()
    proc = subprocess.run(
        ["sh", "-c", shell, "sh", *cmd], capture_output=True, text=True, check=False
    )
    secs = time.perf_counter() - t
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    rchar = int(proc.stdout.split()[-1]) if "rchar" in proc.stdout else None
    groups, dupes = _parse(tool, out)
    row = Row(root.name, tool, secs, rchar, groups, dupes, "bytes: rchar", cpu_seconds=cpu)
    row.inode_groups = inode_groups(_parse_groups(tool, out))
    return row


def _q(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def _parse_groups(tool: str, out: Path) -> list[list[str]]:
    """The groups a tool printed, as lists of paths."""
    if not out.exists():
        return []
    text = out.read_text(errors="replace")
    if tool == "rdfind":
        by_id: dict[str, list[str]] = {}
        for line in text.splitlines():
            parts = line.split(maxsplit=7)
            if len(parts) < 8 or line.startswith("#"):
                continue
            by_id.setdefault(parts[1].lstrip("-"), []).append(parts[7])
        return list(by_id.values())
    return [b.strip().splitlines() for b in text.strip().split("\n\n") if b.strip()]


def _parse(tool: str, out: Path) -> tuple[int | None, int | None]:
    if not out.exists():
        return None, None
    text = out.read_text(errors="replace")
    if tool == "rdfind":
        groups: dict[str, int] = {}
        for line in text.splitlines():
            parts = line.split(maxsplit=7)
            if len(parts) < 8 or line.startswith("#"):
                continue
            gid = parts[1].lstrip("-")
            if parts[0] == "DUPTYPE_FIRST_OCCURRENCE":
                groups.setdefault(gid, 0)
            else:
                groups[gid] = groups.get(gid, 0) + 1
        return len(groups), sum(groups.values())
    blocks = [b for b in text.strip().split("\n\n") if b.strip()]
    return len(blocks), sum(len(b.strip().splitlines()) - 1 for b in blocks)


def measure(root: Path, tools: list[str], work: Path, drop: bool) -> list[Row]:
    rows: list[Row] = []
    steps: list[tuple[str, Callable[[], Row]]] = [("raw", lambda: raw_baseline(root))]
    state = work / f"state-{root.name}"
    steps.append(("ours-cli", lambda: ours_cli(root, state, "fileorganizer dupes")))
    steps.append(("ours-cached", lambda: ours_cli(root, state, "fileorganizer dupes (2nd run)")))
    steps.append(("ours", lambda: ours(root, None, "fileorganizer (library)")))
    steps += [(t, lambda t=t: external(root, t, work)) for t in tools]  # type: ignore[misc]
    for name, step in steps:
        note = drop_caches(drop and name != "ours-cached")
        print(f"  {root.name}: {name} ...", file=sys.stderr, flush=True)
        row = step()
        if note:
            row.note = "; ".join(x for x in (row.note, note) if x)
        rows.append(row)
    return rows


def table(rows: list[Row]) -> str:
    jd = {r.tree: r for r in rows if r.tool == "jdupes" and r.seconds}
    ref = {r.tree: r.inode_groups for r in rows if r.tool == "fileorganizer dupes"}
    head = f"{'tree':6} {'tool':30} {'seconds':>8} {'cpu s':>6} {'vs jdupes':>9} "
    head += f"{'MiB read':>9} {'groups':>7} {'dupes':>6} {'same':>5}  note"
    lines = [head, "-" * len(head)]
    for r in rows:
        base = jd.get(r.tree)
        ratio = f"{r.seconds / base.seconds:.2f}x" if r.seconds and base and base.seconds else "-"
        secs = f"{r.seconds:.2f}" if r.seconds is not None else "-"
        cpu = f"{r.cpu_seconds:.2f}" if r.cpu_seconds is not None else "-"
        mib = f"{r.bytes_read / MiB:.1f}" if r.bytes_read is not None else "-"
        groups = str(r.groups) if r.groups is not None else "-"
        dupes = str(r.dupes) if r.dupes is not None else "-"
        same = "-"
        if r.inode_groups is not None and ref.get(r.tree) is not None:
            same = "yes" if r.inode_groups == ref[r.tree] else "NO"
        lines.append(
            f"{r.tree:6} {r.tool:30} {secs:>8} {cpu:>6} {ratio:>9} {mib:>9} {groups:>7}"
            f" {dupes:>6} {same:>5}  {r.note}"
        )
    return "\n".join(lines)


def targets(rows: list[Row]) -> list[str]:
    """Issue 13's: the command at most jdupes' wall time on large files, 1.5x on small ones."""
    out = []
    for tree, limit in (("large", 1.0), ("small", 1.5)):
        ours_row = next(
            (r for r in rows if r.tree == tree and r.tool == "fileorganizer dupes"), None
        )
        jd = next((r for r in rows if r.tree == tree and r.tool == "jdupes"), None)
        if ours_row is None or jd is None or not ours_row.seconds or not jd.seconds:
            out.append(f"dupes {tree} tree at most {limit}x jdupes: not measured")
            continue
        ratio = ours_row.seconds / jd.seconds
        ok = ratio <= limit
        out.append(
            f"dupes {tree} tree at most {limit}x jdupes: {'met' if ok else 'MISSED'} "
            f"({ours_row.seconds:.2f} s against {jd.seconds:.2f} s, {ratio:.2f}x)"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--small-count", type=int, default=20_000)
    p.add_argument("--large-gb", type=float, default=4.0, help="GiB of large files (0: skip)")
    p.add_argument(
        "--tools", default="jdupes,rdfind,fdupes", help="comma list: jdupes,rdfind,fdupes"
    )
    p.add_argument("--workdir", type=Path, help="where to generate (default: a temp dir)")
    p.add_argument("--drop-caches", action="store_true", help="drop the page cache per step")
    p.add_argument("--json", type=Path, help="write the rows as JSON")
    args = p.parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    work = Path(tempfile.mkdtemp(prefix="bench-dupes-", dir=args.workdir))
    rows: list[Row] = []
    try:
        trees: list[tuple[Path, Callable[[Path], int]]] = []
        if args.small_count:
            trees.append((work / "small", lambda r: gen_small(r, args.small_count)))
        if args.large_gb > 0:
            trees.append((work / "large", lambda r: gen_large(r, args.large_gb)))
        for root, gen in trees:
            t = time.perf_counter()
            size = gen(root)
            n = sum(len(f) for _d, _s, f in os.walk(root))
            took = time.perf_counter() - t
            print(
                f"{root.name}: generated {n} files, {size / MiB:.0f} MiB in {took:.1f}s",
                file=sys.stderr,
            )
            rows += measure(root, tools, work, args.drop_caches)
        trees_seen = {r.tree for r in rows}
        agree = all(
            len({r.inode_groups for r in rows if r.tree == tree and r.inode_groups is not None})
            <= 1
            for tree in trees_seen
        )
        print(table(rows))
        print(f"\nall tools found the same groups (as sets of inodes): {'yes' if agree else 'NO'}")
        for line in targets(rows):
            print("target:", line)
        if args.json:
            args.json.write_text(
                json.dumps(
                    [{k: v for k, v in asdict(r).items() if k != "inode_groups"} for r in rows],
                    indent=2,
                )
            )
        return 0 if agree else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
