"""The ``macos_tags`` action: add Finder tags (macOS only)."""

from __future__ import annotations

import plistlib
import subprocess
import sys
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import field_validator, model_validator

from fileorganizer.actions.base import Action, register_action
from fileorganizer.errors import TemplateError
from fileorganizer.filters.base import as_list
from fileorganizer.filters.macos import TAG_COLORS, read_macos_tags
from fileorganizer.operations import OpKind
from fileorganizer.payloads import TagSpec
from fileorganizer.templates import Template, compile_template

if TYPE_CHECKING:
    from fileorganizer.actions.base import PlanContext
    from fileorganizer.scan import FileEntry


def parse_tag(text: str) -> tuple[str, str]:
    """``"Invoices (red)"`` -> ``("Invoices", "red")``; no colour -> ``"none"``.

    Raises ValueError for a colour macOS does not have.
    """
    text = text.strip()
    name, color = text, "none"
    if text.endswith(")") and " (" in text:
        name, _, rest = text.rpartition(" (")
        color = rest[:-1].strip().lower()
    if color not in TAG_COLORS:
        raise ValueError(f"unknown tag colour {color!r} (known: {', '.join(TAG_COLORS)})")
    if not name:
        raise ValueError("a tag needs a name")
    return name, color


_TAGS_XATTR = "com.apple.metadata:_kMDItemUserTags"


def tags_plist(tags: list[tuple[str, str]]) -> bytes:
    """Finder's tag list as macOS stores it: a binary plist of ``"name\\ncolour-number"``."""
    return plistlib.dumps(
        [f"{n}\n{TAG_COLORS.index(c)}" if c != "none" else n for n, c in tags],
        fmt=plistlib.FMT_BINARY,
    )


def add_macos_tags(path: str, tags: tuple[tuple[str, str], ...]) -> None:
    """Add ``tags`` to the file's Finder tags (macOS ``xattr``); tags it has stay."""
    have = [parse_tag(t) for t in read_macos_tags(path)]
    names = {n for n, _ in have}
    merged = have + [t for t in tags if t[0] not in names]
    subprocess.run(
        ["xattr", "-wx", _TAGS_XATTR, tags_plist(merged).hex(), path],
        check=True,
        capture_output=True,
    )


@register_action
class MacOSTagsAction(Action):
    """Add Finder tags to the file (macOS only; on other systems ``check`` rejects it).

    Each tag is a template, with an optional colour in brackets: ``"Invoice (red)"``.
    Colours: ``none``, ``gray``, ``green``, ``purple``, ``blue``, ``yellow``, ``red``,
    ``orange``. Tags already on the file stay. Adding tags cannot be undone (the
    history records it; ``undo`` says so).

    ```yaml
    actions:
      - macos_tags:
          - "Invoices (red)"
          - "{lastmodified.year}"
    ```
    """

    action_name: ClassVar[str] = "macos_tags"
    shorthand_field: ClassVar[str | None] = "tags"
    tags: tuple[str, ...]

    @field_validator("tags", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        tags = tuple(str(x) for x in as_list(v))
        if not tags:
            raise ValueError("give at least one tag")
        for t in tags:
            compile_template(t)
            if "{" not in t:
                parse_tag(t)
        return tags

    @model_validator(mode="after")
    def _macos_only(self) -> MacOSTagsAction:
        if sys.platform != "darwin":
            raise ValueError(
                f"the macos_tags action is only available on macOS (this is {sys.platform})"
            )
        return self

    def templates(self) -> list[tuple[str, Template]]:
        return [(f"tags[{i}]", compile_template(t)) for i, t in enumerate(self.tags)]

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        tags = []
        for t in self.tags:
            try:
                tags.append(parse_tag(ctx.render(entry, t, as_path=False)))
            except ValueError as exc:
                raise TemplateError(str(exc)) from None
        spec = TagSpec(tuple(tags))
        shown = ", ".join(f"{n} ({c})" for n, c in tags)
        ctx.emit(OpKind.MACOS_TAGS, entry, self, payload=spec, message=shown)
        return entry
