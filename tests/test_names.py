"""Awkward file names and hostile template values.

- Names with spaces, newlines, tabs, leading dashes, Rich markup, glob
  characters, non-UTF-8 bytes, and the NFC and NFD forms of one name, all in
  one folder: each is sorted to the right place, both Unicode forms survive as
  distinct files, and the CLI's text and JSON output neither crash nor lose them.
- Template values containing ``/``, ``..``, ``.``, absolute paths or nothing at
  all never put a file outside the destination: they are made safe, or the
  file is left alone and reported (exit 1).
"""

from __future__ import annotations

import json
import os
import unicodedata

import pytest

from fileorganizer import apply_plan, load_config_text, plan

NFC = unicodedata.normalize("NFC", "café.txt")
NFD = unicodedata.normalize("NFD", "café.txt")
LATIN1 = b"caf\xe9.txt"  # not valid UTF-8

AWKWARD: dict[str | bytes, bytes] = {
    "with space.txt": b"1",
    " leading space.txt": b"2",
    "trailing space .txt": b"3",
    "new\nline.txt": b"4",
    "tab\there.txt": b"5",
    "-rf.txt": b"6",
    "--help.pdf": b"7",
    LATIN1: b"8",
    NFC: b"9 nfc",
    NFD: b"10 nfd",
    "[red]markup[dim].txt": b"11",
    "emoji \U0001f600.jpg": b"12",
    "*?glob[1].pdf": b"13",
    "back\\slash.txt": b"14",
    "\u202eevil.txt": b"15",
}


def _expected_sorted() -> dict[str, dict[str, bytes]]:
    out: dict[str, dict[str, bytes]] = {}
    for name, content in AWKWARD.items():
        text = os.fsdecode(name)
        ext = text.rsplit(".", 1)[1]
        out.setdefault(ext, {})[text] = content
    return out


def _by_extension_rule(loc, yaml_str) -> str:
    return (
        f"rules:\n  - name: by-ext\n    locations: {yaml_str(loc)}\n"
        "    actions: [move: '{extension}/']\n"
    )


@pytest.fixture
def awkward(tmp_path, tree):
    loc = tmp_path / "inbox"
    tree.make(loc, AWKWARD)
    assert NFC != NFD and len(os.listdir(loc)) == len(AWKWARD)
    return loc


def test_awkward_names_are_all_sorted_and_nfc_nfd_stay_distinct(awkward, tree, yaml_str):
    p = plan(load_config_text(_by_extension_rule(awkward, yaml_str)))
    result = apply_plan(p)

    assert result.ok, [(r.op.src, r.error) for r in result.failed]
    assert len(result.applied) == len(AWKWARD)
    after = tree.read(awkward)
    assert after == _expected_sorted()
    assert after["txt"][NFC] == b"9 nfc" and after["txt"][NFD] == b"10 nfd"
    assert after["txt"][os.fsdecode(LATIN1)] == b"8"
    assert os.path.exists(os.path.join(os.fsencode(awkward), b"txt", LATIN1))


def test_cli_text_output_survives_awkward_names(awkward, tree, yaml_str, write_config, run_cli):
    config = write_config(_by_extension_rule(awkward, yaml_str))

    proc = run_cli("run", "-v", "-c", config, text=False)

    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")  # strict: the output is valid UTF-8
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err
    lines = [line for line in out.splitlines() if line.startswith("move ")]
    assert len(lines) == len(AWKWARD)  # a newline in a name does not split a line
    assert any("new\\x0aline.txt" in line for line in lines)
    assert any("[red]markup[dim].txt" in line for line in lines)
    assert any("-rf.txt" in line for line in lines)
    assert tree.read(awkward) == _expected_sorted()


def test_cli_json_sim_equals_run_and_round_trips_raw_names(
    awkward, tree, yaml_str, write_config, run_cli
):
    config = write_config(_by_extension_rule(awkward, yaml_str))
    before = tree.read(awkward)

    sim = run_cli("sim", "-c", config, "--format", "json")
    assert sim.returncode == 0, sim.stderr
    assert tree.read(awkward) == before  # sim changed nothing
    run = run_cli("run", "-c", config, "--format", "json")
    assert run.returncode == 0, run.stderr

    planned = json.loads(sim.stdout)["operations"]
    done = json.loads(run.stdout)["operations"]
    pairs = {(os.fsencode(op["src"]), os.fsencode(op["dst"])) for op in planned}
    assert pairs == {(os.fsencode(op["src"]), os.fsencode(op["dst"])) for op in done}
    assert {op["status"] for op in done} == {"done"}
    # the JSON names are the real names, byte for byte (non-UTF-8 and NFD included)
    base = os.fsencode(awkward)
    expected = {
        (
            os.path.join(base, os.fsencode(n)),
            os.path.join(base, os.fsencode(os.fsdecode(n).rsplit(".", 1)[1]), os.fsencode(n)),
        )
        for n in AWKWARD
    }
    assert pairs == expected
    assert all(os.path.exists(dst) for _src, dst in pairs)
    assert tree.read(awkward) == _expected_sorted()


