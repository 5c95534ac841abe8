"""Storage, search and serving for the Vietnamese provincial news archive.

``archive`` never imports ``crawler`` or Scrapy: it stores plain dicts.
"""
