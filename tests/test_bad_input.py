"""Bad rules files and bad locations: a clear one-line message, exit code 2, no file touched.

Each case goes through the library (``load_config`` raises a ``ConfigError``
whose fields name the file, the rule and the key) and through the CLI
(``run``, ``sim`` and ``check`` in a subprocess: exit code 2, the message on
stderr, no traceback), and the organized folder is byte-for-byte unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fileorganizer import ConfigError, LocationError, load_config, load_config_text, plan

SOURCE_TREE = {
    "a.txt": "alpha",
    "photo.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
    "sub": {"b.pdf": b"%PDF-1.4 fake", "empty": {}},
}


@dataclass(frozen=True)
class BadConfig:
    """A rules file that must be rejected, and what the error must say."""

    id: str
    yaml: str  # ``{src}`` is replaced by the quoted source folder
    message: str  # a fragment of the reason
    rule: str | int | None = None  # as ConfigError.rule
    key: str | None = None  # as ConfigError.key

    def text(self, src: str) -> str:
        return self.yaml.replace("{src}", src)


def _rule(body: str, name: str = "r1") -> str:
    return f"rules:\n  - name: {name}\n    locations: {{src}}\n{body}"


BAD_CONFIGS = [
    BadConfig("malformed-yaml-flow", "rules: [ {\n", "malformed YAML (line"),
    BadConfig(
        "malformed-yaml-indent",
        "rules:\n  - name: r1\n   locations: x\n  actions: [echo: hi]\n",
        "malformed YAML (line",
    ),
    BadConfig("top-level-list", "- name: r1\n", "expected a mapping with a 'rules:' list"),
    BadConfig("empty-file", "", "the file is empty"),
    BadConfig("rules-not-a-list", "rules: yes\n", "'rules' must be a list", key="rules"),
    BadConfig(
        "unknown-top-level-key",
        "rules: []\nrulez:\n  - name: r1\n",
        "unknown top-level key",
        key="rulez",
    ),
    BadConfig(
        "unknown-rule-key",
        _rule("    filtres: [extension: pdf]\n    actions: [echo: hi]\n"),
        "unknown key",
        rule="r1",
        key="filtres",
    ),
    BadConfig(
        "unknown-rule-key-unnamed-second-rule",
        "rules:\n  - locations: {src}\n    actions: [echo: hi]\n"
        "  - locations: {src}\n    action: [echo: hi]\n",
        "unknown key",
        rule=1,
        key="action",
    ),
    BadConfig(
        "unknown-filter",
        _rule("    filters: [extension: pdf, colour: red]\n    actions: [echo: hi]\n"),
        "unknown filter 'colour'",
        rule="r1",
        key="filters[1]",
    ),
    BadConfig(
        "unknown-negated-filter",
        _rule("    filters: ['not colour']\n    actions: [echo: hi]\n"),
        "unknown filter 'colour'",
        rule="r1",
        key="filters[0]",
    ),
    BadConfig(
        "unknown-action",
        _rule("    actions: [echo: hi, shred: {}]\n"),
        "unknown action 'shred'",
        rule="r1",
        key="actions[1]",
    ),
    BadConfig(
        "unknown-action-option",
        _rule("    actions:\n      - move:\n          dest: out/\n          on_clash: skip\n"),
        "unknown key",
        rule="r1",
        key="actions[0].move.on_clash",
    ),
    BadConfig(
        "bad-on-conflict-value",
        _rule("    actions:\n      - move:\n          dest: out/\n          on_conflict: nuke\n"),
        "nuke",
        rule="r1",
        key="actions[0].move.on_conflict",
    ),
    BadConfig(
        "bad-size-unit",
        _rule("    filters: [size: '>1 XB']\n    actions: [echo: hi]\n"),
        "unknown size unit 'XB'",
        rule="r1",
        key="filters[0].size",
    ),
    BadConfig(
        "bad-size-expression",
        _rule("    filters: [size: 'big']\n    actions: [echo: hi]\n"),
        "big",
        rule="r1",
        key="filters[0].size",
    ),
    BadConfig(
        "unknown-placeholder",
        _rule("    actions: [move: 'out/{nope}/']\n"),
        "unknown placeholder {nope}",
        rule="r1",
        key="actions[0].move.dest",
    ),
    BadConfig(
        "placeholder-of-missing-filter",
        _rule("    filters: [extension: pdf]\n    actions: [move: 'out/{regex.year}/']\n"),
        "add that filter to the rule",
        rule="r1",
        key="actions[0].move.dest",
    ),
    BadConfig(
        "unknown-placeholder-in-echo",
        _rule("    actions: [echo: 'found {nam}']\n"),
        "unknown placeholder {nam}",
        rule="r1",
        key="actions[0].echo",
    ),
    BadConfig(
        "template-syntax-error",
        _rule("    actions: [move: 'out/{name.}/']\n"),
        "bad template 'out/{name.}/'",
        rule="r1",
        key="actions[0].move",
    ),
]


@pytest.fixture
def source(tmp_path, tree):
    src = tmp_path / "src"
    tree.make(src, SOURCE_TREE)
    return src


def _expected_fragments(case: BadConfig, path) -> list[str]:
    parts = [str(path), case.message]
    if isinstance(case.rule, str):
        parts.append(f"rule {case.rule!r}")
    elif isinstance(case.rule, int):
        parts.append(f"rule #{case.rule}")
    if case.key:
        parts.append(f"key {case.key!r}" if "." not in case.key else case.key)
    return parts


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=lambda c: c.id)
def test_bad_config_raises_config_error_naming_file_rule_and_key(
    case, source, write_config, yaml_str, tree
):
    before = tree.read(source)
    path = write_config(case.text(yaml_str(source)))

    with pytest.raises(ConfigError) as info:
        load_config(path)

    err = info.value
    assert err.file == str(path)
    assert err.rule == case.rule
    if case.key is not None:
        assert err.key is not None and err.key.startswith(case.key), err.key
    else:
        assert err.key is None
    assert err.exit_code == 2
    for fragment in _expected_fragments(case, path):
        assert fragment in str(err), (fragment, str(err))
    assert "Traceback" not in str(err)
    assert tree.read(source) == before


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=lambda c: c.id)
def test_bad_config_text_names_the_given_file_label(case, source, yaml_str):
    with pytest.raises(ConfigError) as info:
        load_config_text(case.text(yaml_str(source)), file="inline.yaml")
    assert info.value.file == "inline.yaml"
    assert str(info.value).startswith("inline.yaml: ")


def _assert_one_line_config_error(case, path, code, out, err):
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("error: "), err
    assert len(err.strip().splitlines()) == 1, err
    for fragment in _expected_fragments(case, path):
        assert fragment in err, (fragment, err)
    assert out == ""


@pytest.mark.parametrize("command", ["run", "sim", "check"])
@pytest.mark.parametrize("case", BAD_CONFIGS, ids=lambda c: c.id)
def test_cli_bad_config_exits_2_with_one_line_message(
    case, command, source, write_config, yaml_str, tree, cli_main
):
    before = tree.read(source)
    path = write_config(case.text(yaml_str(source)))

    res = cli_main(command, "-c", path)

    _assert_one_line_config_error(case, path, res.code, res.out, res.err)
    assert tree.read(source) == before


SUBPROCESS_CASES = [
    c
    for c in BAD_CONFIGS
    if c.id
    in {
        "malformed-yaml-flow",
        "unknown-filter",
        "unknown-placeholder",
    }
]


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=lambda c: c.id)
def test_cli_process_bad_config_exits_2_with_one_line_message(
    case, source, write_config, yaml_str, tree, run_cli
):
    before = tree.read(source)
    path = write_config(case.text(yaml_str(source)))

    proc = run_cli("run", "-c", path)

    _assert_one_line_config_error(case, path, proc.returncode, proc.stdout, proc.stderr)
    assert tree.read(source) == before


def test_cli_bad_config_in_json_mode_still_exits_2_on_stderr(
    source, write_config, yaml_str, cli_main, tree
):
    before = tree.read(source)
    path = write_config(BAD_CONFIGS[0].text(yaml_str(source)))
    res = cli_main("sim", "-c", path, "--format", "json")
    assert res.code == 2
    assert "malformed YAML" in res.err
    assert res.out == ""
    assert tree.read(source) == before


def test_missing_config_file_is_a_config_error(tmp_path, cli_main):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(missing)
    assert info.value.file == str(missing)
    assert "not found" in str(info.value)

    res = cli_main("run", "-c", missing)
    assert res.code == 2
    assert str(missing) in res.err and "not found" in res.err
    assert "Traceback" not in res.err


def test_config_from_environment_variable_is_validated_too(
    source, write_config, yaml_str, cli_main, tree, monkeypatch
):
    before = tree.read(source)
    path = write_config(_rule("    actions: [shred: {}]\n").replace("{src}", yaml_str(source)))
    monkeypatch.setenv("FILEORGANIZER_CONFIG", str(path))
    res = cli_main("run")
    assert res.code == 2
    assert str(path) in res.err and "unknown action 'shred'" in res.err
    assert tree.read(source) == before


# -- missing locations ---------------------------------------------------------


def test_missing_location_is_an_error_naming_rule_and_path(tmp_path, write_config, yaml_str, tree):
    src = tmp_path / "src"
    tree.make(src, SOURCE_TREE)
    before = tree.read(tmp_path)
    missing = tmp_path / "not-there"
    path = write_config(
        f"rules:\n  - name: sorter\n    locations: [{yaml_str(src)}, {yaml_str(missing)}]\n"
        "    actions: [move: 'out/']\n"
    )
    config = load_config(path)

    with pytest.raises(LocationError) as info:
        plan(config)

    assert info.value.path == str(missing)
    assert info.value.exit_code == 2
    assert "sorter" in str(info.value) and "does not exist" in str(info.value)
    assert tree.read(tmp_path) == before


@pytest.mark.parametrize("command", ["run", "sim"])
def test_cli_missing_location_exits_2_and_moves_nothing(
    command, tmp_path, write_config, yaml_str, tree, run_cli, cli_main
):
    src = tmp_path / "src"
    tree.make(src, SOURCE_TREE)
    before = tree.read(tmp_path)
    missing = tmp_path / "not-there"
    path = write_config(
        f"rules:\n  - name: sorter\n    locations: [{yaml_str(src)}, {yaml_str(missing)}]\n"
        "    actions: [move: 'out/']\n"
    )

    if command == "run":  # a real process for one, the in-process boundary for the other
        proc = run_cli(command, "-c", path)
        code, err = proc.returncode, proc.stderr
    else:
        res = cli_main(command, "-c", path)
        code, err = res.code, res.err

    assert code == 2, err
    assert "Traceback" not in err
    assert str(missing) in err and "sorter" in err
    assert "does not exist" in err
    assert tree.read(tmp_path) == before


def test_cli_missing_folder_argument_exits_2(tmp_path, cli_main):
    missing = tmp_path / "nowhere"
    res = cli_main("run", missing)
    assert res.code == 2
    assert str(missing) in res.err
    assert "Traceback" not in res.err
    assert not missing.exists()


def test_location_that_is_a_file_is_an_error(tmp_path, write_config, yaml_str, cli_main, tree):
    tree.make(tmp_path, {"file.txt": "x"})
    path = write_config(
        f"rules:\n  - name: r1\n    locations: {yaml_str(tmp_path / 'file.txt')}\n"
        "    actions: [echo: hi]\n"
    )
    with pytest.raises(LocationError, match="is not a folder"):
        plan(load_config(path))
    res = cli_main("run", "-c", path)
    assert res.code == 2
    assert "is not a folder" in res.err
    assert tree.read(tmp_path) == {"file.txt": b"x"}


def test_unknown_cli_option_is_a_usage_error(cli_main):
    res = cli_main("run", "--frobnicate")
    assert res.code == 2
    assert "Traceback" not in res.err
    assert "frobnicate" in res.err


# -- markup-like text in messages ---------------------------------------------------


def test_cli_error_message_with_markup_like_text_is_printed_verbatim(write_config, run_cli):
    path = write_config('rules:\n  - locations: .\n    filters: ["[/]"]\n    actions: [echo: x]\n')
    proc = run_cli("check", "-c", path)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    assert "'[/]'" in proc.stderr
