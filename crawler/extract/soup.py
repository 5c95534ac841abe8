"""Page trees read fast: BeautifulSoup's tree, grown from lxml's, whose CSS selectors lxml evaluates.

The page objects are written against BeautifulSoup. Its own reading of a page (``BeautifulSoup(html,
"lxml")``) and soupsieve, which answers its ``select``/``select_one`` in pure Python by walking
the whole tree for every selector, were most of the time it took to read an article page.
:func:`page_soup` returns a :class:`PageSoup` instead:

* **the same tree, grown from lxml's.** lxml's HTML parser (libxml2, the parser BeautifulSoup's
  "lxml" builder drives) builds its own tree in a millisecond; BeautifulSoup's objects are then
  made from it in document order, exactly as BeautifulSoup's builder makes them (see
  :func:`_grow`). A page lxml's tree cannot show exactly (a comment before the doctype, text
  after ``</html>``, a resource limit hit) is read by BeautifulSoup's builder, and keeps soupsieve;
* **that lxml tree is the mirror that answers selectors**, each of its elements paired with the
  tag made from it. A selector is translated to XPath by ``cssselect`` once per process and
  compiled by lxml; XPath's node sets come in document order, as soupsieve's results do;
* a selector asked of the whole page that is compound selectors (name, ``#id``, ``.class``,
  ``[attribute]`` tests) joined by descendant or child combinators is answered from an index of
  the page's classes and ids, made while the tree is grown, without an XPath walk (see
  :func:`_plan`); the translation to XPath compares the attributes HTML calls case-insensitive
  (``type``, ``rel``, ``lang``…) without case and splits class lists at every whitespace
  character, as soupsieve does;
* scoping follows soupsieve's: ``tag.select("div p")`` finds ``p`` elements inside ``tag`` whose
  ``div`` ancestor may be outside it, so a selector with a combinator, asked of a tag, is
  evaluated on the whole page and its results kept when they lie inside the tag;
* what cssselect cannot translate (``:scope`` but for ``:scope > …``, soupsieve's own extensions,
  namespaces, flags) goes to soupsieve, as does every selector asked of a tree that is not a
  page's (a copy of a tag);
* a selector none of whose alternatives can match, because the page has no attribute value
  holding a class, id or attribute text it needs (other platforms' fingerprints, asked of
  every page), is answered ``[]`` without a walk of the page (:func:`_cannot_match`);
* ``find``/``find_all`` are narrowed by the mirror: it hands BeautifulSoup's own matcher only the
  tags of the names asked, or those carrying an attribute asked (in document order), and the
  matcher decides; a string search, a copy of a tag or a retired mirror get BeautifulSoup's walk;
* changes to the page's tree keep the mirror in step: an attribute set or deleted is set or
  deleted in the mirror, a tag removed (``extract``, ``decompose``) is removed from it; anything
  inserted retires the mirror and the page goes back to soupsieve.

``NEWSARCHIVE_CHECK_SELECTORS=1`` in the environment makes every answer from the mirror be
compared with soupsieve's (or BeautifulSoup's walk, for ``find``), raising
:class:`SelectorMismatch` on the first difference.
``tests/test_soup.py`` runs every fixture page so, and compares the grown tree with
BeautifulSoup's own, object by object.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, cast

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ResultSet, SoupStrainer, Tag
from bs4.filter import ElementFilter
from cssselect import HTMLTranslator, SelectorError, parse as parse_css
from cssselect.parser import Attrib, Class, CombinedSelector, Element, Function, Hash, Matching, Negation, Pseudo
from bs4.builder import HTMLTreeBuilder
from lxml import etree
from soupsieve import css_parser as soupsieve_parser

if TYPE_CHECKING:
    from bs4.builder._lxml import LXMLTreeBuilderForXML

_CHECK = os.environ.get("NEWSARCHIVE_CHECK_SELECTORS") == "1"
#: Attributes whose values soupsieve compares without case on an HTML page (``[type=text]`` finds
#: ``type="TEXT"``), as the HTML standard says (soupsieve's own list).
_CASELESS = frozenset(soupsieve_parser.HTML_CASE_INSENSITIVE_ATTRIBUTES)


#: Whitespace to Python (``str.split``, BeautifulSoup's ``\\S+``) that XPath's ``normalize-space``
#: leaves (it knows space, tab, CR and LF); not the control characters among it (form feed,
#: vertical tab, U+001C–U+001F), which lxml takes in no XPath expression: a class list split by
#: one of those is split as soupsieve splits it by the page's index only (:func:`_plan`).
_OTHER_SPACES = "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200b))) + "\u2028\u2029\u202f\u205f\u3000"
#: Attributes BeautifulSoup keeps as a list of words on every tag; soupsieve compares their words
#: joined by one space.
_WORD_LISTS = frozenset(HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES.get("*", ()))


class _Translator(HTMLTranslator):
    """cssselect's HTML translation, matching as soupsieve matches BeautifulSoup's tree: the
    values of :data:`_CASELESS` attributes compared without case (the ``i`` flag's translation);
    a class list, and the values of the other :data:`_WORD_LISTS` attributes, split at the
    whitespace Python knows (:data:`_OTHER_SPACES`), not only at XPath's four."""

    def xpath_attrib(self, selector: Attrib) -> Any:
        name = selector.attrib.lower()
        if selector.flag is None and selector.value is not None and name in _CASELESS:
            selector = Attrib(selector.selector, selector.namespace, selector.attrib, selector.operator,
                              selector.value, flag="i")
        if name in _WORD_LISTS and selector.value is not None and not selector.namespace and selector.flag is None:
            method = getattr(self, f"xpath_attrib_{self.attribute_operator_mapping[selector.operator]}")
            xpath = self.xpath(selector.selector)
            xpath.add_condition(f"@{name}")  # the words of a missing attribute are "" too
            return method(xpath, _words(f"@{name}"), selector.value.value)
        return super().xpath_attrib(selector)

    def xpath_class(self, class_selector: Class) -> Any:
        xpath = self.xpath(class_selector.selector)
        word = class_selector.class_name
        if not word or any(char.isspace() for char in word):
            xpath.add_condition("0")
            return xpath
        # contains(@class, word): a quick test first, then the words
        xpath.add_condition(f"@class and contains(@class, {self.xpath_literal(word)}) and "
                            f"contains(concat(' ', {_words('@class')}, ' '), {self.xpath_literal(' ' + word + ' ')})")
        return xpath


def _words(attribute: str) -> str:
    """XPath for ``attribute``'s words joined by one space (what ``" ".join(value.split())`` gives)."""
    return f"normalize-space(translate({attribute}, '{_OTHER_SPACES}', '{' ' * len(_OTHER_SPACES)}'))"


_TRANSLATOR = _Translator()
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

    __slots__ = ("root", "element_of", "tag_of", "values", "_index", "_positions")

    def __init__(self, root: Any, pairs: list[tuple[Any, Tag]],
                 index: tuple[dict[str, list], dict[str, list]] | None = None):
        self.root = root
        self._index = index
        self._positions: dict[Any, int] | None = None
        # id(): Tag.__eq__ compares contents; the ids stay valid while tag_of keeps the tags alive
        self.element_of = {id(tag): element for element, tag in pairs}
        self.tag_of = {element: tag for element, tag in pairs}
        #: attribute name → every value of it on the page, joined by NUL (see :func:`_cannot_match`)
        self.values: dict[str, str] = {}

    def changed(self) -> None:
        """An element was removed, or a class or id changed: the index is made again when needed."""
        self._index = self._positions = None

    def index(self) -> tuple[dict[str, list], dict[str, list]]:
        """``(class word → elements, id → elements)``, each list in document order; class
        words split as BeautifulSoup splits them (what soupsieve matches)."""
        if self._index is None:
            self._index = ({}, {})
            for element in self.root.iter(etree.Element):
                _index_element(self._index, element, element.get("class"), element.get("id"))
        return self._index

    def positions(self) -> dict[Any, int]:
        """Element → its place in document order."""
        if self._positions is None:
            self._positions = {element: place for place, element in enumerate(self.root.iter(etree.Element))}
        return self._positions

    def attribute_values(self, name: str) -> str | None:
        """Every value of attribute ``name`` on the page, joined by NUL; ``None`` when XPath cannot
        name the attribute."""
        if name not in self.values:
            every = _every_value(name)
            if every is None:
                return None
            self.values[name] = "\0".join(every(self.root))
        return self.values[name]


@lru_cache(maxsize=256)
def _every_value(name: str) -> etree.XPath | None:
    try:
        return etree.XPath(f"//@{name}", smart_strings=False)
    except etree.XPathError:
        return None


@lru_cache(maxsize=2048)
def _needed(selector: str) -> tuple[tuple[tuple[str, str], ...], ...] | None:
    """For each alternative of ``selector`` (the comma-separated ones), the (attribute, text)
    pairs a page must hold for it to match anything: an attribute of that name whose value
    contains that text (``.x`` needs a ``class`` containing "x", ``#y`` an ``id`` containing
    "y", ``[a^=v]`` an ``a`` containing "v"…, in every compound of the alternative). ``None``
    when the selector is not cssselect's to read. A necessary condition only: XPath decides."""
    scoped = _SCOPE_CHILD.match(selector)
    try:
        parsed = parse_css(scoped.group(1) if scoped else selector)
    except SelectorError:
        return None
    return tuple(tuple(_needs(alternative.parsed_tree)) for alternative in parsed)


def _needs(tree: Any) -> list[tuple[str, str]]:
    needs: list[tuple[str, str]] = []
    while tree is not None:
        if isinstance(tree, CombinedSelector):
            needs += _needs(tree.selector)
            tree = tree.subselector
        elif isinstance(tree, Class):
            needs.append(("class", tree.class_name))
            tree = tree.selector
        elif isinstance(tree, Hash):
            needs.append(("id", tree.id))
            tree = tree.selector
        elif isinstance(tree, Attrib):
            # =, ~=, |=, ^=, $=, *= all need the value's text in the attribute (not != or [a i])
            if (tree.operator in ("=", "~=", "|=", "^=", "$=", "*=") and tree.value is not None and tree.value.value
                    and tree.flag is None and tree.namespace is None
                    and tree.attrib.lower() not in _CASELESS):  # "TEXT" holds no "text"
                needs.append((tree.attrib.lower(), tree.value.value))
            tree = tree.selector
        elif isinstance(tree, (Function, Pseudo, Negation, Matching)):
            tree = tree.selector  # the element's own part; what is inside :not(), :is()… need not exist
        else:  # the element name (or anything else): no attribute needed
            break
    return needs


def _cannot_match(mirror: _Mirror, selector: str) -> bool:
    """Whether no alternative of ``selector`` can match on the page: each lacks an attribute
    value it needs (:func:`_needed`). Selectors of other platforms' fingerprints, asked of every
    page, are mostly answered so without an XPath walk over the whole page."""
    needed = _needed(selector)
    if not needed:
        return False
    for alternative in needed:
        for attribute, text in alternative:
            values = mirror.attribute_values(attribute)
            if values is not None and text not in values:
                break  # this alternative cannot match
        else:
            return False  # this one may
    return True


# --- selectors answered from an index of the page ------------------------------------------
#
# A selector asked of the whole page whose every alternative is compound selectors (element
# name, #id, .class, [attribute] tests) joined by descendant or child combinators is answered
# without XPath: the right-most compound's candidates come from the page's class or id index (or
# lxml's walk of one tag name, or the elements having an attribute), and each is tested, its
# ancestors too for what lies left of a combinator, as soupsieve tests them. An XPath
# translation walks the whole page once per alternative; a page object asks a dozen such
# selectors of every page.

def _index_element(index: tuple[dict[str, list], dict[str, list]], element: Any, classes: str | None,
                   identifier: str | None) -> None:
    """Add ``element`` to the page's index (:meth:`_Mirror.index`) under its class words (split
    as BeautifulSoup splits them: ``str.split`` and ``\\S+`` know the same whitespace) and id."""
    if classes:
        by_class = index[0]
        for word in dict.fromkeys(classes.split()):
            found = by_class.get(word)
            if found is None:
                by_class[word] = [element]
            else:
                found.append(element)
    if identifier is not None:
        index[1].setdefault(identifier, []).append(element)


#: Attributes whose value tests stay with XPath: BeautifulSoup keeps their values as lists (soupsieve
#: compares them joined by one space), or soupsieve compares them without case in HTML.
_NOT_PLANNED = frozenset({name for names in HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES.values() for name in names}
                         | _CASELESS)
_CSS_WHITESPACE = re.compile(r"[ \t\r\n\f]+")
_ATTRIBUTE_TESTS = ("exists", "=", "~=", "|=", "^=", "$=", "*=")

#: (element name or None, ids, classes, (attribute, operator, value) tests)
Compound = tuple[str | None, tuple[str, ...], tuple[str, ...], tuple[tuple[str, str, str], ...]]
#: An alternative: (combinator with the step on its left or None for the first, compound) steps.
Steps = tuple[tuple[str | None, Compound], ...]


@lru_cache(maxsize=2048)
def _plan(selector: str) -> tuple[Steps, ...] | None:
    """``selector``'s alternatives as steps to test, or ``None`` when it is not one to plan
    (another combinator, a pseudo-class, a namespace, a flag, an attribute of :data:`_NOT_PLANNED`,
    a right-most compound with nothing to find candidates by)."""
    if _SCOPE_CHILD.match(selector) or any(mark in selector for mark in _SOUPSIEVE_ONLY):
        return None
    try:
        parsed = parse_css(selector)
    except SelectorError:
        return None
    alternatives = []
    for alternative in parsed:
        if alternative.pseudo_element:
            return None
        steps: list[tuple[str | None, Compound]] = []
        tree = alternative.parsed_tree
        while isinstance(tree, CombinedSelector):
            compound = _compound(tree.subselector)
            if tree.combinator not in (" ", ">") or compound is None:
                return None
            steps.append((tree.combinator, compound))
            tree = tree.selector
        compound = _compound(tree)
        if compound is None:
            return None
        steps.append((None, compound))
        element, ids, classes, tests = steps[0][1]
        if not (element or ids or classes or tests):
            return None  # "*" on the right: every element is a candidate, XPath's walk is as good
        alternatives.append(tuple(reversed(steps)))
    return tuple(alternatives)


def _compound(tree: Any) -> Compound | None:
    ids: list[str] = []
    classes: list[str] = []
    tests: list[tuple[str, str, str]] = []
    while True:
        if isinstance(tree, Class):
            classes.append(tree.class_name)
        elif isinstance(tree, Hash):
            ids.append(tree.id)
        elif isinstance(tree, Attrib):
            name = tree.attrib.lower()
            if (tree.namespace or tree.flag or tree.operator not in _ATTRIBUTE_TESTS or name in _NOT_PLANNED
                    or not _PLAIN_NAME.fullmatch(name)):
                return None
            tests.append((name, tree.operator, (tree.value.value if tree.value is not None else None) or ""))
        elif isinstance(tree, Element):
            if tree.namespace:
                return None
            element = tree.element.lower() if tree.element and tree.element != "*" else None
            return element, tuple(ids), tuple(classes), tuple(tests)
        else:
            return None
        tree = tree.selector


def _matches(element: Any, compound: Compound) -> bool:
    """Whether the lxml ``element`` matches ``compound`` as soupsieve matches its tag."""
    name, ids, classes, tests = compound
    if name is not None and element.tag != name:
        return False
    for wanted in ids:
        if element.get("id") != wanted:
            return False
    if classes:
        words = _NON_WHITESPACE.findall(element.get("class") or "")
        if any(wanted not in words for wanted in classes):
            return False
    for attribute, operator, wanted in tests:
        value = element.get(attribute)
        if value is None:
            return False
        if operator == "exists":
            continue
        if operator == "=":
            found = value == wanted
        elif operator == "|=":
            found = value == wanted or value.startswith(wanted + "-")
        elif not wanted:  # ~=, ^=, $=, *= with nothing to look for match nothing
            return False
        elif operator == "~=":
            found = not _CSS_WHITESPACE.search(wanted) and wanted in _CSS_WHITESPACE.split(value)
        elif operator == "^=":
            found = value.startswith(wanted)
        elif operator == "$=":
            found = value.endswith(wanted)
        else:
            found = wanted in value
        if not found:
            return False
    return True


def _left_matches(element: Any, steps: Steps, step: int) -> bool:
    """Whether what lies left of ``steps[step]`` (which ``element`` matches) matches its
    ancestors: its parent for ``>``, any ancestor for a space."""
    combinator = steps[step][0]
    left = steps[step - 1][1]
    if combinator == ">":
        parent = element.getparent()
        return parent is not None and _matches(parent, left) and (step == 1 or _left_matches(parent, steps, step - 1))
    return any(_matches(ancestor, left) and (step == 1 or _left_matches(ancestor, steps, step - 1))
               for ancestor in element.iterancestors())


def _candidates_of(mirror: _Mirror, compound: Compound) -> Any:
    """Elements of the page that may match ``compound``, in document order."""
    name, ids, classes, tests = compound
    if ids:
        return mirror.index()[1].get(ids[0], ())
    if classes:
        return mirror.index()[0].get(classes[0], ())
    if name is not None:
        return mirror.root.iter(name)
    having, root = _having(tests[0][0]), mirror.root
    if having is None:  # not reached: _compound takes plain attribute names only
        return root.iter(etree.Element)
    return [root, *having[0](root)] if tests[0][0] in root.attrib else having[0](root)


def _hits(mirror: _Mirror, steps: Steps) -> list:
    """The page's elements matching one alternative, in document order. Right to left (the
    right-most compound's candidates, their ancestors tested), but for a right-most compound
    with no class or id after one that has: then left to right, the children or descendants of
    the elements matching the rest (``ul.breadcrumb > li`` tests the breadcrumb's items, not
    every item of every menu)."""
    combinator, last = steps[-1]
    name, ids, classes, _ = last
    if len(steps) > 1 and not (ids or classes) and any(compound[1] or compound[2] for _, compound in steps[:-1]):
        anchors = _hits(mirror, steps[:-1])
        found: dict[Any, None] = {}
        for anchor in anchors:
            below = anchor.iterchildren(name or etree.Element) if combinator == ">" else anchor.iterdescendants(
                name or etree.Element)
            for element in below:
                if _matches(element, last):
                    found[element] = None
        if len(anchors) > 1:  # nested anchors: their children interleave, their descendants repeat
            return sorted(found, key=mirror.positions().__getitem__)
        return list(found)
    return [element for element in _candidates_of(mirror, last)
            if _matches(element, last) and (len(steps) == 1 or _left_matches(element, steps, len(steps) - 1))]


def _planned(mirror: _Mirror, plan: tuple[Steps, ...]) -> list:
    """The page's elements matching ``plan``, in document order."""
    found = [hits for hits in (_hits(mirror, steps) for steps in plan) if hits]
    if len(found) <= 1:
        return found[0] if found else []
    positions = mirror.positions()
    return sorted({element: None for hits in found for element in hits}, key=positions.__getitem__)


def _page_of(tag: Tag) -> PageSoup | None:
    # read from the instance: a decomposed tag has no attributes left, and BeautifulSoup's
    # __getattr__ would answer tag.parent with tag.find("parent"), which asks this again
    root = tag
    while (parent := root.__dict__.get("parent")) is not None:
        root = parent
    return root if isinstance(root, PageSoup) else None


def _mirror_select(tag: Tag, selector: str, limit: int) -> list[Tag] | None:
    """``tag.select(selector)`` answered from the page's mirror; ``None`` when it cannot be."""
    page = _page_of(tag)
    if page is None:
        return None
    mirror = page.mirror()
    if mirror is None:
        return None
    compiled = _compiled(selector)
    if compiled is None:
        return None
    if _cannot_match(mirror, selector):
        return []
    on_page, inside = compiled
    if tag is page:
        if on_page is None:
            return None
        plan = _plan(selector)
        elements = _planned(mirror, plan) if plan is not None else on_page(mirror.root)
    else:
        context = mirror.element_of.get(id(tag))
        if context is None:
            return None
        if inside is not None:
            elements = inside(context)
        elif on_page is not None:
            elements = [e for e in on_page(mirror.root) if any(a is context for a in e.iterancestors())]
        else:  # not reached: _compiled gives the whole-page XPath whenever it gives no inside one
            return None
    if limit:
        elements = elements[:limit]
    tag_of = mirror.tag_of
    return [tag_of[e] for e in elements]


def _check(tag: Tag, selector: str, mine: list[Tag], theirs: list[Tag]) -> None:
    if len(mine) != len(theirs) or any(a is not b for a, b in zip(mine, theirs)):
        raise SelectorMismatch(f"{selector!r} on <{tag.name}>: lxml found {[str(t)[:80] for t in mine]}, "
                               f"soupsieve {[str(t)[:80] for t in theirs]}")


def _frozen(value: Any) -> Any:
    """``value`` (a find argument) as a hashable key: lists and dicts as tuples."""
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    hash(value)  # TypeError for what cannot be a key
    return value


_STRAINERS: dict[Any, SoupStrainer] = {}


def _strainer(name: Any, attrs: Any, kwargs: dict[str, Any]) -> SoupStrainer:
    """BeautifulSoup's own matcher for these find arguments, made once per process when they can
    be a key (a page object asks the same few questions of every page)."""
    try:
        key = (name, attrs, *kwargs.items())
        hash(key)
    except TypeError:  # a list or a dict among them
        try:
            key = (_frozen(name), _frozen(attrs), _frozen(kwargs))
        except TypeError:
            return SoupStrainer(name, attrs, None, **kwargs)
    strainer = _STRAINERS.get(key)
    if strainer is None:
        if len(_STRAINERS) > 4096:
            _STRAINERS.clear()
        strainer = _STRAINERS[key] = SoupStrainer(name, attrs, None, **kwargs)
    return strainer


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")  #: an attribute name XPath says as it is


@lru_cache(maxsize=256)
def _having(attribute: str) -> tuple[etree.XPath, etree.XPath] | None:
    """XPath for ``(descendant, child)`` elements that have ``attribute``; ``None`` for a name
    XPath cannot say plainly (a prefix, other characters)."""
    if not _PLAIN_NAME.fullmatch(attribute):
        return None
    try:
        return etree.XPath(f"descendant::*[@{attribute}]"), etree.XPath(f"child::*[@{attribute}]")
    except etree.XPathError:
        return None


def _candidates(context: Any, strainer: SoupStrainer, recursive: bool, whole_page: bool) -> Any:
    """The elements under ``context`` (its descendants or children; the root element itself too
    when ``whole_page``) that may match ``strainer``: those of its tag names when its name rules
    are plain names, else those having an attribute it has rules for (when none of those rules
    can match a missing attribute), else all."""
    names = [rule.string for rule in strainer.name_rules]
    if strainer.name_rules and all(isinstance(n, str) and rule.function is None and rule.pattern is None
                                   and rule.present is None and rule.exclude_everything is None
                                   and not (set(n) & {":", "{", "}"}) for n, rule in zip(names, strainer.name_rules)):
        found = context.iterdescendants(*names) if recursive else context.iterchildren(*names)
        return [context, *found] if whole_page and context.tag in names else found
    for attribute, rules in strainer.attribute_rules.items():
        if all(rule.function is None and rule.present is not False and (rule.string is not None or rule.pattern
                                                                            is not None or rule.present)
               for rule in rules) and (having := _having(attribute)):
            found = having[0](context) if recursive else having[1](context)
            return [context, *found] if whole_page and attribute in context.attrib else found
    found = context.iterdescendants() if recursive else context.iterchildren()
    return [context, *found] if whole_page else found


def _mirror_find(tag: Tag, name: Any, attrs: Any, recursive: bool, string: Any, limit: int | None,
                 kwargs: dict[str, Any]) -> list[Tag] | None:
    """``tag.find_all(...)`` answered from the page's mirror; ``None`` when it cannot be.

    BeautifulSoup's own matcher decides each match: the mirror only hands it the few candidate
    tags (by tag name or attribute, in C) instead of every node of the page, in the same order."""
    if string is not None or "text" in kwargs or "_class" in kwargs or isinstance(name, ElementFilter):
        return None
    page = _page_of(tag)
    mirror = page.mirror() if page is not None else None
    if mirror is None:
        return None
    whole_page = tag is page
    context = mirror.root if whole_page else mirror.element_of.get(id(tag))
    if context is None:
        return None
    strainer = _strainer(name, attrs, kwargs)
    if whole_page and not recursive:  # the document's children: the root element only
        return [t for t in [mirror.tag_of[context]] if strainer.matches_tag(t)]
    tag_of, matches = mirror.tag_of, strainer.matches_tag
    results: list[Tag] = []
    for element in _candidates(context, strainer, recursive, whole_page):
        if not isinstance(element.tag, str):
            continue  # a comment or a processing instruction
        candidate = tag_of.get(element)
        if candidate is None:
            return None
        if matches(candidate):
            results.append(candidate)
            if limit and len(results) >= limit:
                break
    return results


# to the type checker the mixin is a Tag (it is only ever mixed into Tag's subclasses), so that its
# super() calls are Tag's methods
if TYPE_CHECKING:
    _MixinBase = Tag
else:
    _MixinBase = object


class _MirroredSelect(_MixinBase):
    """``select``/``select_one``/``find_all``/``find`` from the page's mirror; soupsieve and
    BeautifulSoup's own walk when it cannot answer."""

    def find_all(self, name: Any = None, attrs: Any = None, recursive: bool = True, string: Any = None,
                 limit: int | None = None, **kwargs: Any) -> ResultSet[Any]:
        kwargs.pop("_stacklevel", None)
        found = _mirror_find(self, name, attrs, recursive, string, limit, kwargs)
        if found is None:
            return super().find_all(name, attrs, recursive, string, limit, **kwargs)
        if _CHECK:
            _check(self, f"find_all({name!r}, {attrs!r}, {kwargs!r}, recursive={recursive})", found,
                   list(super().find_all(name, attrs, recursive, string, limit, **kwargs)))
        return ResultSet(None, found)

    def find(self, name: Any = None, attrs: Any = None, recursive: bool = True, string: Any = None,
             **kwargs: Any) -> Any:
        kwargs.pop("_stacklevel", None)
        found = _mirror_find(self, name, attrs, recursive, string, 1, kwargs)
        if found is None:
            return super().find(name, attrs, recursive, string, **kwargs)
        if _CHECK:
            theirs = super().find(name, attrs, recursive, string, **kwargs)
            _check(self, f"find({name!r}, {attrs!r}, {kwargs!r}, recursive={recursive})", found,
                   [theirs] if theirs is not None else [])
        return found[0] if found else None

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
        mirror = page.mirror() if page is not None else None
        if page is not None and mirror is not None:
            element = mirror.element_of.get(id(self))
            parent = element.getparent() if element is not None else None
            if element is None or parent is None:
                page.retire_mirror()
            else:
                mirror.changed()
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
    mirror = page.mirror() if page is not None else None
    if page is None or mirror is None:
        return
    element = mirror.element_of.get(id(tag))
    mirror.values.pop(key, None)  # that attribute's values are read again when a selector needs them
    if key in ("class", "id"):
        mirror.changed()
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
        parsed = _parse(html)
        if parsed is None:  # what lxml's tree cannot show as BeautifulSoup would read it
            super().__init__(html, "lxml", element_classes={Tag: PageTag})
            self._mirror: _Mirror | Literal[False] = False  # False: none
            return
        super().__init__("", "lxml", element_classes={Tag: PageTag})
        try:
            self._mirror = _Mirror(parsed[0], *_grow(self, *parsed))
        except _NotShown:  # read again, from the start, by BeautifulSoup's builder
            super().__init__(html, "lxml", element_classes={Tag: PageTag})
            self._mirror = False

    def mirror(self) -> _Mirror | None:
        """The lxml mirror; ``None`` when the page has none (any more)."""
        return self._mirror or None

    def retire_mirror(self) -> None:
        """The tree changed in a way the mirror does not follow: soupsieve from now on."""
        self._mirror = False

    def _insert(self, position: int, new_child: Any):
        self.retire_mirror()
        return super()._insert(position, new_child)


def page_soup(html: str | bytes) -> BeautifulSoup:
    """A whole page parsed with lxml (tolerant of broken markup), its selectors evaluated by lxml."""
    if isinstance(html, bytes):
        return BeautifulSoup(html, "lxml")
    return PageSoup(html)


#: Every ``class`` attribute value of a page, in document order.
_CLASS_VALUES = etree.XPath("//@class", smart_strings=False)


def tear_down(tree: Tag) -> None:
    """Unlink every object of ``tree`` (a page's soup, or a detached copy of an element) so that
    it is freed as soon as nothing refers to it. A tree's objects refer to each other (parent
    and children, neighbours); left linked, a dropped tree waits for the cycle collector to find
    it. For the owner of a tree it is done with: what is left of a torn-down object is an empty
    shell. Raises ``ValueError`` for an element inside a tree (its document order goes on
    past it).

    Not BeautifulSoup's ``decompose()``: it walks from the element's ``next_element``, which a
    soup's is not (its first child is), and extracts the element first, which on a page's tag
    also updates the lxml mirror."""
    if tree.parent is not None:
        raise ValueError(f"<{tree.name}> is inside a tree: only a whole tree is torn down")
    node: Any = tree.contents[0] if isinstance(tree, BeautifulSoup) and tree.contents else tree.next_element
    tree.__dict__.clear()
    while node is not None:  # document order: what follows an element's last descendant is its next sibling
        following = node.next_element
        node.__dict__.clear()
        node = following


@lru_cache(maxsize=64)
def _starting(prefix: str) -> re.Pattern:
    return re.compile("^" + re.escape(prefix), re.I)


def has_class_starting(soup: BeautifulSoup, prefix: str) -> bool:
    """Whether an element of the page has a class (a word of its ``class``) starting with
    ``prefix``, letters compared without case: what ``soup.find(class_=re.compile("^" + prefix,
    re.I))`` tells. That hands every element with a class to BeautifulSoup's matcher; with a
    mirror, lxml hands over the class values alone (a tenth of the time, for a fingerprint
    asked of every page), split into words as BeautifulSoup splits them."""
    pattern = _starting(prefix)
    page = soup if isinstance(soup, PageSoup) else None
    mirror = page.mirror() if page is not None else None
    if mirror is None:
        return soup.find(class_=pattern) is not None
    found = any(pattern.match(word) for value in _CLASS_VALUES(mirror.root) for word in _NON_WHITESPACE.findall(value))
    if _CHECK and found != (soup.find(class_=pattern) is not None):
        raise SelectorMismatch(f"class starting with {prefix!r}: the mirror says {found}")
    return found


def attribute(tag: Tag, name: str) -> str | None:
    """``tag.get(name)`` for an attribute that holds one string (``href``, ``src``, ``content``,
    ``style``…); ``None`` when the tag has none. Not for the few BeautifulSoup's HTML builders split
    into a list (``class``, ``rel``, ``headers``…: ``HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES``)."""
    return cast("str | None", tag.get(name))  # every other attribute's value is the str the parser read


# --- the tree, grown from lxml's ---------------------------------------------------------------
#
# ``BeautifulSoup(html, "lxml")`` has lxml's parser call back into Python for every start tag,
# end tag and run of text, and spends most of a page's reading there. The same parser building
# its own tree takes a millisecond; :func:`_grow` then makes BeautifulSoup's objects from that
# tree in document order, exactly as BeautifulSoup's builder would have made them: the same
# tags (its own ``Tag`` constructor, so attribute lists and substitutions are its own), the
# same string classes (``Script``, ``Stylesheet``… inside those tags; ``Comment``,
# ``ProcessingInstruction``, ``Doctype``), whitespace-only strings outside ``<pre>`` and
# ``<textarea>`` shortened to one space or newline, and the same links between them.
# ``tests/test_soup.py`` compares the two trees, object by object, on every fixture page.

_SPACES = "\x20\x0a\x09\x0c\x0d"  #: what BeautifulSoup shortens a whitespace-only string of
_NON_WHITESPACE = re.compile(r"\S+")  #: how BeautifulSoup splits a class list


def _parse(html: str) -> tuple[Any, list, list[tuple[str, str]], Any] | None:
    """``(root element, comments and PIs before it, after it, doctype or None)``; ``None`` when
    the page is one BeautifulSoup's own builder must read: lxml refuses it (an encoding
    declaration in a ``str``, say), or it has a comment before its doctype (and see
    :class:`_NotShown`)."""
    parser = etree.HTMLParser(default_doctype=False, huge_tree=True)  # as deep as BeautifulSoup's reading
    try:
        root = etree.fromstring(html, parser) if html.strip() else None
    except ValueError:  # lxml takes no encoding declaration in a str ("<?xml … encoding=…?>"): give it UTF-8
        parser = etree.HTMLParser(default_doctype=False, huge_tree=True, encoding="utf-8")
        try:
            root = etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
        except (etree.LxmlError, ValueError):
            return None
    except etree.LxmlError:
        return None
    if root is None or any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        return None
    before = list(root.itersiblings(preceding=True))[::-1]
    after = _after_root(html, list(root.itersiblings()))
    if after is None:
        return None
    info = root.getroottree().docinfo
    doctype = (info.internalDTD.name, info.public_id, info.system_url) if info.internalDTD is not None else None
    if doctype and (len(before) > 1 or before and not _is_xml_declaration(before[0])):
        return None  # the doctype's place among them is not in lxml's tree (an XML declaration comes first)
    return root, before, after, doctype  # names with "{" (namespaced, to lxml) are _grow's to find


def _is_xml_declaration(node: Any) -> bool:
    """``<?xml …?>``, which lxml's HTML parser (and so BeautifulSoup) reads as a comment."""
    return isinstance(node, etree._Comment) and (node.text or "").startswith("?xml")


_TAIL = 2048  #: where _last_html_close looks first
_HTML_CLOSE = re.compile("</html", re.I)


def _last_html_close(html: str) -> int:
    """Where the last "</html" (any case) starts in ``html``; -1 if nowhere. Looked for in the
    last :data:`_TAIL` characters first, where it nearly always is."""
    found = -1
    for match in _HTML_CLOSE.finditer(html, max(len(html) - _TAIL, 0)):
        found = match.start()
    if found < 0 and len(html) > _TAIL:
        for match in _HTML_CLOSE.finditer(html):
            found = match.start()
    return found


class _NotShown(Exception):
    """A tag or attribute name holding "{" (a template's ``{{name}}`` left in the markup): lxml's
    tree keeps it, BeautifulSoup's builder reads it as a namespaced name. Found by :func:`_grow`,
    which leaves the page to BeautifulSoup's builder."""


def _after_root(html: str, siblings: list) -> list[tuple[str, str]] | None:
    """What follows ``</html>``, as ``("text", …)`` and ``("comment", …)`` in order. lxml's
    tree keeps the comments there (``siblings``) but drops the text (a newline, usually), which
    BeautifulSoup keeps; read from the source. ``None`` when it is more than whitespace and the
    comments lxml kept."""
    end = _last_html_close(html)
    if end < 0:
        return [] if not siblings else None
    close = html.find(">", end)
    parts = re.split(r"<!--(.*?)-->", html[close + 1:], flags=re.S) if close >= 0 else [""]
    texts, comments = parts[::2], parts[1::2]
    if [getattr(node, "text", None) for node in siblings] != comments or any(
            not isinstance(node, etree._Comment) for node in siblings):
        return None
    if any(text.strip(_SPACES) for text in texts):
        return None
    found: list[tuple[str, str]] = []
    for index, text in enumerate(texts):
        if text:
            found.append(("text", text))
        if index < len(comments):
            found.append(("comment", comments[index]))
    return found


def _grow(soup: BeautifulSoup, root: Any, before: list, after: list[tuple[str, str]],
          doctype: tuple | None) -> tuple[list[tuple[Any, Tag]], tuple[dict[str, list], dict[str, list]]]:
    """Fill the empty ``soup`` from lxml's tree; returns (lxml element, tag) pairs in document
    order, and the page's index of classes and ids (:meth:`_Mirror.index`), made on the way.

    Every object is linked as ``PageElement.setup(parent, most recent)`` and
    ``parent.contents.append`` would link it; that work is written out in the loop (this is the
    hot loop of reading a page: a function call per object was a fifth of its time)."""
    builder = cast("LXMLTreeBuilderForXML", soup.builder)  # a PageSoup is read with BeautifulSoup's "lxml" builder
    containers = builder.string_containers
    keep_spaces = builder.preserve_whitespace_tags
    attribute_dict = builder.attribute_dict_class
    value_list = builder.attribute_value_list_class
    list_valued = builder.cdata_list_attributes or {}
    universal = list_valued.get("*", set())
    namespaces = builder.active_namespace_prefixes[0]
    tag_class = cast(type[Tag], soup.element_classes.get(Tag, Tag))  # PageSoup maps Tag to PageTag
    # what Tag.__init__ sets on every tag BeautifulSoup's builder makes (set here directly: the
    # constructor was a third of the time this takes); <meta> tags, whose charset BeautifulSoup
    # substitutes, go through the constructor
    common = {"parser_class": type(soup), "namespace": None, "_namespaces": namespaces, "prefix": None,
              "sourceline": None, "sourcepos": None, "attribute_value_list_class": value_list,
              "known_xml": builder.is_xml, "next_element": None, "next_sibling": None, "hidden": False,
              "cdata_list_attributes": builder.cdata_list_attributes,
              "preserve_whitespace_tags": builder.preserve_whitespace_tags}
    #: tag name → (can be empty, interesting string types, list-valued attributes), asked of the builder once
    kinds: dict[str, tuple[bool, Any, Any]] = {}
    pairs: list[tuple[Any, Tag]] = []
    index: tuple[dict[str, list], dict[str, list]] = ({}, {})  # see _Mirror.index
    last: Any = None  # the most recent object, as BeautifulSoup's _most_recent_element
    node: Any
    new_string = str.__new__
    # an explicit stack, popped from the end: (text, string class, parent, keep whitespace) to
    # add, or (element, parent tag, keep whitespace, string class inside) to open; first what
    # comes before the root element, last what comes after it
    stack: list[tuple] = [(text, Comment if kind == "comment" else NavigableString, soup, False)
                          for kind, text in reversed(after)]
    stack.append((root, soup, False, None))
    opening: list[tuple] = []
    for node in before:
        opening += _other_strings(node, soup, False, None, builder)
    if doctype:
        opening.append((Doctype._string_for_name_and_ids(*doctype), Doctype, soup, False))
    stack += reversed(opening)
    while stack:
        item = stack.pop()
        first = item[0]
        if first.__class__ is str:  # a string to add (lxml's text is str)
            text, kind, parent, preserve = item
            if not preserve and not text.strip(_SPACES):  # whitespace only (or empty)
                text = "\n" if "\n" in text else " "
            node = new_string(kind, text)
            node.hidden = False
            node.next_element = node.next_sibling = None
        else:
            element, parent, preserve, container = item
            name = element.tag
            if name.__class__ is not str:  # a comment, processing instruction or entity
                stack += reversed(_other_strings(element, parent, preserve, container, builder))
                continue
            attrs = attribute_dict(element.items())  # lxml's values are all str: nothing to convert
            if attrs:
                for key in attrs:
                    if key[0] == "{":
                        raise _NotShown(key)
                if "class" in attrs or "id" in attrs:
                    _index_element(index, element, attrs.get("class"), attrs.get("id"))
            shape = kinds.get(name)
            if shape is None:
                if "{" in name:
                    raise _NotShown(name)
                specific = list_valued.get(name.lower())
                shape = kinds[name] = (builder.can_be_empty_element(name),
                                      {containers[name]} if name in containers else tag_class.MAIN_CONTENT_STRING_TYPES,
                                      universal | specific if specific else universal)
            if name == "meta":
                node = tag_class(soup, builder, name, None, None, attrs, namespaces=namespaces)
            else:
                if attrs:
                    split = shape[2]
                    for key, value in attrs.items():
                        if key in split:
                            attrs[key] = value_list(_NON_WHITESPACE.findall(value))
                node = object.__new__(tag_class)
                state = node.__dict__
                state.update(common)
                state["name"] = name
                state["attrs"] = attrs
                state["contents"] = []
                state["can_be_empty_element"] = shape[0]
                state["interesting_string_types"] = shape[1]
            pairs.append((element, node))
            inner_preserve = preserve or name in keep_spaces
            inner_container = containers.get(name, container)
            if element.tail:
                stack.append((element.tail, container or NavigableString, parent, preserve))
            for child in reversed(element):
                stack.append((child, node, inner_preserve, inner_container))
            if element.text:
                stack.append((element.text, inner_container or NavigableString, node, inner_preserve))
        # link it: PageElement.setup(parent, last) and parent.contents.append(node)
        node.parent = parent
        node.previous_element = last
        if last is not None:
            last.next_element = node
        siblings = parent.contents
        if siblings:
            sibling = siblings[-1]
            node.previous_sibling = sibling
            sibling.next_sibling = node
        else:
            node.previous_sibling = None
        siblings.append(node)
        last = node
    soup._most_recent_element = last
    return pairs, index


def _other_strings(node: Any, parent: Any, preserve: bool, container: type | None,
                   builder: Any) -> list[tuple[str, type, Any, bool]]:
    """What :func:`_grow` adds for a node of lxml's tree that is not an element: a comment, a
    processing instruction or an entity, then its tail; as (text, string class, parent, keep
    whitespace)."""
    found: list[tuple[str, type, Any, bool]] = []
    if isinstance(node, etree._Comment):
        found.append((node.text or "", Comment, parent, preserve))
    elif isinstance(node, etree._ProcessingInstruction):
        found.append((f"{node.target} {node.text or ''}", builder.processing_instruction_class, parent, preserve))
    elif isinstance(node, etree._Entity):
        found.append((node.text or "", container or NavigableString, parent, preserve))
    if node.tail:
        found.append((node.tail, container or NavigableString, parent, preserve))
    return found
