# newsarchive: `make demo` (sample portal -> crawl -> Datasette) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PORTAL_PORT ?= 8000
DEMO_PORT ?= 8001
DEMO_DB ?= archive.db
DEMO_START := http://127.0.0.1:$(DEMO_PORTAL_PORT)/vi/news/tin-hoat-dong-cum-khoi-thi-dua/

.PHONY: install demo test bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The application alone (what `make demo` needs) ...
$(VENV)/.installed-app: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# ... and with the test tools (pytest, Hypothesis, Playwright), for `make test` and `make bench`.
$(VENV)/.installed: $(VENV)/.installed-app
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# Serves the bundled sample portal on 127.0.0.1:$(DEMO_PORTAL_PORT), crawls it into $(DEMO_DB),
# then serves the archive at http://127.0.0.1:$(DEMO_PORT)/ . Ctrl-C stops both.
# Other ports: make demo DEMO_PORTAL_PORT=8100 DEMO_PORT=8101
demo: $(VENV)/.installed-app
	@set -e; \
	for port in $(DEMO_PORTAL_PORT) $(DEMO_PORT); do \
	  if $(BIN)/python -c "import socket, sys; s = socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', $$port)) != 0)"; then \
	    echo "make demo: port $$port on 127.0.0.1 is in use; choose free ports: make demo DEMO_PORTAL_PORT=8100 DEMO_PORT=8101" >&2; \
	    exit 2; \
	  fi; \
	done; \
	$(BIN)/python fixtures/server.py --port $(DEMO_PORTAL_PORT) >/dev/null 2>&1 & portal=$$!; \
	trap 'kill $$portal 2>/dev/null || true' EXIT INT TERM; \
	for i in $$(seq 50); do $(BIN)/python -c "import urllib.request as u; u.urlopen('$(DEMO_START)')" 2>/dev/null && break; sleep 0.1; done; \
	echo "sample portal: $(DEMO_START)"; \
	echo "(its «Tin khác» lists link two deleted articles on purpose: the crawl reports those two 404s as failures and archives the 14 articles)"; \
	$(BIN)/newsarchive crawl $(DEMO_START) --db $(DEMO_DB) --delay 0 --log-level WARNING; \
	echo "archive: http://127.0.0.1:$(DEMO_PORT)/  (Ctrl-C stops both)"; \
	$(BIN)/newsarchive serve --db $(DEMO_DB) --port $(DEMO_PORT)

# The linter and the type checker first (settings: [tool.ruff], [tool.mypy] in pyproject.toml),
# then the tests.
test: install
	$(BIN)/ruff check
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Measurements, not tests (bench/README.md): every fixture portal crawled end to end; a nightly
# re-crawl against a full crawl of a 5,000-article portal; the generic fallback alone on every
# fixture layout; the generic extractor against trafilatura on Zyte's public article-extraction
# benchmark (data: bench/data/article-extraction-benchmark, see bench/README.md); media as files
# or SQLite blobs; search relevance; crawl throughput against a fetch-only spider.
bench: install
	$(BIN)/python bench/sites_crawl.py
	$(BIN)/python bench/incremental.py
	$(BIN)/python bench/generic_fallback.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/media_storage.py
	$(BIN)/python bench/crawl_throughput.py
	$(BIN)/python bench/relevance.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
