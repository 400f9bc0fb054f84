"""The package's shape: modules of one job and a few hundred lines; states and kinds are enums.

- No module is much over 400 lines, and none of the history, watcher, planner
  or destination modules is over 400.
- No run mode, run status, operation state or operation kind is spelled as a
  string literal outside its enum (in a comparison with a ``state``/``status``/
  ``mode``/``kind``, passed as such a keyword, or as such a key's value).
"""

from __future__ import annotations

import ast
from pathlib import Path

from fileorganizer.operations import OpKind, OpStatus
from fileorganizer.states import OpState, RunMode, RunStatus

PACKAGE = Path(__file__).resolve().parents[1] / "fileorganizer"
#: modules the engine issue names: at most 400 lines each
STRICT = ("history", "watch", "planner.py", "destinations.py", "executor.py", "apply.py")
#: every other module: "about" 400
LIMIT, STRICT_LIMIT = 430, 400

VALUES = {m.value for enum in (RunMode, RunStatus, OpState, OpKind, OpStatus) for m in enum}
NAMES = {"state", "status", "mode", "kind", "outcome"}
ENUM_MODULES = {"states.py", "operations.py"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_modules_stay_small() -> None:
    too_big = []
    for path in _modules():
        rel = path.relative_to(PACKAGE)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        strict = rel.parts[0] in STRICT or str(rel) in STRICT
        if lines > (STRICT_LIMIT if strict else LIMIT):
            too_big.append(f"{rel}: {lines}")
    assert not too_big, too_big


def _named(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        if node.attr == "value" and isinstance(node.value, ast.Attribute):
            return node.value.attr
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def _literals(node: ast.AST) -> list[ast.Constant]:
    items = list(node.elts) if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [c for c in items if isinstance(c, ast.Constant) and c.value in VALUES]


def _state_literals(tree: ast.AST) -> list[tuple[int, object]]:
    found: list[tuple[int, object]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if {_named(s) for s in sides} & NAMES:
                found += [(c.lineno, c.value) for s in sides for c in _literals(s)]
        elif isinstance(node, ast.keyword) and node.arg in NAMES:
            found += [(c.lineno, c.value) for c in _literals(node.value)]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in NAMES:
                    found += [(c.lineno, c.value) for c in _literals(value)]
    return found


def test_no_state_or_kind_is_a_string_literal_outside_its_enum() -> None:
    offenders = []
    for path in _modules():
        if path.name in ENUM_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(PACKAGE)}:{n}: {v!r}" for n, v in _state_literals(tree)]
    assert not offenders, offenders


def test_the_literal_check_finds_what_it_looks_for() -> None:
    """The check above is not vacuous: it flags each shape it forbids."""
    code = (
        "if op.state == 'done': pass\n"
        "x = run.status in ('running', 'ok')\n"
        "start(mode='watch')\n"
        "d = {'kind': 'move'}\n"
        "ok = op.kind is OpKind.MOVE\n"
        "name = {'action': 'move'}\n"
    )
    assert sorted(v for _, v in _state_literals(ast.parse(code))) == [
        "done",
        "move",
        "ok",
        "running",
        "watch",
    ]
