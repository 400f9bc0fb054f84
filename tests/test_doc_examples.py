"""The Python examples of docs/library.md and README.md run, as written.

Each fenced ``python`` block runs in a subprocess, in a fresh folder holding a
``rules.yaml`` (sort ``inbox/*.txt`` into ``sorted/``) and an ``inbox/``, with the
tool's directories isolated. A block preceded by ``<!-- needs: engine -->`` shows an
API the engine has not landed yet: it is expected to fail (strictly: once it passes,
the marker must go). None is marked now: ``apply_plan(history=)`` and ``run()`` landed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "docs" / "library.md", ROOT / "README.md"]
NEEDS_ENGINE = "<!-- needs: engine -->"
FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Example:
    """A fenced python block and where it is."""

    path: Path
    line: int
    code: str
    needs_engine: bool

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.line}"


def examples() -> list[Example]:
    """Every ``python`` block of :data:`FILES`."""
    found = []
    for path in FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        previous, i = "", 0
        while i < len(lines):
            m = FENCE.match(lines[i])
            if m is None:
                if lines[i].strip():
                    previous = lines[i].strip()
                i += 1
                continue
            start, body = i + 1, []
            i += 1
            while not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if m[1] == "python":
                found.append(Example(path, start, "\n".join(body), previous == NEEDS_ENGINE))
            previous, i = "", i + 1
    return found


def _params() -> list[object]:
    return [
        pytest.param(
            ex,
            id=ex.id,
            marks=[pytest.mark.xfail(strict=True, reason="needs apply_plan(history=)/run()")]
            if ex.needs_engine
            else [],
        )
        for ex in examples()
    ]


def test_the_docs_have_python_examples() -> None:
    found = examples()
    assert len([e for e in found if e.path.name == "library.md"]) >= 6
    assert any(e.path.name == "README.md" for e in found)


@pytest.mark.parametrize("example", _params())
def test_example_runs(example: Example, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a.txt", "b.txt", "photo.jpg"):
        (inbox / name).write_text(name)
    (tmp_path / "rules.yaml").write_text(
        "rules:\n"
        "  - name: Sort text files\n"
        f'    locations: "{inbox}"\n'
        "    filters: [extension: txt]\n"
        f'    actions: [move: "{tmp_path}/sorted/"]\n'
    )
    proc = subprocess.run(
        [sys.executable, "-c", example.code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"{example.id}:\n{proc.stdout}\n{proc.stderr}"