def test_nfc_and_nfd_names_never_replace_each_other_on_conflict(tmp_path, tree, yaml_str):
    loc = tmp_path / "inbox"
    tree.make(loc, {NFC: b"new nfc", NFD: b"new nfd"})
    tree.make(tmp_path / "out", {NFC: b"old nfc"})
    config = load_config_text(
        f"rules:\n  - name: r\n    locations: {yaml_str(loc)}\n"
        f"    actions: [move: {yaml_str(str(tmp_path / 'out') + '/')}]\n"
    )

    result = apply_plan(plan(config))

    assert result.ok
    stem = unicodedata.normalize("NFC", "café")
    assert tree.read(tmp_path / "out") == {
        NFC: b"old nfc",
        f"{stem} 2.txt": b"new nfc",
        NFD: b"new nfd",
    }
    assert tree.read(loc) == {}


def test_cli_folder_argument_with_leading_dash(tmp_path, tree, cli_main, monkeypatch):
    tree.make(tmp_path / "-rf", {"-rf.pdf": b"%PDF-1.4", "--x.unknownkind": b"?"})
    monkeypatch.chdir(tmp_path)

    res = cli_main("run", "--", "-rf")

    assert res.code == 0, res.err
    after = tree.flat(tmp_path / "-rf")
    assert sorted(after.values()) == [b"%PDF-1.4", b"?"]  # nothing lost
    [pdf] = [path for path, data in after.items() if data == b"%PDF-1.4"]
    assert pdf.endswith("/-rf.pdf")  # sorted into a kind folder, name kept


# -- hostile template values ------------------------------------------------------

REGEX_FILES = {
    ".._up.txt": b"dotdot",
    "._dot.txt": b"dot",
    "a..b_ok.txt": b"inner dots",
    "_empty.txt": b"empty group",
    "etc-passwd_abs.txt": b"abs-looking",
}
REGEX = "'^(?P<x>[^_]*)_'"


def _all_paths(tree_dict, prefix=""):
    return set(_flat(tree_dict, prefix))


