"""Cut the few page regions a parser needs out of a 1-2 MB Amazon page, without building a tree of the whole page.

An element is found by its `id` attribute, and its end by counting opening and closing tags of the same name.
Only the small region is then parsed (with lxml), which keeps a product page parse in a few milliseconds.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

import lxml.html
from lxml.html import HtmlElement

_VOID = frozenset({"img", "input", "br", "hr", "meta", "link", "source", "area", "col", "embed", "wbr"})
_WS = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]*>")
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")


@lru_cache(maxsize=64)
def _tag_pattern(tag: str) -> re.Pattern[str]:
    return re.compile(rf"<(/?){tag}\b[^>]*?(/?)>", re.I)


class Page:
    """A page with an index of its `id` attributes, built in one sweep so each region lookup is a dict hit."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ids: dict[str, list[int]] | None = None

    @property
    def ids(self) -> dict[str, list[int]]:
        if self._ids is None:
            self._ids = _index_ids(self.text)
        return self._ids

    def has_id(self, element_id: str) -> bool:
        return element_id in self.ids

    def region(self, element_id: str) -> str | None:
        """The outer HTML of the first real element (not a string inside a script) with this id."""
        for position in self._positions(element_id):
            found = element_at(self.text, position)
            if found is not None:
                return found
        return None

    def regions(self, element_id: str) -> list[str]:
        """Every real element with this id (Amazon repeats ids across hidden templates)."""
        found = (element_at(self.text, position) for position in self._positions(element_id))
        return [element for element in found if element is not None]

    def _positions(self, element_id: str) -> list[int]:
        return [position for position in self.ids.get(element_id, ()) if not self._in_script(position)]

    def _in_script(self, position: int) -> bool:
        """Whether an `id=` at this position is inside a `<script>` element: the last one opened before it is
        not closed before it. Searched back from the position, not over the whole page."""
        opened = self.text.rfind("<script", 0, position)
        return opened != -1 and self.text.find("</script", opened, position) == -1


def _index_ids(text: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    position = text.find("id=")
    while position != -1:
        quote = text[position + 3 : position + 4]
        if quote in {'"', "'"} and text[position - 1] in " \t\n\r":
            end = text.find(quote, position + 4)
            if end != -1 and end - position < 200:
                index.setdefault(text[position + 4 : end], []).append(position)
        position = text.find("id=", position + 3)
    return index


def element_at(page: str, attr_pos: int) -> str | None:
    """The outer HTML of the element whose start tag holds the attribute at `attr_pos`.

    None when the position is not inside a start tag. An element left open runs to the end of the page.
    """
    tag_start = page.rfind("<", 0, attr_pos)
    if tag_start == -1 or page.rfind(">", tag_start, attr_pos) != -1:
        return None
    match = _TAG_NAME.match(page, tag_start)
    if match is None:
        return None
    tag = match.group(1).lower()
    head_end = page.find(">", attr_pos)
    if head_end == -1:
        return None
    if tag in _VOID or page[head_end - 1] == "/":
        return page[tag_start : head_end + 1]
    depth = 1
    for tag_match in _tag_pattern(tag).finditer(page, head_end + 1):
        if tag_match.group(1):
            depth -= 1
            if depth == 0:
                return page[tag_start : tag_match.end()]
        elif not tag_match.group(2):
            depth += 1
    return page[tag_start:]


def tree(fragment: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(fragment, create_parent="div")


def strip_scripts(fragment: str) -> str:
    return _SCRIPTS.sub(" ", _COMMENTS.sub(" ", fragment))


def text_of(fragment: str | None) -> str:
    """Visible text of a fragment: scripts, styles and tags dropped, entities decoded, whitespace collapsed."""
    if not fragment:
        return ""
    return clean(html_lib.unescape(_TAGS.sub(" ", strip_scripts(fragment))))


def clean(text: str) -> str:
    return _WS.sub(" ", text.replace("\u200e", "").replace("\u200f", "")).strip()


def attr(fragment: str | None, name: str) -> str | None:
    """The first value of attribute `name` in the fragment's tags."""
    if not fragment:
        return None
    match = re.search(rf"\b{name}\s*=\s*(\"([^\"]*)\"|'([^']*)')", fragment)
    if match is None:
        return None
    return html_lib.unescape(match.group(2) if match.group(2) is not None else match.group(3))
