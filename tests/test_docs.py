"""The documentation describes the real product.

- every registered filter and action has a heading in the rules reference, and every
  heading there names a real filter or action;
- every command of the Typer app (sub-apps included) has a heading in the CLI reference,
  and every command heading there names a real command;
- every YAML example that is a rules file (a top-level ``rules:`` key) in ``docs/`` and
  ``README.md`` loads with :func:`fileorganizer.load_config`. An example that is
  deliberately partial is preceded by a ``<!-- no-check -->`` line.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RULES_DOC = DOCS / "rules.md"
CLI_DOC = DOCS / "cli.md"
NO_CHECK = "<!-- no-check -->"

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
COMMAND_WORD = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block of a Markdown file."""

    path: Path
    line: int
    lang: str
    text: str
    no_check: bool

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


def parse_markdown(path: Path) -> tuple[list[Heading], list[CodeBlock]]:
    """Headings (outside code) and fenced code blocks of a Markdown file."""
    headings: list[Heading] = []
    blocks: list[CodeBlock] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    fence: str | None = None
    indent = 0
    start = 0
    lang = ""
    body: list[str] = []
    previous = ""  # the last non-blank line outside a code block
    for number, line in enumerate(lines, start=1):
        if fence is None:
            m = FENCE.match(line)
            if m:
                fence, indent, start = m["fence"], len(m["indent"]), number
                lang, body = m["lang"].lower(), []
                continue
            h = HEADING.match(line)
            if h:
                headings.append(Heading(len(h["level"]), h["text"]))
            if line.strip():
                previous = line.strip()
        elif line.strip().startswith(fence[0] * len(fence)) and not line.strip(fence[0]).strip():
            blocks.append(CodeBlock(path, start, lang, "\n".join(body), previous == NO_CHECK))
            fence, previous = None, ""
        else:
            body.append(line[indent:] if line[:indent].strip() == "" else line)
    assert fence is None, f"{path}: unclosed code fence opened on line {start}"
    return headings, blocks


def plain(text: str) -> str:
    """Heading text without Markdown code marks or attribute lists."""
    return re.sub(r"\{[#.].*?\}$", "", text).replace("`", "").strip()


def section_headings(path: Path, section: str, level: int = 3) -> set[str]:
    """The ``level`` headings under the ``level - 1`` heading named ``section``."""
    headings, _ = parse_markdown(path)
    found: set[str] = set()
    inside = False
    for h in headings:
        if h.level == level - 1:
            inside = plain(h.text).lower() == section.lower()
        elif h.level < level - 1:
            inside = False
        elif inside and h.level == level:
            found.add(plain(h.text))
    return found


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def rules_examples() -> list[CodeBlock]:
    """YAML code blocks that are rules files (a top-level ``rules:`` key)."""
    found = []
    for path in markdown_files():
        _, blocks = parse_markdown(path)
        found += [
            b
            for b in blocks
            if b.lang in {"yaml", "yml"} and re.search(r"^rules:", b.text, re.MULTILINE)
        ]
    return found


# ---- filters and actions -----------------------------------------------------------