def _flat(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flat(v, f"{prefix}{k}/")
        else:
            yield f"{prefix}{k}"


def _contents(d) -> list[bytes]:
    out = []
    for v in d.values():
        out.extend(_contents(v) if isinstance(v, dict) else [v])
    return sorted(out)


@pytest.mark.parametrize("absolute", [False, True], ids=["relative-OUT", "absolute-OUT"])
def test_regex_group_values_never_escape_the_destination(absolute, tmp_path, tree, yaml_str):
    loc = tmp_path / "inbox"
    tree.make(loc, REGEX_FILES)
    out = (tmp_path / "OUT") if absolute else (loc / "OUT")
    dest = f"{out}/{{regex.x}}/" if absolute else "OUT/{regex.x}/"
    config = load_config_text(
        f"rules:\n  - name: r\n    locations: {yaml_str(loc)}\n"
        f"    filters: [regex: {REGEX}]\n    actions: [move: {yaml_str(dest)}]\n"
    )

    p = plan(config)
    for op in p.operations:
        assert os.path.normpath(op.dst).startswith(str(out) + os.sep), op.dst
    result = apply_plan(p)

    assert result.ok, p.problems
    after = tree.read(tmp_path)
    assert _contents(after) == sorted(REGEX_FILES.values())  # nothing lost
    paths = _all_paths(tree.read(out))
    assert paths == {
        "__/.._up.txt",
        "_/._dot.txt",
        "a..b/a..b_ok.txt",
        "_empty.txt",
        "etc-passwd/etc-passwd_abs.txt",
    }
    assert set(after) == ({"inbox", "OUT"} if absolute else {"inbox"})


@pytest.mark.parametrize(
    ("dest", "why"),
    [
        ("{regex.x}/", "would be absolute"),
        ("{regex.x}/sub/", "would be absolute"),
        ("{regex.x}", "does not name a file or folder"),
        ("{regex.x}.{regex.x}", "does not name a file or folder"),
    ],
)
def test_empty_value_that_would_escape_is_rejected_per_file(dest, why, tmp_path, tree, yaml_str):
    loc = tmp_path / "inbox"
    tree.make(loc, {"_empty.txt": b"E", "x_ok.txt": b"K"})
    config = load_config_text(
        f"rules:\n  - name: r\n    locations: {yaml_str(loc)}\n"
        f"    filters: [regex: {REGEX}]\n    actions: [move: {yaml_str(dest)}]\n"
    )

    p = plan(config)
    # checked before applying, so a regression can never move a file out of tmp_path
    for op in p.operations:
        assert op.dst is not None and op.dst.startswith(str(loc) + os.sep), op.dst
    problems = [(pr.path, pr.message) for pr in p.problems]
    assert any(path == str(loc / "_empty.txt") and why in msg for path, msg in problems), problems
    result = apply_plan(p)

    assert not result.ok
    after = tree.read(tmp_path)
    assert after["inbox"]["_empty.txt"] == b"E"  # left alone
    assert set(after) == {"inbox"}  # nothing landed beside or above the location
    assert _contents(after) == [b"E", b"K"]


def test_cli_rejected_template_value_is_reported_and_exits_1(
    tmp_path, tree, yaml_str, write_config, cli_main
):
    loc = tmp_path / "inbox"
    tree.make(loc, {"_empty.txt": b"E", "x_ok.txt": b"K"})
    config = write_config(
        f"rules:\n  - name: sorter\n    locations: {yaml_str(loc)}\n"
        f"    filters: [regex: {REGEX}]\n    actions: [move: '{{regex.x}}/']\n"
    )

    res = cli_main("sim", "-c", config, "--format", "json")
    assert res.code == 1
    data = json.loads(res.out)
    [problem] = data["problems"]
    assert problem["path"] == str(loc / "_empty.txt") and problem["rule"] == "sorter"
    assert [op["dst"] for op in data["operations"]] == [str(loc / "x" / "x_ok.txt")]

    res = cli_main("run", "-c", config)
    assert res.code == 1, res.err
    assert "Traceback" not in res.err
    assert str(loc / "_empty.txt") in res.err and "would be absolute" in res.err
    assert tree.read(tmp_path) == {"inbox": {"_empty.txt": b"E", "x": {"x_ok.txt": b"K"}}}


def test_environment_and_expression_values_are_made_safe(tmp_path, tree, yaml_str, monkeypatch):
    loc = tmp_path / "inbox"
    tree.make(loc, {"a-..-..-b.txt": b"A", "c.txt": b"C"})
    monkeypatch.setenv("FO_TEST_UP", "../../etc")
    monkeypatch.setenv("FO_TEST_ABS", "/etc/passwd")
    config = load_config_text(
        f"rules:\n  - name: env\n    locations: {yaml_str(loc)}\n"
        "    filters: [name: c]\n"
        "    actions: [move: 'OUT/{env.FO_TEST_UP}/{env.FO_TEST_ABS}/']\n"
        f"  - name: expr\n    locations: {yaml_str(loc)}\n"
        "    filters: [name: {startswith: a}]\n"
        "    actions: [move: \"OUT/{name.replace('-', '/')}/\"]\n"
    )

    result = apply_plan(plan(config))

    assert result.ok
    assert tree.read(tmp_path) == {
        "inbox": {
            "OUT": {
                ".._.._etc": {"_etc_passwd": {"c.txt": b"C"}},
                "a_.._.._b": {"a-..-..-b.txt": b"A"},
            }
        }
    }


def test_rename_to_an_empty_or_dot_value_is_rejected(tmp_path, tree, yaml_str):
    loc = tmp_path / "inbox"
    tree.make(loc, {"_empty.txt": b"E", ".._dots.txt": b"D"})
    config = load_config_text(
        f"rules:\n  - name: r\n    locations: {yaml_str(loc)}\n"
        "    filters: [regex: '^(?P<x>[^_]*)_.+[.]txt$']\n    actions: [rename: '{regex.x}']\n"
    )

    p = plan(config)
    result = apply_plan(p)

    assert [pr.path for pr in p.problems] == [str(loc / "_empty.txt")]
    assert "not a plain file name" in p.problems[0].message
    assert not result.ok
    assert tree.read(tmp_path) == {"inbox": {"_empty.txt": b"E", "__": b"D"}}


def test_a_rule_does_not_act_again_on_its_own_output(tmp_path, tree, yaml_str):
    loc = tmp_path / "inbox"
    tree.make(loc, {"a.txt": b"A"})
    config = load_config_text(
        f"rules:\n  - name: r\n    locations: {yaml_str(loc)}\n"
        "    filters: [extension: txt]\n    actions: [rename: '{name}-x.txt']\n"
    )

    p = plan(config)

    assert [(op.src, op.dst) for op in p.operations] == [(str(loc / "a.txt"), str(loc / "a-x.txt"))]
