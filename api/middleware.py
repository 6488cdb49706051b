"""HTTP middleware: security headers, host check, rate limit, size limit, ETag, gzip, logs."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import ipaddress
import logging
import math
import time
from collections import OrderedDict
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from geo.workspace import Workspace
from maps.offline import assets_installed

requests_log = logging.getLogger("riskmap.requests")
audit = logging.getLogger("riskmap.audit")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Reads audited like writes: the rows of people deported back or returned (analysts only).
AUDITED_READS = ("/layers/repatriations",)
#: Longest query string kept in an audit record (characters).
AUDIT_PARAMETERS_MAX = 500
GZIP_MIN = 2048
#: gzip level 1: a 3 MB answer in ~20 ms instead of ~300 ms at Starlette's 9, 15 % larger.
GZIP_LEVEL = 1
#: Reads whose answers depend only on the workspace, the query and the caller's key.
CACHED_PATHS = (
    "/scores",
    "/communes/",
    "/rankings",
    "/layers",
    "/runs",
    "/profiles",
    "/ogc",
    "/maps/",
)
#: Request headers that change an answer (the key decides province and role).
KEY_HEADERS = "Authorization, X-API-Key"
#: A kept answer: body and headers (lower-case names, ETag included).
Answer = tuple[bytes, dict[str, str]]


def add_middleware(app: FastAPI, *, max_body_mb: float) -> None:
    """Install the middleware stack (outermost first: headers, hosts, rate limit, gzip...).

    Then come the size limit, ETag / cache, and the request log and write audit.
    All are plain ASGI classes (no ``BaseHTTPMiddleware``), so a cached answer costs a
    fraction of a millisecond of the server's time.
    """
    settings = app.state.settings
    app.add_middleware(RequestLog)
    app.add_middleware(ETagCache, cache=ResponseCache(), root=settings.workspace)
    app.add_middleware(BodyLimit, max_bytes=int(max_body_mb * 1024 * 1024))
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN, compresslevel=GZIP_LEVEL)
    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    extra = [h.strip().lower() for h in settings.allowed_hosts.split(",") if h.strip()]
    app.add_middleware(LocalHosts, allowed=frozenset(LOCAL_HOSTS | set(extra)))
    app.add_middleware(SecurityHeaders)


class RequestLog:
    """Log every request; audit every write and every read of :data:`AUDITED_READS`.

    Who (the key's label, else its id), endpoint, parameters (cut short) and status. Requests
    refused without a known key (401) are not audited, so they cannot grow the audit log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, noting the status it was answered with."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            self._log(scope, status, (time.perf_counter() - start) * 1000)

    @staticmethod
    def _log(scope: Scope, status: int, ms: float) -> None:
        method, path = scope["method"], scope["path"]
        requests_log.info("%s %s %d %.0f ms", method, path, status, ms)
        who = scope.get("state", {}).get("principal_label")
        audited = method in WRITE_METHODS or (path in AUDITED_READS and status == 200)
        if not audited or (who is None and status >= 400):
            return  # a refused request without a known key is not the audit trail's to keep
        parameters = scope.get("query_string", b"").decode("latin-1")
        audit.info(
            "%s %s",
            method,
            path,
            extra={
                "actor": who or "anonymous",
                "endpoint": f"{method} {path}",
                "parameters": parameters[:AUDIT_PARAMETERS_MAX],
                "status": status,
            },
        )


class ETagCache:
    """ETag / If-None-Match on every 200 GET; answers to repeated reads kept in a cache."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, root: Path) -> None:
        self.app = app
        self.cache = cache
        self.root = root
        self._pending: dict[tuple, asyncio.Event] = {}  # keys being answered right now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache, or let the app answer and tag (and maybe keep) a 200."""
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        key = self.cache.key(request, self.root)
        if key is not None and key in self._pending:  # the same read is being answered:
            await self._pending[key].wait()  # wait for it rather than compute it again
        hit = self.cache.get(key)
        if hit is None:
            hit = await self._answer_once(key, scope, receive, send)
            if hit is None:
                return  # not a 200: already sent as the app made it
        body, headers = hit
        tag = headers["etag"]
        if tag in request.headers.get("if-none-match", ""):
            not_modified = {"ETag": tag, "Vary": KEY_HEADERS, "Cache-Control": "no-store"}
            await Response(status_code=304, headers=not_modified)(scope, receive, send)
            return
        if len(body) >= GZIP_MIN and "gzip" in request.headers.get("accept-encoding", ""):
            body = self.cache.gzipped(key, body)  # once per kept answer, not once per request
            vary = f"Accept-Encoding, {KEY_HEADERS}"
            headers = {**headers, "content-encoding": "gzip", "vary": vary}
        await Response(body, status_code=200, headers=headers)(scope, receive, send)

    async def _answer_once(self, key, scope: Scope, receive: Receive, send: Send) -> Answer | None:
        """:meth:`_answer`, kept under ``key``; other requests for ``key`` wait meanwhile."""
        if key is None:
            return await self._answer(scope, receive, send)
        done = self._pending.setdefault(key, asyncio.Event())
        try:
            hit = await self._answer(scope, receive, send)
            if hit is not None:
                self.cache.put(key, hit)
            return hit
        finally:
            if self._pending.get(key) is done:
                del self._pending[key]
            done.set()

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> Answer | None:
        """The app's 200 answer with its ETag, or None once a non-200 answer has been sent."""
        messages: list[Message] = []

        async def buffered(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, buffered)
        start = next(m for m in messages if m["type"] == "http.response.start")
        if start["status"] != 200:
            for message in messages:
                await send(message)
            return None
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in start["headers"]
            if k.lower() != b"content-length"
        }
        headers["etag"] = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        # answers depend on the key (province, role) and may hold counts of people: no cache,
        # shared or the browser's, keeps them (revalidation by ETag still saves the body)
        headers.update({"vary": KEY_HEADERS, "cache-control": "no-store"})
        return body, headers


