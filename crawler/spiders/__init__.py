"""The one generic spider lives in :mod:`crawler.spiders.portal`."""
