# newsarchive in a container: crawl and serve, as a non-root user, the archive on a volume.
#
#   docker build -t newsarchive .
#   docker run -d -p 127.0.0.1:8001:8001 -v newsarchive-data:/data newsarchive            # serve /data/archive.db
#   docker run --rm -v newsarchive-data:/data newsarchive crawl --all --db /data/archive.db  # crawl into it
#
# Inside the container the server listens on 0.0.0.0 (to be reachable through the published
# port), so arbitrary SQL is off (newsarchive serve --allow-sql turns it on); publish the port on
# 127.0.0.1 and put a reverse proxy in front (README: Publishing the archive).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/newsarchive
COPY pyproject.toml README.md scrapy.cfg ./
COPY crawler ./crawler
COPY archive ./archive
RUN pip install . \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin newsarchive \
 && mkdir -p /data && chown newsarchive:newsarchive /data

USER newsarchive
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8001
ENTRYPOINT ["newsarchive"]
CMD ["serve", "--db", "/data/archive.db", "--host", "0.0.0.0", "--port", "8001"]
