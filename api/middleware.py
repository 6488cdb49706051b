"""HTTP middleware: request size limit, ETag / If-None-Match, gzip, request log and write audit."""

from __future__ import annotations

import hashlib
import logging
import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.middleware.gzip import GZipMiddleware

from api.errors import problem

requests_log = logging.getLogger("riskmap.requests")
audit = logging.getLogger("riskmap.audit")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def add_middleware(app: FastAPI, *, max_body_mb: float) -> None:
    """Install the middleware stack (outermost first: gzip, size limit, ETag, log and audit)."""

    @app.middleware("http")
    async def log_and_audit(request: Request, call_next) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        ms = (time.perf_counter() - start) * 1000
        requests_log.info(
            "%s %s %d %.0f ms", request.method, request.url.path, response.status_code, ms
        )
        if request.method in WRITE_METHODS:
            audit.info(
                "%s %s",
                request.method,
                request.url.path,
                extra={
                    "actor": getattr(request.state, "principal_label", "anonymous"),
                    "endpoint": f"{request.method} {request.url.path}",
                    "parameters": str(request.query_params),
                    "status": response.status_code,
                },
            )
        return response

    @app.middleware("http")
    async def etag(request: Request, call_next) -> Response:
        response = await call_next(request)
        if request.method != "GET" or response.status_code != 200:
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])
        tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        headers["ETag"] = tag
        if tag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": tag})
        return Response(body, status_code=200, headers=headers, media_type=response.media_type)

    @app.middleware("http")
    async def limit_size(request: Request, call_next) -> Response:
        length = request.headers.get("content-length")
        limit = int(max_body_mb * 1024 * 1024)
        if length is not None and length.isdigit() and int(length) > limit:
            return problem(
                413,
                f"the request body is {int(length):,} bytes; the limit is "
                f"{limit:,} bytes (RISKMAP_MAX_UPLOAD_MB)",
                title="Too large",
            )
        return await call_next(request)

    app.add_middleware(GZipMiddleware, minimum_size=2048)
