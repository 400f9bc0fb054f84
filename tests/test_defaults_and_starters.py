"""Built-in default rules (content types first) and the starters `init` writes."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from fileorganizer import apply_plan, default_config, load_config_text, plan
from fileorganizer.config.starters import starter_names, starter_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not beside checkout")


@needs_corpus
def test_default_rules_use_content_for_wrong_or_missing_extensions(tmp_path: Path) -> None:
    formats = CORPUS / "formats"
    shutil.copy(formats / "jpeg.jpg", tmp_path / "no_extension")
    shutil.copy(formats / "pdf.pdf", tmp_path / "really_a_pdf.jpg")
    shutil.copy(formats / "zip.zip", tmp_path / "archive.bin")
    (tmp_path / "unknown.qqq").write_bytes(bytes(range(256)) * 4)
    p = plan(default_config(), paths=[tmp_path])
    apply_plan(p, trash_dir=tmp_path.parent / "trash")
    assert (tmp_path / "Images" / "no_extension").exists()
    assert (tmp_path / "Documents" / "really_a_pdf.jpg").exists()
    assert (tmp_path / "Archives" / "archive.bin").exists()
    assert (tmp_path / "unknown.qqq").exists(), "unknown kinds stay put"


@pytest.mark.parametrize("name", starter_names())
def test_every_starter_is_valid(name: str) -> None:
    config = load_config_text(starter_text(name), file=f"<starter {name}>")
    assert config.rules


@needs_corpus
def test_photos_starter_files_camera_photos_by_exif_date(tmp_path: Path, cli_main: Any) -> None:
    inbox = tmp_path / "Pictures" / "Inbox"
    inbox.mkdir(parents=True)
    shutil.copy(CORPUS / "photos" / "Canon_40D.jpg", inbox / "IMG_1.jpg")
    shutil.copy(CORPUS / "photos" / "PaintTool_sample.jpg", inbox / "drawing.jpg")
    when = datetime(2019, 7, 4, 12, 0).timestamp()
    os.utime(inbox / "drawing.jpg", (when, when))
    text = starter_text("photos").replace("~/Pictures", str(tmp_path / "Pictures"))
    cfg = tmp_path / "photos.yaml"
    cfg.write_text(text)
    r = cli_main("run", "-c", str(cfg), "--format", "json")
    assert r.code == 0, r.err
    dsts = sorted(o["dst"] for o in json.loads(r.out)["operations"])
    assert dsts == [
        str(tmp_path / "Pictures" / "2008" / "05" / "IMG_1.jpg"),
        str(tmp_path / "Pictures" / "2019" / "07" / "drawing.jpg"),
    ]


def test_init_template_photos(cli_main: Any, isolated_env: Any) -> None:
    r = cli_main("init", "--template", "photos")
    assert r.code == 0
    assert "photo_date" in (isolated_env.config_dir / "config.yaml").read_text()
    assert cli_main("init", "--template", "nope").code == 2
