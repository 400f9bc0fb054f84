"""Path templates: placeholders, expressions, format specs, and safety."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

import pytest

from fileorganizer.errors import TemplateError, UnsafePathError
from fileorganizer.templates import Template, sanitize_component

WHEN = datetime(2021, 3, 7, 8, 9, 10)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("/out/{name}.{extension}", "/out/report.PDF"),
        ("/out/{created.year}/{created.month}/", "/out/2021/3/"),
        ("/out/{created.strftime('%Y-%m')}/", "/out/2021-03/"),
        ("/out/{extension.lower()}/", "/out/pdf/"),
        ("/out/{created.month:02}/{created.day:03d}", "/out/03/007"),
        ("/out/{path.parent.name}/", "/out/in/"),
        ("/out/{'%s-%s' % (name, created.year)}", "/out/report-2021"),
    ],
)
def test_template_renders_placeholders_and_expressions(source: str, expected: str) -> None:
    ctx = {
        "name": "report",
        "extension": "PDF",
        "created": WHEN,
        "path": PurePosixPath("/data/in/report.PDF"),
    }
    assert Template(source).render_path(ctx) == expected


def test_fast_path_and_sandbox_agree_on_results() -> None:
    ctx = {"name": "a", "created": WHEN}
    fast = Template("/o/{created.year}/{name}")
    slow = Template("/o/{ created.year + 0 }/{ name ~ '' }")
    assert fast._fast is not None and slow._fast is None
    assert fast.render_path(ctx) == slow.render_path(ctx) == "/o/2021/a"


@pytest.mark.parametrize("source", ["/o/{nope}", "/o/{ nope + 1 }"])
def test_unknown_name_is_a_clear_error(source: str) -> None:
    with pytest.raises(TemplateError, match="nope"):
        Template(source).render({})


@pytest.mark.parametrize("source", ["/o/{name.__class__}", "/o/{ name.__class__.__mro__ }"])
def test_private_attributes_are_not_reachable(source: str) -> None:
    with pytest.raises(TemplateError):
        Template(source).render({"name": "x"})


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("../../etc/passwd", "/out/.._.._etc_passwd/f"),
        ("/etc", "/out/_etc/f"),
        ("..", "/out/__/f"),
        (".", "/out/_/f"),
        ("a\x00b", "/out/ab/f"),
        ("fine name", "/out/fine name/f"),
    ],
)
def test_values_from_files_cannot_escape_the_destination(value: str, rendered: str) -> None:
    for source in ("/out/{v}/f", "/out/{ v }/f", "/out/{ v ~ '' }/f"):
        assert Template(source).render_path({"v": value}) == rendered


def test_expression_building_a_parent_reference_is_made_safe() -> None:
    t = Template("/out/{ '..' + '/' + '..' }/x")
    assert t.render_path({}) == "/out/.._../x"


def test_path_values_that_would_leave_the_destination_are_rejected() -> None:
    # path objects are trusted to contain '/', so the anchor check is what stops them
    t = Template("/out/{p}/x")
    with pytest.raises(UnsafePathError, match="escapes"):
        t.render_path({"p": PurePosixPath("../../etc")})
    assert t.render_path({"p": PurePosixPath("a/b")}) == "/out/a/b/x"


def test_sanitize_component() -> None:
    assert sanitize_component("a/b") == "a_b"
    assert sanitize_component("..") == "__"
    assert sanitize_component("x\x00") == "x"


def test_bad_template_syntax_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="bad template"):
        Template("/o/{ name + }")
