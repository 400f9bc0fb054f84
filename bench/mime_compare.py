"""Content detection: this checkout against an older one, on real files, with and without names.

Two jobs::

    python bench/mime_compare.py samples OUT          # make sample files of many formats
    python bench/mime_compare.py compare DIR... [--old-rev REV] [--per-ext 40]

``samples`` writes files of known formats with the tools it finds (ffmpeg, sox,
ImageMagick's convert, Pillow, python-docx, openpyxl, python-pptx, zip, tar,
gzip, bzip2, xz, zstd, lzip, 7z, genisoimage, dpkg-deb, sqlite3) and skips what
is missing, saying so. Every sample's extension is the truth.

``compare`` walks the folders (at most ``--per-ext`` files per extension, so a
folder of 10,000 PNGs does not drown the rest), and for every file asks this
checkout's ``detect_mimetype`` and the one at ``--old-rev`` (default: the
merge base with ``main``, loaded from git without checking it out), each once
with the file's name and once without it. It prints where the two disagree,
how often each agrees with the extension's type (the truth for samples, a
hint for files found on the system), and the time per file of each.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import time
import types
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fileorganizer.content import mime as new_mime  # noqa: E402

# --------------------------------------------------------------------------- samples


def _run(cmd: list[str], cwd: Path) -> bool:
    if shutil.which(cmd[0]) is None:
        return False
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
    return proc.returncode == 0


def make_samples(out: Path) -> list[str]:
    """Write sample files into ``out``; return notes on what could not be made."""
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    lavfi_v = ["-f", "lavfi", "-i", "testsrc=duration=1:size=96x64:rate=5"]
    lavfi_a = ["-f", "lavfi", "-i", "sine=duration=1:sample_rate=22050"]
    ff = ["ffmpeg", "-y", "-loglevel", "error"]
    videos = {
        "mp4": ["-c:v", "libx264", "-c:a", "aac"],
        "mov": ["-c:v", "libx264", "-c:a", "aac"],
        "m4v": ["-c:v", "libx264", "-c:a", "aac"],
        "mkv": ["-c:v", "libx264", "-c:a", "aac"],
        "webm": ["-c:v", "libvpx", "-c:a", "libvorbis"],
        "avi": ["-c:v", "mpeg4", "-c:a", "mp3"],
        "flv": ["-c:v", "flv", "-c:a", "mp3", "-ar", "22050"],
        "mpg": ["-c:v", "mpeg2video", "-c:a", "mp2"],
        "ts": ["-c:v", "mpeg2video", "-c:a", "mp2"],
        "3gp": ["-c:v", "h263", "-s", "128x96", "-c:a", "aac", "-ar", "8000", "-ac", "1"],
        "wmv": ["-c:v", "wmv2", "-c:a", "wmav2"],
        "ogv": ["-c:v", "libtheora", "-c:a", "libvorbis"],
    }
    for ext, codec in videos.items():
        if not _run([*ff, *lavfi_v, *lavfi_a, *codec, f"video.{ext}"], out):
            notes.append(f"video .{ext}: ffmpeg missing or failed")
    audios = {
        "mp3": ["-c:a", "libmp3lame"],
        "m4a": ["-c:a", "aac"],
        "aac": ["-c:a", "aac", "-f", "adts"],
        "flac": ["-c:a", "flac"],
        "ogg": ["-c:a", "libvorbis"],
        "opus": ["-c:a", "libopus", "-ar", "48000"],
        "wav": ["-c:a", "pcm_s16le"],
        "aiff": ["-c:a", "pcm_s16be"],
        "au": ["-c:a", "pcm_s16be"],
        "wma": ["-c:a", "wmav2"],
        "ac3": ["-c:a", "ac3"],
        "mka": ["-c:a", "libvorbis"],
        "mid": [],
    }
    for ext, codec in audios.items():
        if ext == "mid":
            (out / "audio.mid").write_bytes(
                b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"
            )
            continue
        if not _run([*ff, *lavfi_a, *codec, f"audio.{ext}"], out):
            notes.append(f"audio .{ext}: ffmpeg missing or failed")
    images = ["png", "jpg", "gif", "bmp", "tif", "webp", "ico", "psd", "jp2", "heic", "avif"]
    images += ["jxl", "tga", "pcx", "ppm", "xpm", "pdf", "eps", "svg"]
    for ext in images:
        if ext == "svg":
            (out / "image.svg").write_text(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n'
            )
            continue
        made = _run(["convert", "-size", "32x24", "gradient:red-blue", f"image.{ext}"], out)
        if not made or not (out / f"image.{ext}").exists():
            notes.append(f"image .{ext}: ImageMagick missing or failed")
    _documents(out, notes)
    _archives(out, notes)
    return notes


def _documents(out: Path, notes: list[str]) -> None:
    try:
        import docx  # type: ignore[import-not-found, unused-ignore]

        d = docx.Document()
        d.add_paragraph("hello")
        d.save(str(out / "document.docx"))
    except ImportError:
        notes.append(".docx: python-docx missing")
    try:
        import openpyxl  # type: ignore[import-untyped, unused-ignore]

        wb = openpyxl.Workbook()
        wb.active["A1"] = 1
        wb.save(str(out / "sheet.xlsx"))
    except ImportError:
        notes.append(".xlsx: openpyxl missing")
    try:
        import pptx  # type: ignore[import-not-found, unused-ignore]

        pptx.Presentation().save(str(out / "slides.pptx"))
    except ImportError:
        notes.append(".pptx: python-pptx missing")
    odf = {
        "odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation",
        "epub": "application/epub+zip",
    }
    for ext, mime in odf.items():
        with zipfile.ZipFile(out / f"document.{ext}", "w") as z:
            z.writestr(zipfile.ZipInfo("mimetype"), mime)
            z.writestr("content.xml", "<x/>" * 200, compress_type=zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(out / "program.jar", "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        z.writestr("a/B.class", b"\xca\xfe\xba\xbe")
    with zipfile.ZipFile(out / "app.apk", "w") as z:
        z.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00")
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    # A Word document whose parts come after many other entries (beyond the head).
    with zipfile.ZipFile(out / "late-parts.docx", "w") as z:
        for i in range(80):
            z.writestr(f"customXml/item{i}.xml", os.urandom(64))
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    texts = {
        "txt": "plain notes\nline two\n",
        "md": "# Title\n\nSome *text*.\n",
        "csv": "a,b,c\n1,2,3\n",
        "json": '{"a": [1, 2, 3], "b": {"c": null}}',
        "html": "<!DOCTYPE html>\n<html><body>hi</body></html>\n",
        "xml": '<?xml version="1.0"?>\n<root><item/></root>\n',
        "yaml": "---\nkey: value\nlist: [1, 2]\n",
        "toml": '[tool]\nname = "x"\n',
        "py": "#!/usr/bin/env python3\nprint('hi')\n",
        "sh": "#!/bin/sh\necho hi\n",
        "js": "function f() { return 1; }\n",
        "css": "body { color: red; }\n",
        "ics": "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n",
        "vcf": "BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD\n",
        "srt": "1\n00:00:01,000 --> 00:00:02,000\nHello\n",
        "rtf": "{\\rtf1\\ansi Hello}\n",
        "tex": "\\documentclass{article}\n\\begin{document}x\\end{document}\n",
        "ps": "%!PS-Adobe-3.0\n%%EOF\n",
    }
    for ext, text in texts.items():
        (out / f"text.{ext}").write_text(text, encoding="utf-8")
    (out / "latin1.txt").write_bytes("Grüße aus Köln, café\n".encode("latin-1") * 50)
    (out / "utf16.txt").write_bytes("hello wörld\n".encode("utf-16"))
    (out / "bom.csv").write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    (out / "long.json").write_text('{"rows": [' + ",".join(["[1, 2, 3]"] * 2000) + "]}")
    (out / "long.txt").write_text("a long line of words " * 3000)
    (out / "long.xml").write_text("<root>" + "<item>x</item>\n" * 1000 + "</root>\n")
    import sqlite3

    con = sqlite3.connect(out / "database.sqlite")
    con.execute("create table t (x)")
    con.commit()
    con.close()


def _archives(out: Path, notes: list[str]) -> None:
    import bz2
    import gzip
    import lzma
    import tarfile

    payload = os.urandom(2000) + b"hello " * 500
    (out / "data.gz").write_bytes(gzip.compress(payload))
    (out / "data.bz2").write_bytes(bz2.compress(payload))
    (out / "data.xz").write_bytes(lzma.compress(payload))
    src = out / "_payload.bin"
    src.write_bytes(payload)
    with tarfile.open(out / "archive.tar", "w", format=tarfile.GNU_FORMAT) as t:
        t.add(src, "payload.bin")
    with tarfile.open(out / "archive.tgz", "w:gz") as t:
        t.add(src, "payload.bin")
    with zipfile.ZipFile(out / "archive.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(src, "payload.bin")
    for ext, cmd in {
        "zst": ["zstd", "-q", "-f", "_payload.bin", "-o", "data.zst"],
        "lz": ["lzip", "-k", "-f", "_payload.bin"],
        "7z": ["7z", "a", "-bso0", "archive.7z", "_payload.bin"],
        "iso": ["genisoimage", "-quiet", "-o", "disc.iso", "_payload.bin"],
    }.items():
        if not _run(cmd, out):
            notes.append(f".{ext}: {cmd[0]} missing or failed")
    if (out / "_payload.bin.lz").exists():
        (out / "_payload.bin.lz").rename(out / "data.lz")
    deb = out / "_deb"
    (deb / "DEBIAN").mkdir(parents=True, exist_ok=True)
    (deb / "DEBIAN" / "control").write_text(
        "Package: sample\nVersion: 1.0\nArchitecture: all\nMaintainer: x <x@x>\nDescription: s\n"
    )
    if not _run(["dpkg-deb", "--build", "_deb", "package.deb"], out):
        notes.append(".deb: dpkg-deb missing or failed")
    shutil.rmtree(deb, ignore_errors=True)
    src.unlink()


# --------------------------------------------------------------------------- compare


def load_old(rev: str) -> types.ModuleType:
    """The content.mime module of ``rev`` (and the modules it imports), from git."""
    work = ROOT / "bench" / ".work" / f"old-{rev.replace('/', '_')}"
    pkg = work / "fileorganizer"
    if not pkg.exists():
        pkg.mkdir(parents=True)
        listing = subprocess.run(
            ["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", rev, "fileorganizer"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for name in listing:
            if not name.endswith(".py"):
                continue
            text = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{rev}:{name}"],
                capture_output=True,
                check=True,
            ).stdout
            dest = work / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(text)
    saved = {k: v for k, v in sys.modules.items() if k.startswith("fileorganizer")}
    for k in saved:
        del sys.modules[k]
    sys.path.insert(0, str(work))
    try:
        spec = importlib.util.find_spec("fileorganizer.content.mime")
        assert spec is not None and spec.origin is not None
        assert str(work) in spec.origin, spec.origin
        module = importlib.import_module("fileorganizer.content.mime")
    finally:
        sys.path.remove(str(work))
        for k in [k for k in sys.modules if k.startswith("fileorganizer")]:
            del sys.modules[k]
        sys.modules.update(saved)
    return module


def pick_files(dirs: list[Path], per_ext: int) -> list[Path]:
    """Regular files below ``dirs``, at most ``per_ext`` of each extension."""
    seen: Counter[str] = Counter()
    files: list[Path] = []
    for d in dirs:
        for dirpath, dirnames, names in os.walk(d):
            dirnames.sort()
            for name in sorted(names):
                p = Path(dirpath) / name
                ext = p.suffix.lower()
                if seen[ext] >= per_ext or not p.is_file() or p.is_symlink():
                    continue
                seen[ext] += 1
                files.append(p)
    return files


Detect = Callable[..., str]


def compare(dirs: list[Path], old_rev: str, per_ext: int, show: int) -> int:
    """Print disagreements and accuracy; return 0."""
    old = load_old(old_rev)
    files = pick_files(dirs, per_ext)
    results: dict[str, dict[tuple[Path, bool], str]] = {"new": {}, "old": {}}
    times: dict[str, float] = {}
    for label, module in (("new", new_mime), ("old", old)):
        detect: Detect = module.detect_mimetype
        start = time.perf_counter()
        for p in files:
            for named in (True, False):
                try:
                    got = detect(p) if named else detect(p, name="noname")
                except OSError as exc:
                    got = f"error: {exc.strerror}"
                results[label][(p, named)] = str(got)
        times[label] = (time.perf_counter() - start) / max(1, 2 * len(files))
    diffs: dict[str, list[str]] = defaultdict(list)
    right = {"new": Counter[bool](), "old": Counter[bool]()}
    worse: list[str] = []
    better = 0
    for p in files:
        truth = new_mime.mimetype_from_extension(p.name)
        for named in (True, False):
            a, b = results["new"][(p, named)], results["old"][(p, named)]
            if truth is not None:
                for label, got in (("new", a), ("old", b)):
                    right[label][got == truth] += 1
            if a != b and truth is not None and (a == truth) != (b == truth):
                if b == truth:
                    worse.append(f"{p} ({'named' if named else 'bare'}): old {b} -> new {a}")
                else:
                    better += 1
            if a != b:
                key = f"{p.suffix.lower() or '(none)'} {'named' if named else 'bare'}"
                diffs[key].append(f"{p}: old {b} -> new {a}")
    total = sum(len(v) for v in diffs.values())
    print(f"{len(files)} files, {2 * len(files)} detections, {total} disagreements")
    for key in sorted(diffs):
        print(f"\n{key}: {len(diffs[key])}")
        for line in diffs[key][:show]:
            print("   ", line)
    print(f"\nnew right where old was wrong: {better}; old right where new is wrong: {len(worse)}")
    for line in worse:
        print("   ", line)
    for label in ("old", "new"):
        ok, n = right[label][True], sum(right[label].values())
        print(
            f"{label}: agrees with the extension's type in {ok}/{n} ({100 * ok / max(1, n):.1f}%)"
            f", {times[label] * 1e6:.0f} us per detection"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("samples", help="write sample files")
    s.add_argument("out", type=Path)
    c = sub.add_parser("compare", help="compare detection with an older revision")
    c.add_argument("dirs", type=Path, nargs="+")
    c.add_argument("--old-rev", default=None, help="git revision (default: merge base with main)")
    c.add_argument("--per-ext", type=int, default=40)
    c.add_argument("--show", type=int, default=5, help="examples per disagreement")
    args = p.parse_args(argv)
    if args.cmd == "samples":
        for note in make_samples(args.out):
            print("note:", note, file=sys.stderr)
        return 0
    rev = (
        args.old_rev
        or subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    return compare(args.dirs, rev, args.per_ext, args.show)


if __name__ == "__main__":
    sys.exit(main())
