"""Crawling and page parsing for the Vietnamese provincial news archive.

Sub-packages ``crawler.extract`` and ``crawler.pages`` and the module ``crawler.items`` are pure:
they never import Scrapy, so page parsing can be tested offline from saved pages.
"""
