"""The ``filecontent`` filter: a regular expression over a file's text."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, ClassVar

from fileorganizer.filters.base import FilterContext, FilterResult, RegexExprFilter, register_filter
from fileorganizer.scan import FileEntry

#: organize's default expression: the whole text, as ``{filecontent.all}``.
WHOLE_TEXT = r"(?P<all>.*)"


@register_filter
class FileContentFilter(RegexExprFilter):
    """Match a regular expression against the text inside a file.

    Reads plain text files (any text type, detected from the content) in the
    base install; PDF and DOCX need the ``content`` extra
    (``pip install 'fileorganizer[content]'``); without it, each such file is
    reported with that message. Other binary files never match. The expression is
    searched anywhere in the text (``re.search``, with ``MULTILINE`` and
    ``DOTALL``); named groups are published: ``{filecontent.invoice_no}``.

    Options: ``expr`` (the expression), ``ignore_case`` (default false). Without an
    expression (``- filecontent``) every readable file matches and its whole text is
    published as ``{filecontent}`` (and ``{filecontent.all}``, as in organize).

    ```yaml
    rules:
      - locations: ~/Scans
        filters:
          - extension: pdf
          - filecontent: 'Invoice (?P<invoice_no>\\d+)'
        actions:
          - rename: "Invoice {filecontent.invoice_no}.pdf"
    ```
    """

    filter_name: ClassVar[str] = "filecontent"
    ignore_case: bool = False
    expr: str = WHOLE_TEXT

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        """A bare ``- filecontent`` takes the whole text; a string is the expression."""
        if value is None:
            return {}
        return super().shorthand(value)

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        from fileorganizer.content.attrdict import AttrDict
        from fileorganizer.content.counting import ByteCounter
        from fileorganizer.content.mime import entry_mimetype
        from fileorganizer.content.text import extract_text

        counter = ByteCounter()
        try:
            mime = entry_mimetype(entry, counter)
            text = extract_text(entry.real_path, mimetype=mime, counter=counter)
        finally:
            ctx.bytes_read += counter.bytes_read
        if text is None:
            return FilterResult(False, AttrDict())
        m = _compiled(self.expr, self.ignore_case).search(text)
        if m is None:
            return FilterResult(False, AttrDict())
        return FilterResult(True, ContentMatch(m.groupdict(), text=m.group(0)))


class ContentMatch(dict[str, Any]):
    """Named groups as ``{filecontent.name}``; ``{filecontent}`` alone is the matched text."""

    def __init__(self, groups: dict[str, Any], *, text: str) -> None:
        super().__init__(groups)
        self._text = text

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __str__(self) -> str:
        return self._text


@lru_cache(maxsize=128)
def _compiled(expr: str, ignore_case: bool) -> re.Pattern[str]:
    flags = re.MULTILINE | re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(expr, flags)