def too_large(size: str, limit: int) -> Response:
    """The 413 problem for a body of ``size`` bytes over ``limit``."""
    return problem(
        413,
        f"the request body is {size} bytes; the limit is {limit:,} bytes (RISKMAP_MAX_UPLOAD_MB)",
        title="Too large",
    )


class BodyLimit:
    """Refuse bodies over ``max_bytes``: at once by Content-Length, else while streaming.

    A chunked body without a Content-Length is counted as it arrives and cut off once past
    the limit, so a client cannot make the server spool an unbounded upload to disk.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a byte-counting ``receive``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            await too_large(f"{int(length):,}", self.max_bytes)(scope, receive, send)
            return
        received, over = 0, False

        async def counted() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                over = True  # the app sees the client go away and stops reading
                return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not over:
                await send(message)
            elif message["type"] == "http.response.start":  # the app's answer is replaced
                await too_large(f"over {self.max_bytes:,}", self.max_bytes)(scope, receive, send)

        await self.app(scope, counted, guarded)


class ResponseCache:
    """Answers to repeated reads, kept while the workspace is unchanged.

    Only GETs of :data:`CACHED_PATHS` are kept, keyed by path, query, the key presented (so
    each caller only ever gets answers computed for its own key) and the workspace's
    :meth:`~geo.workspace.Workspace.stamp`, taken *before* the answer is computed: any write
    (layer, run, key) changes the stamp, so no answer outlives the data it was made from.
    Maps are kept too (a viewer's map is drawn on request, with fresh element ids each time).
    Exports are never kept (each one is audited), nor plans or ``/health``.
    """

    def __init__(self, entries: int = 256, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple, Answer] = OrderedDict()
        self._gzipped: dict[tuple, bytes] = {}

    def key(self, request: Request, root: Path) -> tuple | None:
        """The cache key of ``request``, or None if its answer is not to be kept."""
        path = request.url.path
        if request.method != "GET" or not path.startswith(CACHED_PATHS) or path in AUDITED_READS:
            return None  # audited reads are answered (and so audited) every time
        caller = (
            request.headers.get("authorization", "") + "|" + request.headers.get("x-api-key", "")
        )
        who = hashlib.sha256(caller.encode()).hexdigest()
        return (request.url.path, request.url.query, who, Workspace(root).stamp())

    def get(self, key: tuple | None) -> Answer | None:
        """A kept answer (body, headers), or None."""
        if key is None or key not in self._kept:
            return None
        self._kept.move_to_end(key)
        return self._kept[key]

    def put(self, key: tuple | None, answer: Answer) -> None:
        """Keep ``answer`` under ``key`` (small answers only; oldest dropped first)."""
        if key is None or len(answer[0]) > self.max_bytes:
            return
        self._kept[key] = answer
        while len(self._kept) > self.entries:
            dropped, _ = self._kept.popitem(last=False)
            self._gzipped.pop(dropped, None)

    def gzipped(self, key: tuple | None, body: bytes) -> bytes:
        """``body`` gzip-compressed, kept beside the answer of ``key`` when there is one."""
        if key is None or key not in self._kept:
            return gzip.compress(body, compresslevel=6)
        if key not in self._gzipped:
            self._gzipped[key] = gzip.compress(body, compresslevel=6)
        return self._gzipped[key]


#: The CDNs Leaflet, its plugins and their fonts come from when the npm copies are missing.
CDN_HOSTS = (
    "https://cdn.jsdelivr.net https://code.jquery.com https://netdna.bootstrapcdn.com"
    " https://cdnjs.cloudflare.com https://unpkg.com"
)
TILE_HOSTS = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"


def content_policy(*, cdn: bool = False, eval_: bool = False) -> str:
    """A Content-Security-Policy: our own files, inline scripts, tiles; CDNs only if ``cdn``.

    ``eval_``: maps need it, as leaflet-measure compiles its templates with ``new Function``.
    """
    hosts = f" {CDN_HOSTS}" if cdn else ""
    script = "'self' 'unsafe-inline'" + (" 'unsafe-eval'" if eval_ else "") + hosts
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {script}",
            f"style-src 'self' 'unsafe-inline'{hosts}",
            f"img-src 'self' data: blob: {TILE_HOSTS}{hosts}",
            f"font-src 'self' data:{hosts}",
            "connect-src 'self'",
            "worker-src 'self' blob:",  # ReDoc (/redoc) searches in a worker it builds from a blob
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


#: What a page of ours may load: our own files (Leaflet from ``/vendor``), tiles. Without the
#: npm copies (no ``make install``) the dashboard falls back on Leaflet's CDN, allowed then.
CSP = content_policy(cdn=not assets_installed())
#: An API-served map: Leaflet and plugins from ``/vendor`` (see ``api.routes.maps``).
MAP_CSP = content_policy(eval_=True)
#: A map served without the npm copies: it keeps its CDN links.
CDN_MAP_CSP = content_policy(cdn=True, eval_=True)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
#: Host names a request arriving on loopback may carry (DNS rebinding otherwise).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


class SecurityHeaders:
    """CSP, nosniff, no framing and no referrer on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, adding the headers to the answer's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


class LocalHosts:
    """A request that arrived on loopback must name a local host (or a configured one): 400."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a foreign ``Host:`` on a loopback connection; pass everything else on."""
        if scope["type"] == "http" and _on_loopback(scope):
            host = Headers(scope=scope).get("host", "")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.lower() not in self.allowed:
                detail = (
                    f"this server on loopback answers only to local host names, not {host[:80]!r}"
                    " (a reverse proxy's name goes in RISKMAP_ALLOWED_HOSTS)"
                )
                await problem(400, detail)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _on_loopback(scope: Scope) -> bool:
    """Whether the request arrived on a loopback address (test clients name none: no)."""
    server = scope.get("server") or ("", 0)
    try:
        return ipaddress.ip_address(str(server[0]).strip("[]")).is_loopback
    except ValueError:
        return False


class RateLimit:
    """A token bucket per key (per client address without one): ``per_minute`` a minute.

    Buckets hold at most ``per_minute`` tokens, refilled continuously; a request finding its
    bucket empty gets 429 problem+json with ``Retry-After``. A caller may also run only
    ``heavy_at_once`` computations (:data:`HEAVY`) at a time, which caps the CPU one key takes.
    Kept in this process's memory (each worker counts for itself). ``/health`` is not counted.
    """

    def __init__(
        self, app: ASGIApp, per_minute: int, buckets: int = 10_000, heavy_at_once: int = 2
    ) -> None:
        self.app = app
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.max_buckets = buckets
        self.heavy_at_once = heavy_at_once
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._heavy: dict[str, int] = {}  # computations running per caller

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Take a token for the caller, or answer 429."""
        if scope["type"] != "http" or self.rate <= 0 or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        caller = _caller(scope)
        wait = self.take(caller, time.monotonic())
        if wait > 0:
            reason = "too many requests for this key (RISKMAP_RATE_LIMIT_PER_MINUTE)"
            await _too_many(reason, wait)(scope, receive, send)
            return
        heavy = _is_heavy(scope)
        if heavy and self._heavy.get(caller, 0) >= self.heavy_at_once:
            reason = f"this key already has {self.heavy_at_once} computations running"
            await _too_many(reason, 1.0)(scope, receive, send)
            return
        if heavy:
            self._heavy[caller] = self._heavy.get(caller, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            if heavy:
                self._heavy[caller] -= 1
                if not self._heavy[caller]:
                    del self._heavy[caller]

    def take(self, caller: str, now: float) -> float:
        """Take one token from ``caller``'s bucket: 0, or the seconds until one is there."""
        tokens, then = self._buckets.pop(caller, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._buckets[caller] = (tokens - 1, now)
            wait = 0.0
        else:
            self._buckets[caller] = (tokens, now)
            wait = (1 - tokens) / self.rate
        while len(self._buckets) > self.max_buckets:
            self._buckets.popitem(last=False)  # the longest idle caller starts afresh
        return wait


#: Requests that compute (custom weights, plans, exports, maps): a few at once per caller.
HEAVY = (("POST", "/scores"), ("POST", "/runs"), ("GET", "/plans/"), ("GET", "/exports/"))


def _is_heavy(scope: Scope) -> bool:
    """Whether the request computes rather than reads (see :data:`HEAVY`)."""
    method, path = scope.get("method", ""), scope.get("path", "")
    return any(method == m and path.startswith(p) for m, p in HEAVY)


def _too_many(reason: str, wait: float) -> Response:
    """The 429 problem with ``Retry-After`` (whole seconds, at least 1)."""
    seconds = max(1, math.ceil(wait))
    response = problem(429, f"{reason}; try again in {seconds} s", title="Too many requests")
    response.headers["Retry-After"] = str(seconds)
    return response


def _caller(scope: Scope) -> str:
    """Who a request counts against: a hash of its key, else its client address."""
    headers = Headers(scope=scope)
    key = headers.get("authorization", "") + "|" + headers.get("x-api-key", "")
    if key != "|":
        return "key:" + hashlib.sha256(key.encode()).hexdigest()
    client = scope.get("client") or ("?", 0)
    return f"addr:{client[0]}"
