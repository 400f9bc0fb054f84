"""Check organize's documented YAML examples against ``fileorganizer check``.

Run by hand against a checkout of tfeldmann/organize (its docs/ are not in its
sdist or wheel, and nothing of it is copied into this project)::

    python bench/organize_docs_examples.py /path/to/organize/docs

Every fenced ``yaml`` block of actions.md, filters.md, locations.md and
rules.md that has a ``rules:`` key is loaded as a rules file; the script
prints each failure with its reason and the count that pass.
"""

from __future__ import annotations

import re
import sys
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


def main(argv: list[str]) -> int:
    """Check each example; print failures and the count."""
    docs = Path(argv[1]) if len(argv) > 1 else Path("docs")
    found = examples(docs)
    passed = 0
    for name, line, body in found:
        try:
            load_config_text(body, file=f"{name}:{line}")
        except ConfigError as exc:
            print(f"FAIL {exc}")
            continue
        passed += 1
    print(f"{passed} of {len(found)} examples pass")
    return 0 if passed == len(found) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
