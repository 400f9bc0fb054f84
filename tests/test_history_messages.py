"""Messages naming a path whose bytes are not UTF-8 are stored, and the history stays usable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fileorganizer import History, OpStatus, apply_plan, load_config_text, plan
from fileorganizer.history.models import storable


def test_storable_keeps_text_and_shows_undecodable_bytes_as_escapes() -> None:
    assert storable(None) is None
    assert storable("plain") == "plain"
    assert storable("café ✓") == "café ✓"
    assert storable(os.fsdecode(b"caf\xe9.dat")) == "caf\\xe9.dat"
    assert storable("lone \ud800 surrogate") == "lone \\ud800 surrogate"


def test_a_skip_naming_a_non_utf8_file_is_recorded_and_history_still_reads(
    tmp_path: Path, run_cli: Any
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    name = os.fsencode(inbox) + b"/caf\xe9.dat"
    with open(name, "wb") as f:
        f.write(b"x")
    rules = f"rules:\n  - locations: {inbox}\n    actions:\n      - move: '{tmp_path}/out/'\n"
    p = plan(load_config_text(rules))
    with open(name, "ab") as f:  # changed between plan and apply: a skip naming the file
        f.write(b"more")
    with History() as history:
        result = apply_plan(p, history=history)
        (skipped,) = result.results
        assert skipped.status is OpStatus.SKIPPED
        (row,) = history.operations(result.run_id)
        assert row.reason is not None and "\\xe9" in row.reason
    assert os.path.exists(name)
    for args in (("history",), ("history", "show", str(result.run_id)), ("run", str(inbox))):
        proc = run_cli(*args)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "internal error" not in proc.stderr
