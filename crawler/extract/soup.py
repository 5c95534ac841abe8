"""Page trees whose CSS selectors lxml evaluates.

The page objects are written against BeautifulSoup, whose ``select``/``select_one`` run soupsieve:
pure Python that walks the whole tree for every selector, about half of the time it takes to read
an article page. :func:`page_soup` builds the same BeautifulSoup tree (lxml's HTML parser, as
``BeautifulSoup(html, "lxml")``) as a :class:`PageSoup`, which answers ``select`` and
``select_one`` — on the tree and on any of its tags — from an lxml mirror of the page:

* the mirror is the page parsed once more by lxml (libxml2, in C: a millisecond for a typical
  page), built at the first selector; its elements are paired with the soup's tags in document
  order, and the pairing is checked (same count, same tag names). A page whose trees differ gets
  no mirror and keeps soupsieve;
* a selector is translated to XPath by ``cssselect`` once per process and compiled by lxml;
  XPath's node sets come in document order, as soupsieve's results do;
* scoping follows soupsieve's: ``tag.select("div p")`` finds ``p`` elements inside ``tag`` whose
  ``div`` ancestor may be outside it, so a selector with a combinator, asked of a tag, is
  evaluated on the whole page and its results kept when they lie inside the tag;
* what cssselect cannot translate (``:scope`` but for ``:scope > …``, soupsieve's own extensions, namespaces, flags) goes
  to soupsieve, as does every selector asked of a tree that is not a page's (a copy of a tag);
* changes to the page's tree after the mirror is built keep it in step: an attribute set or
  deleted is set or deleted in the mirror, a tag removed (``extract``, ``decompose``) is removed
  from it; anything inserted retires the mirror and the page goes back to soupsieve.

``NEWSARCHIVE_CHECK_SELECTORS=1`` in the environment makes every answer from the mirror be
compared with soupsieve's, raising :class:`SelectorMismatch` on the first difference (what the
tests run every fixture page under).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any

from bs4 import BeautifulSoup, ResultSet, Tag
from cssselect import HTMLTranslator, SelectorError, parse as parse_css
from cssselect.parser import CombinedSelector
from lxml import etree

_CHECK = os.environ.get("NEWSARCHIVE_CHECK_SELECTORS") == "1"
_TRANSLATOR = HTMLTranslator()
#: Selectors soupsieve must answer: its own extensions and what cssselect reads differently.
_SOUPSIEVE_ONLY = (":scope", ":-soup-", ":contains", "|", ":root")
_SCOPE_CHILD = re.compile(r"^\s*:scope\s*>\s*(.+)$", re.S)


class SelectorMismatch(AssertionError):
    """The mirror and soupsieve disagree on a selector (only raised in check mode)."""


@lru_cache(maxsize=2048)
def _compiled(selector: str) -> tuple[etree.XPath | None, etree.XPath | None] | None:
    """``(on the whole page, inside a tag)`` XPath for ``selector``. The second is ``None`` when
    the selector has a combinator (see the module's note on scoping); ``:scope > X`` (X's that
    are children of the tag asked) has only the second. ``None`` when soupsieve must answer."""
    scoped = _SCOPE_CHILD.match(selector)
    if scoped:
        selector = scoped.group(1)
    if any(mark in selector for mark in _SOUPSIEVE_ONLY):
        return None
    try:
        parsed = parse_css(selector)
        if any(s.pseudo_element for s in parsed) or (scoped and len(parsed) > 1):
            return None
        if scoped:
            return None, etree.XPath(_TRANSLATOR.selector_to_xpath(parsed[0], prefix="child::"))
        page = etree.XPath(" | ".join(_TRANSLATOR.selector_to_xpath(s, prefix="descendant-or-self::")
                                      for s in parsed))
        combined = any(isinstance(s.parsed_tree, CombinedSelector) for s in parsed)
        inside = None if combined else etree.XPath(" | ".join(
            _TRANSLATOR.selector_to_xpath(s, prefix="descendant::") for s in parsed))
    except (SelectorError, etree.XPathError, ValueError):
        return None
    return page, inside


class _Mirror:
    """The page as an lxml tree, its elements paired with the soup's tags."""

    __slots__ = ("root", "element_of", "tag_of", "_keep")

    def __init__(self, root: Any, pairs: list[tuple[Any, Tag]]):
        self.root = root
        self.element_of = {id(tag): element for element, tag in pairs}  # id(): Tag.__eq__ compares contents
        self.tag_of = {element: tag for element, tag in pairs}
        self._keep = pairs  # the ids above stay valid while the tags live

    @classmethod
    def of(cls, soup: BeautifulSoup, html: str) -> _Mirror | None:
        try:
            root = etree.fromstring(html, etree.HTMLParser()) if html.strip() else None
        except (etree.LxmlError, ValueError):
            return None
        if root is None:
            return None
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        tags = [node for node in soup.descendants if isinstance(node, Tag)]
        if len(elements) != len(tags) or any(e.tag != t.name for e, t in zip(elements, tags)):
            return None
        return cls(root, list(zip(elements, tags)))


