"""The FastAPI application factory (no app is built at import time)."""

from __future__ import annotations

import logging
import time

from fastapi import Depends, FastAPI, Request

from api.errors import add_exception_handlers
from api.routes import communes, health, maps, ogc, plans, profiles, scores
from api.security import get_principal
from api.settings import Settings, get_settings
from risk.pipeline import code_version

requests_log = logging.getLogger("riskmap.requests")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the riskmap HTTP service for ``settings`` (default: from ``RISKMAP_*``)."""
    app = FastAPI(
        title="riskmap",
        summary="Commune-level human-trafficking risk scores and maps",
        version=code_version(),
    )
    app.state.settings = settings or get_settings()
    add_exception_handlers(app)
    app.include_router(health.router)  # the only endpoint open without a key
    for module in (profiles, scores, communes, plans, ogc, maps):
        app.include_router(module.router, dependencies=[Depends(get_principal)])

    @app.middleware("http")
    async def log_requests(request: Request, call_next):
        start = time.perf_counter()
        response = await call_next(request)
        requests_log.info(
            "%s %s %d %.0f ms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - start) * 1000,
        )
        return response

    return app
