"""Running organize 3.3 itself, for the differential tests.

organize-tool is installed once into a throwaway venv under the user's cache
folder (``$FILEORGANIZER_TEST_CACHE`` or ``~/.cache/fileorganizer-tests``),
keyed by its version, so later sessions reuse it. A file lock keeps parallel
test workers from installing it twice.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ORGANIZE_VERSION = "3.3.0"

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path(__file__).resolve().parent.parent / "shared" / "corpus"

#: a fixed time for every generated file (2023-05-17 12:00 UTC), and an old one
MTIME = 1_684_324_800
OLD_MTIME = 978_307_200  # 2001-01-01


def cache_dir() -> Path:
    """Where the organize venv is kept between sessions."""
    env = os.environ.get("FILEORGANIZER_TEST_CACHE")
    base = Path(env) if env else Path.home() / ".cache" / "fileorganizer-tests"
    return base / f"organize-{ORGANIZE_VERSION}"


def install_organize() -> Path:
    """The ``organize`` executable of a venv with organize-tool installed (once)."""
    from filelock import FileLock

    if not (CORPUS / "photos").is_dir():
        pytest.skip("the shared sample corpus is not beside this checkout")
    root = cache_dir()
    root.parent.mkdir(parents=True, exist_ok=True)
    exe = root / "bin" / "organize"
    stamp = root / "installed"
    with FileLock(str(root) + ".lock", timeout=900):
        if stamp.exists() and exe.exists():
            return exe
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
        proc = subprocess.run(
            [
                str(root / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                f"organize-tool=={ORGANIZE_VERSION}",
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:]
            pytest.skip(f"cannot install organize-tool=={ORGANIZE_VERSION}: {' '.join(tail)}")
        stamp.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
    return exe


def make_base_tree(root: Path) -> None:
    """The tree every case starts from: corpus files and generated ones, fixed mtimes."""
    photos = sorted((CORPUS / "photos").glob("*.jpg"))
    formats = CORPUS / "formats"
    files: dict[str, bytes] = {
        "inbox/img2.jpg": photos[0].read_bytes(),
        "inbox/img10.jpg": photos[1].read_bytes(),
        "inbox/IMG1.jpg": photos[2].read_bytes(),
        "inbox/picture.png": (formats / "png-transparent.png").read_bytes(),
        "inbox/anim.gif": (formats / "gif.gif").read_bytes(),
        "inbox/report 1.pdf": (formats / "pdf.pdf").read_bytes(),
        "inbox/report 2.pdf": (formats / "pdf.pdf").read_bytes(),
        "inbox/Report10.pdf": (formats / "pdf.pdf").read_bytes() + b"\n% v2\n",
        "inbox/song.mp3": (formats / "mp3.mp3").read_bytes(),
        "inbox/archive.zip": (formats / "zip.zip").read_bytes(),
        "inbox/data.json": b'{"a": 1}\n',
        "inbox/notes.txt": b"Invoice 12345\nTotal: 99 EUR\n",
        "inbox/todo.TXT": b"buy milk\n",
        "inbox/copy of notes.txt": b"Invoice 12345\nTotal: 99 EUR\n",
        "inbox/empty.txt": b"",
        "inbox/README": b"read me\n",
        "inbox/old.log": b"old log line\n",
        "inbox/sub/deep.txt": b"deep\n",
        "inbox/sub/photo.jpg": photos[3].read_bytes(),
        "inbox/sub/deeper/x.txt": b"x\n",
        "inbox/sub/deeper/y.pdf": (formats / "pdf.pdf").read_bytes(),
        "inbox/sub/.git/config": b"[core]\n",
        "inbox/node_modules/lib.txt": b"lib\n",
        "docs/existing.pdf": b"%PDF-1.4 existing\n",
        "docs/notes.txt": b"older notes\n",
    }
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    (root / "inbox" / "emptydir").mkdir()
    (root / "inbox" / "folder.d" / "inner").mkdir(parents=True)
    for p in sorted(root.rglob("*"), reverse=True):
        t = OLD_MTIME if p.name == "old.log" else MTIME
        os.utime(p, (t, t), follow_symlinks=False)


def read_tree(root: Path) -> dict[str, Any]:
    """``{relative path: bytes | "<dir>" | ("->", link target)}`` of everything under root."""
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                target = os.readlink(p)
                out[rel] = ("->", target.replace(str(root), "$TREE"))
            elif p.is_dir():
                out[rel] = "<dir>"
            else:
                out[rel] = p.read_bytes()
    return out


def tool_env(base: Path, tree: Path) -> dict[str, str]:
    """The environment both tools run in: $TREE, and every state folder outside the tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FILEORGANIZER_", "ORGANIZE_"))}
    env.update(
        TREE=str(tree),
        HOME=str(base / "home"),
        XDG_DATA_HOME=str(base / "home" / "share"),
        XDG_CONFIG_HOME=str(base / "home" / "config"),
        FILEORGANIZER_CONFIG_DIR=str(base / "fo-config"),
        FILEORGANIZER_DATA_DIR=str(base / "fo-data"),
        FILEORGANIZER_LOG_DIR=str(base / "fo-log"),
        NO_COLOR="1",
        COLUMNS="200",
    )
    return env


def run_both(
    base: Path, config_text: str, organize: Path, args: tuple[str, ...] = ()
) -> tuple[
    dict[str, Any],
    dict[str, Any],
    subprocess.CompletedProcess[str],
    subprocess.CompletedProcess[str],
]:
    """Run one config with organize on one copy of the base tree and fileorganizer on another."""
    trees = {}
    procs = {}
    for tool in ("organize", "fileorganizer"):
        tree = base / tool / "tree"
        make_base_tree(tree)
        config = base / tool / "config.yaml"
        config.write_text(config_text, encoding="utf-8")
        env = tool_env(base / tool, tree)
        (base / tool / "home").mkdir(exist_ok=True)
        if tool == "organize":
            cmd = [str(organize), "run", str(config), *args]
        else:
            cmd = [sys.executable, "-m", "fileorganizer", "run", "-c", str(config), *args]
        procs[tool] = subprocess.run(
            cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=300
        )
        trees[tool] = read_tree(tree)
    return trees["organize"], trees["fileorganizer"], procs["organize"], procs["fileorganizer"]


def diff_trees(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Lines describing how two read trees differ (empty when equal)."""
    out = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            out.append(f"only with organize:      {key}")
        elif key not in a:
            out.append(f"only with fileorganizer: {key}")
        elif a[key] != b[key]:
            out.append(f"different content:       {key}")
    return out
