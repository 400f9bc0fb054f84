"""organize 3.3 filters and defaults: python, date_added, date_lastused, macos_tags,
regex searched anywhere, a bare extension, filecontent without an expression, and
copy continuing with the copy."""

from __future__ import annotations

import os
import sys

import pytest

from fileorganizer import ConfigError, apply_plan, load_config_text, plan


def _cfg(src, body: str):
    return load_config_text(f"rules:\n  - name: r\n    locations: {src}\n{body}", file="c.yaml")


def test_python_filter_passes_on_return_and_publishes_a_dict(tmp_path):
    for n in ("hw_1.pdf", "hw_2.pdf", "hw_3.pdf"):
        (tmp_path / n).write_text(n)
    cfg = _cfg(
        tmp_path,
        "    filters:\n      - python: |\n          number = int(name.split('_')[-1])\n"
        "          if number % 2:\n"
        "              return {'number': number, 'n': {'x': size.bytes}}\n"
        "    actions:\n      - echo: '{python.number} {python.n.x}'\n",
    )
    p = plan(cfg)
    assert not p.problems
    assert sorted(op.message for op in p.operations) == ["1 8", "3 8"]


def test_python_filter_reads_the_values_of_the_rules_earlier_filters(tmp_path):
    for n in ("invoice-2024-07.pdf", "invoice-2019-01.pdf"):
        (tmp_path / n).write_text(n)
    cfg = _cfg(
        tmp_path,
        "    filters:\n      - regex: 'invoice-(?P<year>\\d+)-'\n"
        "      - python: |\n          return int(regex['year']) >= 2020\n"
        "    actions:\n      - echo: '{regex.year}'\n",
    )
    p = plan(cfg)
    assert not p.problems
    assert [op.message for op in p.operations] == ["2024"]


def test_python_filter_exception_fails_that_file_with_rule_and_line(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    cfg = _cfg(
        tmp_path,
        "    filters:\n      - python: |\n          x = 1\n          return x / 0\n"
        "    actions:\n      - echo: hi\n",
    )
    p = plan(cfg)
    assert [(x.rule, x.message) for x in p.problems] == [
        ("r", "python filter, line 2: ZeroDivisionError: division by zero")
    ]
    assert not p.operations


def test_python_filter_without_return_or_with_bad_syntax_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        _cfg(tmp_path, "    filters:\n      - python: 'x = 1'\n    actions: [echo: hi]\n")
    assert "must 'return'" in info.value.reason
    with pytest.raises(ConfigError) as info:
        _cfg(tmp_path, "    filters:\n      - python: 'return (('\n    actions: [echo: hi]\n")
    assert info.value.reason.startswith("line 1: ")
    assert info.value.key == "filters[0].python.code"


def test_date_added_and_date_lastused_fall_back_to_ctime_and_atime(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("a")
    os.utime(f, (1_000_000_000, 1_000_000_000))  # atime in 2001; ctime is now
    cfg = _cfg(
        tmp_path,
        "    filters:\n      - date_added: {days: 1, mode: newer}\n"
        "      - date_lastused: {years: 10}\n"
        "    actions:\n      - echo: '{date_added.year} {date_lastused.year}'\n",
    )
    if sys.platform == "darwin":
        pytest.skip("macOS reads Spotlight metadata instead")
    p = plan(cfg)
    from datetime import datetime

    assert [op.message for op in p.operations] == [f"{datetime.now().year} 2001"]


@pytest.mark.skipif(sys.platform == "darwin", reason="the filter works on macOS")
def test_macos_tags_filter_is_a_clear_platform_error_elsewhere(tmp_path):
    for value in ("", " red"):
        with pytest.raises(ConfigError) as info:
            _cfg(tmp_path, f"    filters:\n      - macos_tags:{value}\n    actions: [echo: hi]\n")
        assert info.value.reason == (
            f"the macos_tags filter is only available on macOS (this is {sys.platform})"
        )


def test_regex_is_searched_anywhere_in_the_name(tmp_path):
    (tmp_path / "report_2024.pdf").write_text("x")
    cfg = _cfg(
        tmp_path,
        "    filters:\n      - regex: '(?P<year>\\d{4})'\n"
        "    actions:\n      - echo: '{regex.year}'\n",
    )
    assert [op.message for op in plan(cfg).operations] == ["2024"]


def test_bare_extension_matches_files_without_one_too(tmp_path):
    (tmp_path / "README").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    cfg = _cfg(
        tmp_path, "    filters:\n      - extension\n    actions:\n      - echo: '[{extension}]'\n"
    )
    assert sorted(op.message for op in plan(cfg).operations) == ["[]", "[txt]"]


def test_filecontent_without_expression_publishes_the_whole_text(tmp_path):
    (tmp_path / "a.txt").write_text("hello\nworld")
    cfg = _cfg(
        tmp_path,
        "    filters:\n      - filecontent\n    actions:\n"
        "      - echo: '{filecontent}|{filecontent.all}'\n",
    )
    assert [op.message for op in plan(cfg).operations] == ["hello\nworld|hello\nworld"]


def test_copy_continues_with_the_copy_by_default(tmp_path, isolated_env):
    (tmp_path / "a.txt").write_text("a")
    cfg = _cfg(tmp_path, "    actions:\n      - copy: 'backup/'\n      - rename: 'b.txt'\n")
    result = apply_plan(plan(cfg))
    assert result.ok
    assert (tmp_path / "a.txt").read_text() == "a"
    assert (tmp_path / "backup" / "b.txt").read_text() == "a"
    assert not (tmp_path / "backup" / "a.txt").exists()