@functools.cache
def registry() -> dict[str, list[str]]:
    """Filter and action names as a fresh interpreter sees them after a plain import.

    A fresh process, so that a filter module imported by some other test cannot hide a
    filter that ``fileorganizer.filters`` itself forgets to register.
    """
    code = (
        "import json, fileorganizer.filters as f, fileorganizer.actions as a; "
        "print(json.dumps({'filters': sorted(f.FILTERS), 'actions': sorted(a.ACTIONS)}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, list[str]] = json.loads(proc.stdout)
    return result


def test_every_filter_is_documented() -> None:
    documented = section_headings(RULES_DOC, "Filters")
    missing = sorted(set(registry()["filters"]) - documented)
    assert not missing, f"filters without a '### name' heading under '## Filters': {missing}"


def test_every_documented_filter_exists() -> None:
    documented = section_headings(RULES_DOC, "Filters")
    unknown = sorted(documented - set(registry()["filters"]))
    assert not unknown, (
        f"docs/rules.md documents filters that 'import fileorganizer.filters' "
        f"does not register: {unknown}"
    )


def test_every_action_is_documented() -> None:
    documented = section_headings(RULES_DOC, "Actions")
    missing = sorted(set(registry()["actions"]) - documented)
    assert not missing, f"actions without a '### name' heading under '## Actions': {missing}"


def test_every_documented_action_exists() -> None:
    documented = section_headings(RULES_DOC, "Actions")
    unknown = sorted(documented - set(registry()["actions"]))
    assert not unknown, (
        f"docs/rules.md documents actions that 'import fileorganizer.actions' "
        f"does not register: {unknown}"
    )


# ---- CLI commands ------------------------------------------------------------------


def cli_commands() -> set[str]:
    """Every visible command path of the Typer app: ``run``, ``config path``, ...

    Duck-typed (a group has a ``commands`` mapping): recent Typer releases carry their
    own copy of click, so ``isinstance(..., click.Group)`` cannot be relied on.
    """
    import typer.main

    from fileorganizer.cli import app

    root = typer.main.get_command(app)
    paths: set[str] = set()

    def walk(group: Any, prefix: str) -> None:
        for name, cmd in group.commands.items():
            if getattr(cmd, "hidden", False):
                continue
            path = f"{prefix} {name}".strip()
            paths.add(path)
            if isinstance(getattr(cmd, "commands", None), dict):
                walk(cmd, path)

    assert isinstance(getattr(root, "commands", None), dict), "the app should have commands"
    walk(root, "")
    return paths


def documented_commands() -> set[str]:
    """Command paths named by headings such as ``fileorganizer config path [ARGS]``."""
    headings, _ = parse_markdown(CLI_DOC)
    paths = set()
    for h in headings:
        words = plain(h.text).split()
        if len(words) < 2 or words[0] != "fileorganizer":
            continue
        command = []
        for word in words[1:]:
            if not COMMAND_WORD.match(word):
                break
            command.append(word)
        if command:
            paths.add(" ".join(command))
    return paths


def test_every_cli_command_is_documented() -> None:
    missing = sorted(cli_commands() - documented_commands())
    assert not missing, f"commands without a '`fileorganizer ...`' heading in cli.md: {missing}"


def test_every_documented_cli_command_exists() -> None:
    unknown = sorted(documented_commands() - cli_commands())
    assert not unknown, f"docs/cli.md documents commands that do not exist: {unknown}"


# ---- YAML examples -----------------------------------------------------------------


def test_docs_have_rules_examples() -> None:
    """Guard the collection below: if parsing broke, nothing would be checked."""
    assert len(rules_examples()) >= 20


@pytest.mark.parametrize("block", rules_examples(), ids=lambda b: b.id)
def test_rules_example_loads(block: CodeBlock, tmp_path: Path) -> None:
    if block.no_check:
        pytest.skip("marked <!-- no-check --> (deliberately partial)")
    from fileorganizer import load_config

    path = tmp_path / "rules.yaml"
    path.write_text(block.text + "\n", encoding="utf-8")
    config = load_config(path)
    assert config is not None


# ---- the README's promises ---------------------------------------------------------


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # each set-up command makes its own environment (a bare python3 has no pip to use)
    assert (
        "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/python -m pytest"
    ) in readme
    assert (
        "python3 -m venv ~/.venvs/fileorganizer && ~/.venvs/fileorganizer/bin/pip install . "
        "&& ~/.venvs/fileorganizer/bin/fileorganizer sim ~/Downloads"
    ) in readme  # the main job previews before it acts
    ci_script = ROOT / ".ci" / "run"
    if not ci_script.exists() and not (ROOT / ".git").exists():
        pytest.skip(".ci/run is not in this tree (running from an sdist)")
    ci = ci_script.read_text(encoding="utf-8")
    assert re.search(r"^\s*python -m pytest\b", ci, re.MULTILINE), ".ci/run must run pytest"


def test_library_snippet_in_readme_uses_public_api() -> None:
    import fileorganizer

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = re.findall(r"from fileorganizer import ([\w, ]+)", readme)
    assert names, "README should show the library"
    for group in names:
        for name in (n.strip() for n in group.split(",")):
            assert name in fileorganizer.__all__, f"README imports {name}, not in __all__"


def test_mkdocs_nav_lists_every_page() -> None:
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [p for item in node for p in pages(item)]
        if isinstance(node, dict):
            return [p for value in node.values() for p in pages(value)]
        return []

    listed = set(pages(config["nav"]))
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert listed == on_disk
