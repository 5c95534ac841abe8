"""The shared frontier of a crawl fleet: Redis keys, leases, the item stream (no Scrapy here).

Several ``newsarchive crawl --frontier redis://HOST:PORT/N`` processes (on any machines) share
one crawl through one Redis database; ``newsarchive ingest --frontier … --db PATH`` is the only
process that writes the archive. Everything lives under the key prefix ``newsarchive:`` (so one
Redis database holds one fleet):

``run``            hash: ``id`` (a number, one per crawl of the fleet), ``seeds`` (JSON list of
                   start URLs), ``options`` (JSON: ``full``, ``recheck_days``, ``rotation_days``),
                   ``seeded`` (``1`` once every start request is in the queue), ``state`` (the run
                   id whose archive state the writer has published), ``saved`` (the last run id
                   the writer saved to the end)
``queue``          sorted set of pickled requests (scrapy-redis' serialization); score
                   ``-priority × 10⁹ + n``: higher priority first, first in first out within one
``leased`` / ``lease_scores`` / ``lease_deadlines``
                   requests a worker took and has not finished: token → request, → its queue score,
                   → deadline (ms, Redis clock). A worker renews its leases while it works; a
                   lease not renewed (its worker died) goes back to the queue (:meth:`Frontier.reap`)
``dupefilter``     set of request fingerprints (scrapy-redis' ``RFPDupeFilter``): each request
                   is fetched once by the whole fleet
``items``          stream of pickled items (:mod:`crawler.items`) for the writer; consumer group
                   ``ingest``
``known``          hash: URL an article is known under → ``url\\tfetch_url\\tetag\\tlast_modified``
``media:held`` / ``media:known``
                   sets of image/attachment URLs archived / archived or answered an HTTP error
``newest``, ``resume``, ``due``, ``retries``
                   the newest publication date of the run's hosts; walk depths to resume (hash);
                   archived articles due for a recheck and failed pages to retry (JSON lists)
``slot:HOST`` / ``next:HOST``
                   the host's one request in flight (a lease), the earliest time (ms, Redis' clock)
                   of the next: the delay after the last answer
``archived`` / ``hops`` / ``unfollowed`` / ``answers``
                   the run's book (:class:`crawler.crawlbook.FleetBook`): articles archived,
                   each requested article's distance from a listing (``-1``: none, a recheck),
                   the related links of articles archived some hops away, and each answer the
                   book gave, by the request whose callback asked (a callback run again after
                   its worker died gets the same answers, and hands on the same requests and
                   items)
``robots`` / ``robots:failed`` / ``robots:fetching:NETLOC``
                   robots.txt bodies fetched this run, hosts whose robots.txt could not be fetched,
                   a worker's claim to fetch one
``workers``        hash: worker name → last heartbeat (ms)

``known`` … ``retries`` are filled by the writer (:func:`publish_state`, then as it saves).
Items and requests are pickled: the Redis server must be reachable only by the fleet.
"""

from __future__ import annotations

import json
import os
import pickle
import socket
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import redis

PREFIX = "newsarchive:"
#: Seconds a worker's request lease lasts without renewal (renewed every third of it).
LEASE_SECONDS = 60.0
#: The stream's consumer group and consumer (one writer).
INGEST_GROUP = "ingest"

# Pop the best request and lease it, in one step. KEYS: queue, leased, lease_scores,
# lease_deadlines, lease counter. ARGV: lease ms. Returns {token, request} or nil.
_POP = """
local best = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #best == 0 then return nil end
redis.call('ZREM', KEYS[1], best[1])
local token = redis.call('INCR', KEYS[5])
local now = redis.call('TIME')
local deadline = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[1])
redis.call('HSET', KEYS[2], token, best[1])
redis.call('HSET', KEYS[3], token, best[2])
redis.call('ZADD', KEYS[4], deadline, token)
return {token, best[1]}
"""

