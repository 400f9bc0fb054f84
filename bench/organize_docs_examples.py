"""Check organize's documented YAML examples against ``fileorganizer check``.

Run by hand against a checkout of tfeldmann/organize (its docs/ are not in its
sdist or wheel, and nothing of it is copied into this project)::

    python bench/organize_docs_examples.py /path/to/organize/docs [path/to/organize]

Given organize's own executable too, each example is also run through
``organize check``, to tell examples organize itself rejects (schematic ones
with ``...``) from real differences.

Every fenced ``yaml`` block of actions.md, filters.md, locations.md and
rules.md that has a ``rules:`` key is loaded as a rules file; the script
prints each failure with its reason and the count that pass.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from fileorganizer.config import load_config_text
from fileorganizer.errors import ConfigError

FILES = ("actions.md", "filters.md", "locations.md", "rules.md")
_BLOCK = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples(docs: Path) -> list[tuple[str, int, str]]:
    """(file, line, yaml) for each example with ``rules:``."""
    out = []
    for name in FILES:
        text = (docs / name).read_text(encoding="utf-8")
        for m in _BLOCK.finditer(text):
            body = m.group(1)
            if re.search(r"^\s*rules:", body, re.MULTILINE):
                line = text.count("\n", 0, m.start()) + 1
                out.append((name, line, body))
    return out


def organize_accepts(organize: str, body: str) -> bool:
    """Whether ``organize check`` accepts the example."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "config.yaml")
        path.write_text(body, encoding="utf-8")
        proc = subprocess.run([organize, "check", str(path)], capture_output=True, cwd=tmp)
        return proc.returncode == 0


def main(argv: list[str]) -> int:
    """Check each example; print failures and the count."""
    docs = Path(argv[1]) if len(argv) > 1 else Path("docs")
    organize = argv[2] if len(argv) > 2 else None
    found = examples(docs)
    passed = valid_for_organize = passed_of_valid = 0
    for name, line, body in found:
        ok_organize = organize_accepts(organize, body) if organize else True
        valid_for_organize += ok_organize
        try:
            load_config_text(body, file=f"{name}:{line}")
        except ConfigError as exc:
            note = "" if ok_organize else "  [organize rejects it too]"
            more = f" (+{len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            print(f"FAIL {exc.problems[0]}{more}{note}")
            continue
        passed += 1
        passed_of_valid += ok_organize
    print(f"{passed} of {len(found)} examples pass")
    if organize:
        print(f"{passed_of_valid} of the {valid_for_organize} that organize accepts pass")
    return 0 if passed == len(found) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
