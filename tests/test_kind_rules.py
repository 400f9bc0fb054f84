"""The built-in rules: one ``kind`` rule that decides as the eight kind rules did, and
reads each file once; ``init``'s starter writes the same rule."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from fileorganizer import default_config, load_config_text, plan
from fileorganizer.config.defaults import DOCS_URL, SORT_BY_KIND_RULE
from fileorganizer.config.starters import starter_text
from fileorganizer.errors import ConfigError
from fileorganizer.filters.kind import KIND_RULES, Kind, kind_of

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not beside checkout")
ROOT = Path(__file__).resolve().parents[1]

#: The kind of each corpus format, written out by hand (extension and content agree).
CORPUS_KINDS: dict[str, Kind] = {
    "AudioVideoInterleave.avi": Kind.VIDEO,
    "FlashVideo.flv": Kind.VIDEO,
    "Mpeg4.mp4": Kind.VIDEO,
    "WindowsMediaVideo.wmv": Kind.VIDEO,
    "WindowsMetafile.wmf": Kind.IMAGES,
    "bmp.bmp": Kind.IMAGES,
    "bzip2.bz2": Kind.ARCHIVES,
    "gif-transparent.gif": Kind.IMAGES,
    "gif.gif": Kind.IMAGES,
    "gzip-name.gz": Kind.ARCHIVES,
    "gzip.gz": Kind.ARCHIVES,
    "heif.heif": Kind.IMAGES,
    "html5.html": Kind.CODE,
    "ico.ico": Kind.IMAGES,
    "jpeg.jpg": Kind.IMAGES,
    "jpeg2.jp2": Kind.IMAGES,
    "json.json": Kind.CODE,
    "jxl.jxl": Kind.IMAGES,
    "markdown.md": Kind.DOCUMENTS,
    "mp3.mp3": Kind.AUDIO,
    "mp4-with-audio.mp4": Kind.VIDEO,
    "pdf.pdf": Kind.DOCUMENTS,
    "png-transparent.png": Kind.IMAGES,
    "png-truncated.png": Kind.IMAGES,
    "rar14.rar": Kind.ARCHIVES,
    "rar4.rar": Kind.ARCHIVES,
    "rar5.rar": Kind.ARCHIVES,
    "rtf.rtf": Kind.DOCUMENTS,
    "svg.svg": Kind.IMAGES,
    "tar.tar": Kind.ARCHIVES,
    "tiff.tif": Kind.IMAGES,
    "toml.toml": Kind.CODE,
    "wav.wav": Kind.AUDIO,
    "webm.webm": Kind.VIDEO,
    "webp.webp": Kind.IMAGES,
    "xml-1.0.xml": Kind.CODE,
    "yaml.yml": Kind.CODE,
    "zip.zip": Kind.ARCHIVES,
}
#: Without a name, what the bytes alone can tell (see test_content_mime's exceptions):
#: empty files have no kind, and "0" is plain text.
BARE_KINDS = {
    **CORPUS_KINDS,
    "markdown.md": Kind.OTHER,
    "toml.toml": Kind.OTHER,
    "yaml.yml": Kind.OTHER,
    "json.json": Kind.DOCUMENTS,
}


def eight_rules_yaml() -> str:
    """The built-in rules as they were: one rule per kind, ``filter_mode: any``."""

    def flow(items: tuple[str, ...]) -> str:
        return "[" + ", ".join(json.dumps(x) for x in items) + "]"

    lines = ["rules:"]
    for rule in KIND_RULES:
        lines += [
            f"  - name: {rule.kind.value}",
            "    locations: .",
            "    filter_mode: any",
            "    filters:",
            f"      - mimetype: {flow(rule.mimetypes)}",
        ]
        if rule.extensions:
            lines.append(f"      - extension: {flow(rule.extensions)}")
        lines += ["    actions:", f"      - move: {rule.kind.value}/"]
    return "\n".join(lines) + "\n"


def corpus_tree(root: Path) -> None:
    """Every corpus format named, without a name, and with a wrong extension."""
    root.mkdir(parents=True)
    for name in sorted(os.listdir(CORPUS / "formats")):
        src = CORPUS / "formats" / name
        shutil.copyfile(src, root / name)
        shutil.copyfile(src, root / f"bare-{Path(name).stem}")
        shutil.copyfile(src, root / f"liar-{Path(name).stem}.dat")
    shutil.copyfile(CORPUS / "photos" / "Canon_40D.jpg", root / "scan.pdf")
    (root / "notes.jpg").write_text("just some notes\n")
    (root / "script").write_text("#!/bin/sh\necho hi\n")
    (root / "unknown.qqq").write_bytes(bytes(range(256)) * 4)
    (root / "setup.exe").write_bytes(b"MZ not really a program")


def destinations(p: Any) -> dict[str, str]:
    return {os.path.basename(op.src): os.path.relpath(op.dst, op.src.rsplit("/", 1)[0]) for op in p}


def test_the_built_in_rules_are_one_rule_on_the_kind_filter() -> None:
    config = default_config()
    assert len(config.rules) == 1
    (rule,) = config.rules
    assert [f.name for f in rule.filters] == ["kind"]
    assert [(a.name, a.action.templates()[0][1].source) for a in rule.actions] == [
        ("move", "{kind}/")
    ]
    assert [loc.include_hidden for loc in rule.locations] == [False]


@needs_corpus
def test_one_kind_rule_decides_exactly_as_the_eight_kind_rules_did(tmp_path: Path) -> None:
    corpus_tree(tmp_path / "in")
    old = plan(load_config_text(eight_rules_yaml()), paths=[tmp_path / "in"])
    new = plan(default_config(), paths=[tmp_path / "in"])
    assert not old.problems and not new.problems
    assert destinations(new.operations) == destinations(old.operations)
    assert len(new.operations) > 100


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_KINDS))
def test_every_corpus_format_gets_its_kind_with_and_without_its_name(
    name: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(CORPUS / "formats" / name, folder / name)
    shutil.copyfile(CORPUS / "formats" / name, folder / "bare")
    ops = {
        os.path.basename(op.src): op.dst for op in plan(default_config(), paths=[folder]).operations
    }

    def where(file: str, kind: Kind) -> str | None:
        return None if kind is Kind.OTHER else str(folder / kind.value / file)

    assert ops.get(name) == where(name, CORPUS_KINDS[name])
    assert ops.get("bare") == where("bare", BARE_KINDS[name])


def test_kind_of_tries_kinds_in_order_content_before_extension() -> None:
    assert kind_of("image/png", "txt") is Kind.IMAGES  # content wins over a lying name
    assert kind_of("text/plain", "py") is Kind.CODE  # Code comes before Documents
    assert kind_of("application/octet-stream", "exe") is Kind.INSTALLERS
    assert kind_of("application/octet-stream", "qqq") is Kind.OTHER
    assert kind_of("font/woff2", "") is Kind.FONTS


def test_kind_filter_takes_kind_names_and_rejects_unknown_ones(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "b.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    rules = (
        "rules:\n"
        f"  - locations: {json.dumps(str(tmp_path))}\n"
        "    filters: [{kind: [documents, Fonts]}]\n"
        "    actions: [{echo: '{kind}'}]\n"
    )
    ops = plan(load_config_text(rules)).operations
    assert [(os.path.basename(op.src), op.message) for op in ops] == [("a.pdf", "Documents")]
    with pytest.raises(ConfigError, match=r"unknown kind 'pictures' \(known: Images, Audio"):
        load_config_text(rules.replace("documents", "pictures"))


def test_kind_placeholder_works_without_the_filter(tmp_path: Path) -> None:
    (tmp_path / "song").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64)
    (tmp_path / "blob").write_bytes(bytes(range(256)))
    rules = (
        "rules:\n"
        f"  - locations: {json.dumps(str(tmp_path))}\n"
        "    actions: [{move: 'sorted/{kind}/'}]\n"
    )
    p = plan(load_config_text(rules))
    assert sorted(op.dst for op in p.operations) == [
        str(tmp_path / "sorted" / "Audio" / "song"),
        str(tmp_path / "sorted" / "Other" / "blob"),
    ]


_COUNT_OPENS = r"""
import collections, json, os, sys
from fileorganizer import load_config_text, plan
folder, rules = sys.argv[1], sys.argv[2]
config = load_config_text(rules)
opens = collections.Counter()
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].startswith(folder):
        opens[os.path.basename(args[0])] += 1