# Leases past their deadline go back to the queue. KEYS: queue, leased, lease_scores,
# lease_deadlines. Returns how many.
_REAP = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ms)
for _, token in ipairs(expired) do
  local request = redis.call('HGET', KEYS[2], token)
  local score = redis.call('HGET', KEYS[3], token)
  if request then redis.call('ZADD', KEYS[1], score, request) end
  redis.call('HDEL', KEYS[2], token)
  redis.call('HDEL', KEYS[3], token)
  redis.call('ZREM', KEYS[4], token)
end
return #expired
"""

# Renew leases still held. KEYS: lease_deadlines. ARGV: lease ms, tokens...
_RENEW = """
local now = redis.call('TIME')
local deadline = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i]) end
return 0
"""

# Take a host's request slot. KEYS: slot, next. ARGV: holder, slot lease ms.
# Returns 0 (taken) or the milliseconds to wait before asking again.
_TAKE_SLOT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if redis.call('EXISTS', KEYS[1]) == 1 then return 30 end
local earliest = tonumber(redis.call('GET', KEYS[2]) or '0')
if ms < earliest then return earliest - ms end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 0
"""

# Give a host's slot back (if still this holder's): the next request may start ``delay`` ms
# after now. KEYS: slot, next. ARGV: holder, delay ms.
_GIVE_SLOT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('SET', KEYS[2], ms + tonumber(ARGV[2]), 'PX', tonumber(ARGV[2]) + 1000)
return 1
"""


def _replayable(kind: str, body: str) -> str:
    """A script of the run's book whose answer is replayable: ``body`` sets ``answer`` (a string);
    it is kept under the id of the request whose callback asked (ARGV[1], "" for none) and the
    question (``kind``, ARGV[2]), so the same question from the same request (its callback run
    again by another worker after the first one died) gets the same answer, and the replay hands
    on exactly what the first run would have. KEYS[1]: the answers hash."""
    return f"""
local asked = ARGV[1] .. '|{kind}|' .. ARGV[2]
if ARGV[1] ~= '' then
  local kept = redis.call('HGET', KEYS[1], asked)
  if kept then return kept end
end
local answer
{body}
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], asked, answer) end
return answer
"""


# An article link's distance from a listing, keeping the fewest. KEYS: answers, hops. ARGV: by,
# identity, hops. Answers the distance before ("new": not requested before; -1: requested with
# no distance, as a recheck is: never nearer).
_NEARER = _replayable("n", """
local before = redis.call('HGET', KEYS[2], ARGV[2])
if not before then
  answer = 'new'
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
else
  answer = before
  if tonumber(before) >= 0 and tonumber(ARGV[3]) < tonumber(before) then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
end
""")

# Claim an identity for a request with no distance (a recheck). KEYS: answers, hops. ARGV: by,
# identity, other identities. Answers "1", or "0" when the identity was requested already.
_CLAIM = _replayable("c", """
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then
  answer = '0'
else
  answer = '1'
  for i = 2, #ARGV do redis.call('HSETNX', KEYS[2], ARGV[i], -1) end
end
""")

# Note an article archived. KEYS: answers, archived. ARGV: by, url. Answers "1" the first time.
_ARCHIVE = _replayable("a", """
answer = tostring(redis.call('SADD', KEYS[2], ARGV[2]))
""")

# A request into the queue unless the fleet requested it before (its fingerprint in the
# fetched-once set), in one step: a worker killed in between loses nothing. KEYS: dupefilter,
# queue, push counter. ARGV: fingerprint ("" for a request never filtered), request, priority.
_ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local n = redis.call('INCR', KEYS[3]) % 1000000000
redis.call('ZADD', KEYS[2], -tonumber(ARGV[3]) * 1000000000 + n, ARGV[2])
return 1
"""


class FrontierError(Exception):
    """The frontier cannot be used (unreachable Redis, bad URL); the message says why."""


