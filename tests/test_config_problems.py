"""Every problem of a rules file at once, each with file, rule, key and a "did you mean".

Through the library (``ConfigError.problems``) and the CLI (``check``: one
``error:`` line per problem, exit 2), with the exact messages.
"""

from __future__ import annotations

import pytest

from fileorganizer import ConfigError, load_config, load_config_text

BAD = """\
rules:
  - name: typos
    location: inbox
    filters:
      - extention: pdf
    actions:
      - move: "out/{crated.year}/"
  - name: numbers
    locations: 42
    actions:
      - moov: x/
  - name: attrs
    locations: .
    targets: dir
    filters:
      - lastmodified
      - regex: '(?P<year>\\d{4})'
    actions:
      - move: "out/{lastmodified.yeer}/{regex.yaer}/"
      - echo: "{now.year}"
"""

EXPECTED = [
    "rule 'typos': key 'location': unknown key (did you mean 'locations'?)",
    "rule 'typos': key 'filters[0]': unknown filter 'extention' (did you mean 'extension'?)",
    "rule 'typos': key 'actions[0].move.dest': unknown placeholder {crated} in "
    "'out/{crated.year}/' (did you mean {created}?)",
    "rule 'numbers': key 'locations': a location is a folder path (text) or a mapping with "
    "'path:' (got 42, a number)",
    "rule 'numbers': key 'actions[0]': unknown action 'moov' (did you mean 'move'?)",
    "rule 'attrs': key 'targets': expected 'files' or 'dirs' (got 'dir') (did you mean 'dirs'?)",
    "rule 'attrs': key 'actions[0].move.dest': placeholder {lastmodified.yeer} in "
    "'out/{lastmodified.yeer}/{regex.yaer}/': a date-time has no 'yeer' "
    "(did you mean {lastmodified.year}?)",
    "rule 'attrs': key 'actions[0].move.dest': placeholder {regex.yaer} in "
    "'out/{lastmodified.yeer}/{regex.yaer}/': the regex expression has no group 'yaer' "
    "(did you mean {regex.year}?)",
    "rule 'attrs': key 'actions[1].echo.msg': placeholder {now.year} in '{now.year}': "
    "{now} is a function: write {now().year}",
]


def test_all_problems_of_a_file_are_reported_at_once(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert [str(p) for p in err.problems] == [f"{path}: {line}" for line in EXPECTED]
    assert str(err).splitlines() == [f"{path}: {line}" for line in EXPECTED]
    # the first problem's fields, as before
    assert (err.file, err.rule, err.key) == (str(path), "typos", "location")
    assert "LocationModel" not in str(err)


def test_cli_check_prints_one_error_line_per_problem(tmp_path, cli_main):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    res = cli_main("check", "-c", path)
    assert res.code == 2
    lines = res.err.strip().splitlines()
    assert lines[:-1] == [f"error: {path}: {line}" for line in EXPECTED]
    assert lines[-1] == f"{len(EXPECTED)} problems; nothing was changed"
    assert res.out == ""


@pytest.mark.parametrize("command", ["run", "sim"])
def test_run_and_sim_refuse_a_file_with_problems_and_touch_nothing(tmp_path, cli_main, command):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.pdf").write_text("x")
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    res = cli_main(command, "-c", path)
    assert res.code == 2
    assert f"error: {path}: {EXPECTED[0]}" in res.err
    assert (tmp_path / "inbox" / "a.pdf").exists()


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{path.stme}", "a path has no 'stme' (did you mean {path.stem}?)"),
        ("{size.bites}", "a size has no 'bites' (did you mean {size.bytes}?)"),
        ("{exif.imgae.model}", "EXIF data has no 'imgae' (did you mean {exif.image}?)"),
        ("{lastmodified.year.foo}", "a number has no 'foo'"),
        ("{path.parent.nme}", "a path has no 'nme' (did you mean {path.parent.name}?)"),
        ("{mimetype.tpye}", "a MIME type has no 'tpye' (did you mean {mimetype.type}?)"),
    ],
)
def test_placeholder_attributes_are_checked_statically(template, message):
    text = f'rules:\n  - locations: .\n    actions:\n      - echo: "{template}"\n'
    with pytest.raises(ConfigError) as info:
        load_config_text(text, file="c.yaml")
    assert info.value.reason == f"placeholder {template} in {template!r}: {message}"


