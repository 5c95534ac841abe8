"""Scrapy settings: polite by default.

One connection per host; at least one second between requests to a host, raised by AutoThrottle
when a portal answers slowly; robots.txt obeyed; a descriptive User-Agent. ``newsarchive crawl
--delay 0`` switches the delay and AutoThrottle off (for loopback tests).
"""

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = (
    "newsarchive/0.1 (+research archive of Vietnamese provincial news portals; "
    "polite crawler: 1 connection per host, >=1 s delay, obeys robots.txt)"
)
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
#: Scrapy's downloader, but one that keeps CONCURRENT_REQUESTS_PER_DOMAIN without a delay too
#: (``crawler/downloader.py``)
DOWNLOADER = "crawler.downloader.HostBoundDownloader"
# The outputs of one callback, one at a time: the pipeline writes SQLite in this thread, so
# Scrapy's default (100 in parallel) only started 100 asyncio tasks for every page (a tenth of
# the crawl process's CPU) and processed them in no fixed order.
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0  # no random shortening: DOWNLOAD_DELAY is a floor
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Provincial portals are slow and flaky: retry a little, time out eventually, refuse huge pages.
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # an article page is well under 1 MB; parsing 8 MB takes ~20 s
#: An archived article's images and attachments are fetched too (``--no-media`` turns it off),
#: each up to its own size limit (``--max-image-mb``, ``--max-attachment-mb``).
MEDIA_ENABLED = True
MEDIA_IMAGE_MAXSIZE = 10 * 1024 * 1024
MEDIA_ATTACHMENT_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
#: Pages are parsed in this many processes (crawler.parsing; None: one per core, 0: in the
#: reactor thread); a page whose parse takes longer than PARSER_TIMEOUT seconds is a failure.
PARSER_WORKERS = None
PARSER_TIMEOUT = 120
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# The spider sets request priorities itself: listings, then their articles, then related links.
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
DOWNLOADER_MIDDLEWARES = {"crawler.middlewares.NoValidatorsAfterRedirect": 590,
                          "crawler.middlewares.RedirectGuard": 650,
                          "crawler.middlewares.KeepRobotsTxt": 50}
# An operator's crawl: no remote control or telnet port left listening.
EXTENSIONS = {"scrapy.extensions.remote_control.RemoteControl": None, "scrapy.extensions.telnet.TelnetConsole": None,
              "crawler.progress.Progress": 500}
#: A live progress line per portal (``crawler/progress.py``); ``newsarchive crawl`` turns it on
#: when stderr is a terminal.
PROGRESS_ENABLED = False
LOGSTATS_INTERVAL = 0  # no per-minute "Crawled N pages" line; the crawl prints its own progress

#: SQLite file the pipeline writes (``-s ARCHIVE_DB=path`` or ``newsarchive crawl --db path``).
ARCHIVE_DB = "archive.db"

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
#: ``scrapy crawl portal … -O items.jsonl`` (or .json, .csv, .xml): one record per archived
#: article (``crawler/feeds.py``), not the crawl's bookkeeping items or raw responses.
FEED_EXPORTERS = {
    "jsonlines": "crawler.feeds.ArticleJsonLinesExporter",
    "jsonl": "crawler.feeds.ArticleJsonLinesExporter",
    "json": "crawler.feeds.ArticleJsonExporter",
    "csv": "crawler.feeds.ArticleCsvExporter",
    "xml": "crawler.feeds.ArticleXmlExporter",
}
