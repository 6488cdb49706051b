"""The FastAPI application factory (no app is built at import time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api.errors import add_exception_handlers, document_errors
from api.heap import HeapFreeze
from api.logs import audit_to
from api.middleware import add_middleware
from api.routes import (
    communes,
    docs,
    exports,
    health,
    layers,
    maps,
    ogc,
    plans,
    profiles,
    rankings,
    runs,
    scores,
)
from api.security import get_principal
from api.settings import Settings, get_settings
from risk.version import code_version


@asynccontextmanager
async def _audited(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs, audit records go to the workspace's audit.log."""
    settings = app.state.settings
    if not settings.workspace.is_dir():
        yield
        return
    with audit_to(settings.workspace, max_mb=settings.audit_max_mb, backups=settings.audit_backups):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the riskmap HTTP service for ``settings`` (default: from ``RISKMAP_*``)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="riskmap",
        summary="Commune-level human-trafficking risk scores and maps",
        version=code_version(),
        lifespan=_audited,
        docs_url=None,  # served by api.routes.docs from our own copies
        redoc_url=None,
    )
    app.state.settings = settings
    add_exception_handlers(app)
    document_errors(app)
    app.include_router(health.router)  # the only endpoint open without a key
    app.include_router(docs.router)  # Swagger UI and ReDoc pages: no data in them
    app.include_router(maps.static_router)  # dashboard page, script, Leaflet: no data in them
    for module in (profiles, layers, scores, communes, rankings, runs, plans, ogc, exports, maps):
        app.include_router(module.router, dependencies=[Depends(get_principal)])

    add_middleware(app, max_body_mb=app.state.settings.max_upload_mb)
    app.add_middleware(HeapFreeze)  # outermost: after a slow answer has been sent
    return app
