"""Storage, search and serving for the Vietnamese provincial news archive.

``archive`` never imports ``crawler`` or Scrapy: it stores plain dicts.
"""


def package_version() -> str:
    """The installed newsarchive version ("unknown" in a checkout that is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsarchive")
    except PackageNotFoundError:
        return "unknown"
