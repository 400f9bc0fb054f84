"""The engine is a library: only ``fileorganizer.cli`` uses typer/rich, prints or exits."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fileorganizer"
UI_MODULES = ("typer", "rich", "click")


def _engine_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts)


def test_importing_the_engine_does_not_import_typer_or_rich():
    code = (
        "import sys\n"
        "import fileorganizer, fileorganizer.planner, fileorganizer.executor, fileorganizer.fsops\n"
        "import fileorganizer.config, fileorganizer.templates, fileorganizer.scan\n"
        "from fileorganizer import load_config_text, plan, apply_plan\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click'))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_planning_and_applying_does_not_import_typer_or_rich(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("a")
    code = (
        "import sys\n"
        "from fileorganizer import load_config_text, plan, apply_plan\n"
        f"cfg = load_config_text('rules:\\n  - locations: {tmp_path / 'in'}\\n"
        "    actions: [move: out/]\\n')\n"
        f"r = apply_plan(plan(cfg), trash_dir={str(tmp_path / 'trash')!r})\n"
        "assert r.ok and len(r.applied) == 1\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click'))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "in" / "out" / "a.txt").read_text() == "a"


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", _engine_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_engine_module_never_imports_ui_prints_or_exits(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert not (_imports(tree) & set(UI_MODULES)), f"{path} imports a UI library"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in ("print", "exit", "quit"), f"{path}:{node.lineno} {func.id}()"
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                called = f"{func.value.id}.{func.attr}"
                assert called not in ("sys.exit", "os._exit", "os.chdir"), (
                    f"{path}:{node.lineno} {called}()"
                )


def test_cli_package_is_the_error_boundary():
    """``python -m fileorganizer`` reaches ``cli.main`` (which maps errors to exit codes)."""
    main = (PACKAGE / "__main__.py").read_text(encoding="utf-8")
    assert "from fileorganizer.cli import main" in main
