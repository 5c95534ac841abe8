"""The fallback for a CMS no one has described: standard metadata first, then heuristics.

Placeholder until the heuristics land: it is the base page object's generic behaviour.
"""

from __future__ import annotations

from .base import PageObject


class GenericPage(PageObject):
    """Any page whose platform no page object recognises."""

    platform = "generic"