@pytest.mark.parametrize(
    "template",
    [
        "{created.strftime('%Y-%m')}",
        "{lastmodified.year:04}",
        "{exif.image.model|default('unknown')}",
        "{exif.gps.anything}",
        "{env.HOME}",
        "{now().year}",
        "{path.parent.parent.name}",
        "{size.traditional}",
        "{regex.year}",
        "{extension.upper()}",
    ],
)
def test_valid_placeholders_pass(template):
    text = (
        "rules:\n  - locations: .\n    filters:\n      - regex: '(?P<year>\\d{4})'\n"
        f'    actions:\n      - echo: "{template}"\n'
    )
    load_config_text(text, file="c.yaml")


def test_runtime_missing_exif_value_names_the_placeholder_and_suggests_a_default(tmp_path):
    from fileorganizer import plan

    (tmp_path / "a.txt").write_text("no exif here")
    cfg = load_config_text(
        f"rules:\n  - name: photos\n    locations: {tmp_path}\n"
        "    actions:\n      - echo: '{exif.image.model}'\n",
        file="c.yaml",
    )
    p = plan(cfg)
    assert [(x.rule, x.message) for x in p.problems] == [
        (
            "photos",
            "action echo: in '{exif.image.model}': this file has no value for 'image' "
            "(write {exif.image.model|default('unknown')} for files without it)",
        )
    ]
    assert "AttrDict" not in p.problems[0].message
    cfg = load_config_text(
        f"rules:\n  - name: photos\n    locations: {tmp_path}\n"
        "    actions:\n      - echo: \"{exif.image.model|default('unknown')}\"\n",
        file="c.yaml",
    )
    p = plan(cfg)
    assert not p.problems
    assert [op.message for op in p.operations] == ["unknown"]


def test_top_level_keys_for_anchors_are_allowed_and_a_typo_of_rules_is_not():
    cfg = load_config_text(
        "my_exts: &exts [pdf, txt]\nrules:\n  - locations: .\n"
        "    filters: [extension: *exts]\n    actions: [echo: hi]\n",
        file="c.yaml",
    )
    assert [str(w) for w in cfg.warnings] == [
        "c.yaml: key 'my_exts': top-level key is not used by fileorganizer (fine for YAML anchors)"
    ]
    with pytest.raises(ConfigError) as info:
        load_config_text("rulez: []\n", file="c.yaml")
    assert [str(p) for p in info.value.problems] == [
        "c.yaml: key 'rulez': unknown top-level key (did you mean 'rules'?)",
        "c.yaml: key 'rules': 'rules' is missing",
    ]


def test_every_organize_action_name_loads_or_gives_a_platform_error():
    import sys

    values = {
        "shell": "echo {name}",
        "python": "print(path)",
        "write": "{outfile: index.txt, text: '{name}'}",
        "confirm": "Go on with {name}?",
        "macos_tags": "Invoices (red)",
    }
    for name, value in values.items():
        text = f"rules:\n  - locations: .\n    actions:\n      - {name}: {value}\n"
        if name == "macos_tags" and sys.platform != "darwin":
            with pytest.raises(ConfigError) as info:
                load_config_text(text, file="c.yaml")
            assert str(info.value) == (
                "c.yaml: rule #0: key 'actions[0].macos_tags': the macos_tags action is only "
                f"available on macOS (this is {sys.platform})"
            )
            continue
        (rule,) = load_config_text(text, file="c.yaml").rules
        assert [a.name for a in rule.actions] == [name]