sys.addaudithook(hook)
p = plan(config)
print(json.dumps({"opens": opens, "ops": len(p.operations), "problems": len(p.problems)}))
"""


def test_every_rule_filter_and_placeholder_shares_one_read_per_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "photo").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100)
    (folder / "notes.txt").write_text("hello\n")
    (folder / "paper.pdf").write_bytes(b"%PDF-1.7\n" + b"x" * 5000)
    loc = json.dumps(str(folder))
    rules = (
        "rules:\n"
        f"  - locations: {loc}\n"
        "    filters: [{kind: Fonts}]\n"
        "    actions: [trash]\n"
        f"  - locations: {loc}\n"
        "    filters: [{mimetype: video}]\n"
        "    actions: [trash]\n"
        f"  - locations: {loc}\n"
        "    filters: [kind, mimetype]\n"
        "    actions: [{echo: '{kind} {mimetype} {kind}'}]\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", _COUNT_OPENS, str(folder), rules],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(proc.stdout)
    assert data["ops"] == 3 and data["problems"] == 0
    assert data["opens"] == {"photo": 1, "notes.txt": 1, "paper.pdf": 1}


# --- the starter ------------------------------------------------------------------------


def test_init_starter_writes_the_built_in_rule_with_relative_destinations() -> None:
    text = starter_text("default")
    assert SORT_BY_KIND_RULE.format(location="~/Downloads") in text
    data = yaml.safe_load(text)
    sort = next(r for r in data["rules"] if r["name"] == "Sort by kind")
    assert sort["actions"] == [{"move": "{kind}/"}]
    builtin = yaml.safe_load(default_config_text())["rules"][0]
    assert {k: v for k, v in sort.items() if k != "locations"} == {
        k: v for k, v in builtin.items() if k != "locations"
    }
    for rule in data["rules"]:
        for action in rule["actions"]:
            dest = action.get("move") if isinstance(action, dict) else None
            assert dest is None or not dest.startswith(("~", "/")), dest


def default_config_text() -> str:
    from fileorganizer.config.defaults import default_rules_yaml

    return default_rules_yaml()


def test_init_starter_and_built_in_rules_link_to_the_online_docs() -> None:
    site = yaml.safe_load((ROOT / "mkdocs.yml").read_text().split("\ntheme:")[0])["site_url"]
    assert site == DOCS_URL
    assert f"{DOCS_URL}rules/" in starter_text("default")
    assert f"{DOCS_URL}rules/#kind" in default_config_text()
    for page in ("rules", "placeholders", "recipes/downloads"):
        if f"{DOCS_URL}{page}/" in starter_text("default"):
            assert (ROOT / "docs" / f"{page}.md").is_file(), page


@needs_corpus
def test_init_starter_sorts_downloads_like_the_built_in_rules(
    tmp_path: Path, cli_main: Any, isolated_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    corpus_tree(home / "Downloads")
    expected = destinations(plan(default_config(), paths=[home / "Downloads"]).operations)
    monkeypatch.setenv("HOME", str(home))
    assert cli_main("init").code == 0
    r = cli_main("run", "--format", "json")
    assert r.code == 0, r.err
    done = {
        os.path.basename(o["src"]): os.path.relpath(o["dst"], str(home / "Downloads"))
        for o in json.loads(r.out)["operations"]
    }
    assert done == expected
    assert (home / "Downloads" / "Images" / "jpeg.jpg").is_file()
