"""A ``shell`` command's placeholders reach ``/bin/sh`` as data, never as code.

Each test renders a command for hostile values and runs it with the real
``/bin/sh``: the command writes its arguments to a file (one per line, NUL
framed), and we check that each value arrived whole and that nothing the
values spell (``$(touch ...)``, backquotes, ``;``) ran.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fileorganizer.errors import TemplateError
from fileorganizer.shellquote import check_command, render_command

HOSTILE = [
    "$(touch pwned1)",
    "`touch pwned2`",
    "a; touch pwned3 #",
    "it's",
    'say "hi"',
    "back\\slash",
    "new\nline; touch pwned4",
    "${HOME}",
    "$HOME",
    "*",
    "-rf",
    "",
    "'; touch pwned5; '",
    '"; touch pwned6; "',
    "$'\\x27'",
    "x\x01y é ü",
]


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["/bin/sh", "-c", command], cwd=cwd, capture_output=True, check=False)


def _args_written(cwd: Path) -> list[bytes]:
    return (cwd / "args").read_bytes().split(b"\0")[:-1]


def _assert_nothing_ran(cwd: Path) -> None:
    assert sorted(p.name for p in cwd.iterdir() if p.name.startswith("pwned")) == []


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize(
    "command",
    [
        "printf '%s\\0' {v} > args",  # bare
        'printf "%s\\0" "{v}" > args',  # in double quotes (organize's open "{path}")
        "printf '%s\\0' '{v}' > args",  # in single quotes
        "printf '%s\\0' \"$(printf '%s' {v})\" > args",  # inside $( ) inside double quotes
        "printf '%s\\0' x{v}y > args",  # glued to literal text
        "printf '%s\\0' {v} > args # {v}",  # and in a comment
    ],
    ids=["bare", "double-quoted", "single-quoted", "command-substitution", "glued", "comment"],
)
def test_every_value_arrives_as_one_word_and_never_runs(
    value: str, command: str, tmp_path: Path
) -> None:
    line = render_command(command, {"v": value})
    proc = _run(line, tmp_path)
    assert proc.returncode == 0, (line, proc.stderr)
    _assert_nothing_ran(tmp_path)
    expected = value
    if "x{v}y" in command:
        expected = f"x{value}y"
    if "$(printf" in command:
        expected = value.rstrip("\n")  # (command substitution drops trailing newlines)
    assert _args_written(tmp_path) == [expected.encode()]


def test_paths_with_slashes_arrive_whole(tmp_path: Path) -> None:
    from pathlib import PurePosixPath

    path = PurePosixPath("/srv/in/$(touch pwned)/a b.pdf")
    line = render_command("printf '%s\\0' {path} {path.name} > args", {"path": path})
    assert _run(line, tmp_path).returncode == 0
    _assert_nothing_ran(tmp_path)
    assert _args_written(tmp_path) == [str(path).encode(), b"a b.pdf"]


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("echo `cat {v}`", "inside backquotes"),
        ('echo "{% raw %}${x:-{% endraw %}{v}{% raw %}}{% endraw %}"', "inside ${...}"),
        ("cat <<EOF\n{v}\nEOF\n", "inside a here-document"),
        ("echo \\{v}", "right after a backslash"),
        ("echo ${v}", "right after '$'"),
        ("echo $" + "{v}", "right after '$'"),
        # a case pattern's ')' does not close $( ): where the shell is after it is not
        # followed, so every later value is refused (this one would run as code)
        ('echo "$(case a in a) echo "{v}";; esac)"', "after a 'case' inside"),
        ("( case {v} in a) echo;; esac )", "after a 'case' inside"),
        ("echo $(( {v} + 1 ))", r"inside $((...)) arithmetic"),
    ],
)
def test_a_placeholder_where_no_quoting_is_safe_is_refused(command: str, why: str) -> None:
    pattern = why.replace("$", r"\$").replace("{", r"\{").replace(".", r"\.").replace("(", r"\(")
    pattern = pattern.replace(")", r"\)")
    if "{%" not in command:  # (check reads commands without blocks)
        with pytest.raises(TemplateError, match=pattern):
            check_command(command)
    with pytest.raises(TemplateError, match=pattern + ".*cannot be passed safely"):
        render_command(command, {"v": "x", "x": "y"})


def test_here_strings_quoted_here_documents_and_escapes_are_fine(tmp_path: Path) -> None:
    line = render_command(
        "cat <<'EOF' > args\nliteral $(not run) `nor this`\nEOF\nprintf %s {v} >> args; "
        "printf '%s' \\$HOME >> args",
        {"v": "$(touch pwned)"},
    )
    assert _run(line, tmp_path).returncode == 0
    _assert_nothing_ran(tmp_path)
    assert (tmp_path / "args").read_bytes() == b"literal $(not run) `nor this`\n$(touch pwned)$HOME"


def test_blocks_render_and_values_in_them_are_quoted(tmp_path: Path) -> None:
    line = render_command(
        "{% if big %}printf '%s\\0' {v} > args{% else %}true{% endif %}",
        {"big": True, "v": "a; touch pwned"},
    )
    assert _run(line, tmp_path).returncode == 0
    _assert_nothing_ran(tmp_path)
    assert _args_written(tmp_path) == [b"a; touch pwned"]


def test_an_undefined_value_names_the_placeholder() -> None:
    with pytest.raises(TemplateError, match="'nope' is undefined"):
        render_command("echo {nope}", {})
    with pytest.raises(TemplateError, match="NUL"):
        render_command("echo {v}", {"v": "a\x00b"})