def check_url(url: str) -> str:
    """``url`` if it is a Redis URL (``redis://[:password@]host:port/db`` or ``unix://``), else
    ValueError with a message a user can act on."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("redis", "rediss", "unix") or (parts.scheme != "unix" and not parts.hostname):
        raise ValueError(f"not a Redis URL: {url!r} (expected redis://HOST:PORT/DB)")
    return url


def worker_name() -> str:
    """This process's name in the fleet: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Frontier:
    """One fleet's shared state in the Redis database at ``url``."""

    def __init__(self, url: str, lease_seconds: float = LEASE_SECONDS):
        self.url = check_url(url)
        self.lease_ms = int(lease_seconds * 1000)
        # Any: redis-py annotates each command as returning its sync or its async result
        self.redis: Any = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        try:
            self.redis.ping()
        except redis.RedisError as error:
            raise FrontierError(f"cannot reach the frontier {url}: {error}") from None
        self._pop = self.redis.register_script(_POP)
        self._reap = self.redis.register_script(_REAP)
        self._renew = self.redis.register_script(_RENEW)
        self._take_slot = self.redis.register_script(_TAKE_SLOT)
        self._give_slot = self.redis.register_script(_GIVE_SLOT)
        self._nearer = self.redis.register_script(_NEARER)
        self._claim = self.redis.register_script(_CLAIM)
        self._archive = self.redis.register_script(_ARCHIVE)
        self._enqueue = self.redis.register_script(_ENQUEUE)

    @staticmethod
    def key(name: str) -> str:
        return PREFIX + name

    # --- runs --------------------------------------------------------------------------------

    def run(self) -> dict | None:
        """The current run: ``id``, ``seeds``, ``options``, ``seeded``, ``state`` (the run id whose
        state was published), ``saved`` (the last run id the writer saved to the end); None
        before the first."""
        raw = {k.decode(): v.decode() for k, v in self.redis.hgetall(self.key("run")).items()}
        if "id" not in raw:
            return None
        return {"id": int(raw["id"]), "seeds": json.loads(raw.get("seeds", "[]")),
                "options": json.loads(raw.get("options", "{}")), "seeded": raw.get("seeded") == "1",
                "state": int(raw.get("state", 0)), "saved": int(raw.get("saved", 0))}

    def start_run(self, seeds: list[str], options: dict) -> tuple[int, bool]:
        """Seed ``seeds`` as a run: a new run (the last one's fetched-once set, robots.txt and
        state cleared) when the frontier is drained, else the running one, which gains these
        start URLs. Returns the run id and whether it is new."""
        current = self.run()
        if current is not None and not self.drained():
            seeds = list(dict.fromkeys([*current["seeds"], *seeds]))
            self.redis.hset(self.key("run"), mapping={"seeds": json.dumps(seeds), "seeded": 0})
            return current["id"], False
        run_id = (current["id"] if current else 0) + 1
        pipe = self.redis.pipeline()
        pipe.delete(*[self.key(k) for k in ("dupefilter", "robots", "robots:failed", "known", "media:held",
                                            "media:known", "newest", "resume", "due", "retries", "hops",
                                            "unfollowed", "archived", "answers")])
        pipe.hset(self.key("run"), mapping={"id": run_id, "seeds": json.dumps(seeds),
                                            "options": json.dumps(options), "seeded": 0, "state": 0})
        pipe.execute()
        return run_id, True

    def mark_saved(self, run_id: int) -> None:
        """The writer saved every item of run ``run_id`` (a writer started later waits for the next)."""
        self.redis.hset(self.key("run"), "saved", run_id)

    def mark_seeded(self) -> None:
        """Every start request of the run is in the queue (before that, an empty queue is not the end)."""
        self.redis.hset(self.key("run"), "seeded", 1)

    def wait_for_state(self, run_id: int, timeout: float, poll: float = 0.2) -> bool:
        """Wait until the writer has published the archive's state for run ``run_id``."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.run()
            if run and run["state"] >= run_id:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)

    def drained(self) -> bool:
        """Whether the run is over: seeded, nothing queued, nothing leased (expired leases first
        go back to the queue)."""
        self.reap()
        run = self.run()
        pipe = self.redis.pipeline()
        pipe.zcard(self.key("queue")).zcard(self.key("lease_deadlines"))
        queued, leased = pipe.execute()
        return bool(run and run["seeded"]) and queued == 0 and leased == 0

    # --- the request queue (leases) ----------------------------------------------------------

    def _lease_keys(self) -> list[str]:
        return [self.key(k) for k in ("queue", "leased", "lease_scores", "lease_deadlines")]

    def push(self, payload: bytes, priority: int) -> None:
        self.enqueue(payload, priority, fingerprint=None)

    def enqueue(self, payload: bytes, priority: int, fingerprint: str | None) -> bool:
        """Queue a request unless its ``fingerprint`` is in the fetched-once set (then False);
        ``None``: never filtered."""
        return bool(self._enqueue(keys=[self.key("dupefilter"), self.key("queue"), self.key("pushed")],
                                  args=[fingerprint or "", payload, priority]))

    def pop(self) -> tuple[str, bytes] | None:
        """The best queued request, leased to the caller: ``(token, payload)``."""
        found = self._pop(keys=[*self._lease_keys(), self.key("lease_counter")], args=[self.lease_ms])
        return (found[0].decode() if isinstance(found[0], bytes) else str(found[0]), found[1]) if found else None

    def settle(self, token: str) -> None:
        """The leased request ``token`` is done (its outcome is in the item stream or the queue)."""
        pipe = self.redis.pipeline()
        pipe.zrem(self.key("lease_deadlines"), token).hdel(self.key("leased"), token)
        pipe.hdel(self.key("lease_scores"), token)
        pipe.execute()

    def renew(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        if tokens:
            self._renew(keys=[self.key("lease_deadlines")], args=[self.lease_ms, *tokens])

    def give_back(self, tokens: Iterable[str]) -> int:
        """Return the leased requests ``tokens`` to the queue now (a worker stopping with work in
        hand); returns how many went back."""
        tokens = list(tokens)
        if tokens:
            self.redis.zadd(self.key("lease_deadlines"), {token: 0 for token in tokens}, xx=True)
        return self.reap() if tokens else 0

    def reap(self) -> int:
        """Put requests whose lease expired back in the queue; returns how many."""
        return int(self._reap(keys=self._lease_keys()))

    def queued(self) -> int:
        return int(self.redis.zcard(self.key("queue")))

    def leased(self) -> int:
        return int(self.redis.zcard(self.key("lease_deadlines")))

    # --- the run's book (crawler.crawlbook.FleetBook) ------------------------------------------

    def first_archived(self, url: str, by: str | None = None) -> bool:
        """Note the article ``url`` archived in this run; False when it already was (asked again
        by the same request ``by``: the same answer)."""
        return int(self._archive(keys=[self.key("answers"), self.key("archived")], args=[by or "", url])) == 1

    def nearer(self, identity: str, hops: int, by: str | None = None) -> int | None:
        found = self._nearer(keys=[self.key("answers"), self.key("hops")], args=[by or "", identity, hops])
        found = found.decode() if isinstance(found, bytes) else str(found)
        return None if found == "new" else int(found)

    def claim(self, identity: str, others: Iterable[str] = (), by: str | None = None) -> bool:
        return int(self._claim(keys=[self.key("answers"), self.key("hops")], args=[by or "", identity, *others])) == 1

    def distances(self, identities: list[str]) -> list[int | None]:
        """Each identity's distance from a listing (None: not requested, or requested with none)."""
        if not identities:
            return []
        values = self.redis.hmget(self.key("hops"), identities)
        return [None if v is None or int(v) < 0 else int(v) for v in values]

    def keep_unfollowed(self, identities: list[str], unfollowed) -> None:
        if identities:
            value = pickle.dumps(unfollowed, protocol=pickle.HIGHEST_PROTOCOL)
            self.redis.hset(self.key("unfollowed"), mapping={i: value for i in identities})

    def unfollowed(self, identity: str):
        """What the article ``identity`` left to follow (never removed: a callback run again
        after its worker died must find it again)."""
        value = self.redis.hget(self.key("unfollowed"), identity)
        return pickle.loads(value) if value is not None else None

    # --- politeness ----------------------------------------------------------------------------

    def take_slot(self, host: str, holder: str, hold_seconds: float) -> int:
        """Try to take ``host``'s one request slot, for ``hold_seconds`` at most: 0 when taken,
        else the milliseconds to wait before trying again."""
        return int(self._take_slot(keys=[self.key(f"slot:{host}"), self.key(f"next:{host}")],
                                   args=[holder, int(hold_seconds * 1000)]))

    def give_slot(self, host: str, holder: str, delay: float) -> None:
        """The answer came: give ``host``'s slot back; the next request to it may start ``delay``
        seconds from now (counted from the answer, the delay is kept as the portal sees it)."""
        self._give_slot(keys=[self.key(f"slot:{host}"), self.key(f"next:{host}")], args=[holder, int(delay * 1000)])

    # --- robots.txt ----------------------------------------------------------------------------

    def robots(self, netloc: str) -> bytes | None | bool:
        """This run's robots.txt of ``netloc``: its body, ``None`` when it could not be fetched,
        ``False`` when nobody has fetched it yet."""
        body = self.redis.hget(self.key("robots"), netloc)
        if body is not None:
            return body
        return None if self.redis.sismember(self.key("robots:failed"), netloc) else False

    def claim_robots(self, netloc: str, seconds: float) -> bool:
        """Claim the fetch of ``netloc``'s robots.txt (False: another worker is fetching it)."""
        return bool(self.redis.set(self.key(f"robots:fetching:{netloc}"), worker_name(), nx=True,
                                   px=int(seconds * 1000)))

    def keep_robots(self, netloc: str, body: bytes | None) -> None:
        if body is None:
            self.redis.sadd(self.key("robots:failed"), netloc)
        else:
            self.redis.hset(self.key("robots"), netloc, body)
        self.redis.delete(self.key(f"robots:fetching:{netloc}"))

    # --- items ---------------------------------------------------------------------------------

    def send_item(self, item) -> None:
        self.redis.xadd(self.key("items"), {b"item": pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)})

    def receive_items(self, count: int, block_ms: int, consumer: str = "writer") -> list[tuple[str, object]]:
        """Up to ``count`` items for the writer, oldest first: those delivered before and not
        acknowledged (a writer that stopped), then new ones (waiting up to ``block_ms``)."""
        stream = self.key("items")
        try:
            self.redis.xgroup_create(stream, INGEST_GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        entries: list = []
        for start in ("0", ">"):
            answer = self.redis.xreadgroup(INGEST_GROUP, consumer, {stream: start}, count=count,
                                           block=None if start == "0" else block_ms)
            entries = answer[0][1] if answer else []
            if entries:
                break
        return [(entry_id.decode(), pickle.loads(fields[b"item"])) for entry_id, fields in entries if fields]

    def ack_items(self, ids: list[str]) -> None:
        if ids:
            stream = self.key("items")
            pipe = self.redis.pipeline()
            pipe.xack(stream, INGEST_GROUP, *ids).xdel(stream, *ids)
            pipe.execute()

    def items_waiting(self) -> int:
        return int(self.redis.xlen(self.key("items")))

    # --- workers -------------------------------------------------------------------------------

    def heartbeat(self, name: str) -> None:
        self.redis.hset(self.key("workers"), name, self.now_ms())

    def leave(self, name: str) -> None:
        self.redis.hdel(self.key("workers"), name)

    def workers(self, within_seconds: float = 30) -> list[str]:
        """Workers heard from in the last ``within_seconds``."""
        now = self.now_ms()
        return [k.decode() for k, v in self.redis.hgetall(self.key("workers")).items()
                if now - int(v) <= within_seconds * 1000]

    def now_ms(self) -> int:
        seconds, micros = self.redis.time()
        return seconds * 1000 + micros // 1000

    # --- the archive's state (filled by the writer, read by workers) ---------------------------

    def known(self, urls: Iterable[str]) -> dict[str, dict]:
        urls = list(dict.fromkeys(u for u in urls if u))
        if not urls:
            return {}
        found = {}
        for url, value in zip(urls, self.redis.hmget(self.key("known"), urls)):
            if value is not None:
                found[url] = _known_row(value)
        return found

    def known_media(self, urls: Iterable[str], retry_failed: bool = False) -> set[str]:
        urls = list(dict.fromkeys(u for u in urls if u))
        if not urls:
            return set()
        flags = self.redis.smismember(self.key("media:held" if retry_failed else "media:known"), urls)
        return {url for url, flag in zip(urls, flags) if flag}

    def state(self) -> dict:
        """``newest`` (str or None), ``resume`` ({start URL: depth}), ``due``, ``retries`` (rows)."""
        pipe = self.redis.pipeline()
        pipe.get(self.key("newest")).hgetall(self.key("resume")).get(self.key("due")).get(self.key("retries"))
        newest, resume, due, retries = pipe.execute()
        return {"newest": newest.decode() if newest else None,
                "resume": {k.decode(): int(v) for k, v in resume.items()},
                "due": json.loads(due) if due else [], "retries": json.loads(retries) if retries else []}

    def publish_state(self, run_id: int, *, known: Iterable[tuple[str, dict]], media_held: Iterable[str],
                      media_known: Iterable[str], newest: str | None, resume: dict[str, int], due: list[dict],
                      retries: list[dict]) -> None:
        """The archive as the run ``run_id`` starts (the writer, once per run)."""
        pipe = self.redis.pipeline(transaction=False)
        for key in ("known", "media:held", "media:known", "newest", "resume", "due", "retries"):
            pipe.delete(self.key(key))
        n = 0
        for url, row in known:
            pipe.hset(self.key("known"), url, _known_value(row))
            n += 1
            if n % 5000 == 0:
                pipe.execute()
        for key, urls in (("media:held", media_held), ("media:known", media_known)):
            batch = []
            for url in urls:
                batch.append(url)
                if len(batch) == 5000:
                    pipe.sadd(self.key(key), *batch)
                    batch = []
            if batch:
                pipe.sadd(self.key(key), *batch)
        if newest:
            pipe.set(self.key("newest"), newest)
        if resume:
            pipe.hset(self.key("resume"), mapping=resume)
        pipe.set(self.key("due"), json.dumps(due, ensure_ascii=False))
        pipe.set(self.key("retries"), json.dumps(retries, ensure_ascii=False))
        pipe.hset(self.key("run"), "state", run_id)
        pipe.execute()

    def saved_article(self, urls: Iterable[str], row: dict) -> None:
        """The writer archived an article known under ``urls``."""
        value = _known_value(row)
        self.redis.hset(self.key("known"), mapping={u: value for u in urls})

    def saved_media(self, url: str, held: bool) -> None:
        pipe = self.redis.pipeline()
        pipe.sadd(self.key("media:known"), url)
        if held:
            pipe.sadd(self.key("media:held"), url)
        pipe.execute()


def _known_value(row: dict) -> str:
    return "\t".join(row.get(k) or "" for k in ("url", "fetch_url", "etag", "last_modified"))


def _known_row(value: bytes) -> dict:
    url, fetch_url, etag, last_modified = (value.decode().split("\t") + ["", "", "", ""])[:4]
    return {"url": url, "fetch_url": fetch_url or None, "etag": etag or None, "last_modified": last_modified or None}