def _page_of(tag: Tag) -> PageSoup | None:
    root = tag
    while root.parent is not None:
        root = root.parent
    return root if isinstance(root, PageSoup) else None


def _mirror_select(tag: Tag, selector: str, limit: int) -> list[Tag] | None:
    """``tag.select(selector)`` answered from the page's mirror; ``None`` when it cannot be."""
    page = _page_of(tag)
    if page is None:
        return None
    mirror = page.mirror()
    compiled = _compiled(selector) if mirror is not None else None
    if compiled is None:
        return None
    on_page, inside = compiled
    if tag is page:
        if on_page is None:
            return None
        elements = on_page(mirror.root)
    else:
        context = mirror.element_of.get(id(tag))
        if context is None:
            return None
        if inside is not None:
            elements = inside(context)
        else:
            elements = [e for e in on_page(mirror.root) if any(a is context for a in e.iterancestors())]
    if limit:
        elements = elements[:limit]
    tag_of = mirror.tag_of
    return [tag_of[e] for e in elements]


def _check(tag: Tag, selector: str, mine: list[Tag], theirs: list[Tag]) -> None:
    if len(mine) != len(theirs) or any(a is not b for a, b in zip(mine, theirs)):
        raise SelectorMismatch(f"{selector!r} on <{tag.name}>: lxml found {[str(t)[:80] for t in mine]}, "
                               f"soupsieve {[str(t)[:80] for t in theirs]}")


class _MirroredSelect:
    """``select``/``select_one`` from the page's mirror, soupsieve when it cannot answer."""

    def select(self, selector: str, namespaces: Any = None, limit: int = 0, **kwargs: Any) -> ResultSet[Tag]:
        found = None if namespaces or kwargs else _mirror_select(self, selector, limit)
        if found is None:
            return super().select(selector, namespaces, limit, **kwargs)
        if _CHECK:
            _check(self, selector, found, list(super().select(selector, limit=limit)))
        return ResultSet(None, found)

    def select_one(self, selector: str, namespaces: Any = None, **kwargs: Any) -> Tag | None:
        found = None if namespaces or kwargs else _mirror_select(self, selector, 1)
        if found is None:
            return super().select_one(selector, namespaces, **kwargs)
        if _CHECK:
            theirs = super().select_one(selector)
            _check(self, selector, found, [theirs] if theirs is not None else [])
        return found[0] if found else None


class PageTag(_MirroredSelect, Tag):
    """A tag of a :class:`PageSoup`: its changes reach the page's mirror."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        _mirror_attribute(self, key)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        _mirror_attribute(self, key)

    def extract(self, _self_index: int | None = None):
        page = _page_of(self)
        mirror = page._mirror if page is not None else None
        if mirror:
            element = mirror.element_of.get(id(self))
            parent = element.getparent() if element is not None else None
            if parent is None:
                page.retire_mirror()
            else:
                tail, element.tail = element.tail, None  # lxml's remove() takes the tail text along
                previous = element.getprevious()
                parent.remove(element)
                if tail:
                    if previous is not None:
                        previous.tail = (previous.tail or "") + tail
                    else:
                        parent.text = (parent.text or "") + tail
        return super().extract(_self_index)

    def _insert(self, position: int, new_child: Any):
        page = _page_of(self)
        if page is not None:
            page.retire_mirror()
        return super()._insert(position, new_child)


def _mirror_attribute(tag: Tag, key: str) -> None:
    page = _page_of(tag)
    mirror = page._mirror if page is not None else None
    if not mirror:
        return
    element = mirror.element_of.get(id(tag))
    try:
        if element is None:
            raise ValueError(key)
        if key in tag.attrs:
            value = tag.attrs[key]
            element.set(key, " ".join(value) if isinstance(value, list) else str(value))
        else:
            element.attrib.pop(key, None)
    except ValueError:  # a name or value lxml refuses
        page.retire_mirror()


class PageSoup(_MirroredSelect, BeautifulSoup):
    """A page's BeautifulSoup tree whose selectors lxml evaluates (see the module)."""

    def __init__(self, html: str):
        super().__init__(html, "lxml", element_classes={Tag: PageTag})
        self._html: str | None = html
        self._mirror: _Mirror | None | bool = None  # None: not built yet; False: none

    def mirror(self) -> _Mirror | None:
        """The lxml mirror, built at the first call; ``None`` when the page has none."""
        if self._mirror is None:
            self._mirror = _Mirror.of(self, self._html) or False
            self._html = None
        return self._mirror or None

    def retire_mirror(self) -> None:
        """The tree changed in a way the mirror does not follow: soupsieve from now on."""
        self._mirror = False
        self._html = None

    def _insert(self, position: int, new_child: Any):
        self.retire_mirror()
        return super()._insert(position, new_child)


def page_soup(html: str | bytes) -> BeautifulSoup:
    """A whole page parsed with lxml (tolerant of broken markup), its selectors evaluated by lxml."""
    if isinstance(html, bytes):
        return BeautifulSoup(html, "lxml")
    return PageSoup(html)
