"""One table from riskmap errors to HTTP status, and problem+json responses (RFC 9457)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.security import AuthenticationError, PermissionDeniedError
from geo.errors import InputFileError, NotFoundError, QueryError, RiskmapError, WorkspaceError
from risk.errors import PlanError, ProfileError

logger = logging.getLogger(__name__)

STATUS_CODES: dict[type[Exception], int] = {
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    InputFileError: 422,
    ProfileError: 422,
    PlanError: 422,
    QueryError: 422,
    WorkspaceError: 503,
    RiskmapError: 400,
}
TITLES = {
    400: "Bad request",
    401: "API key needed",
    403: "Forbidden",
    404: "Not found",
    422: "Invalid input",
    503: "Workspace unavailable",
}


def problem(status: int, detail: str, *, title: str | None = None) -> JSONResponse:
    """A problem+json response with a human-readable ``detail``."""
    body = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def status_for(err: Exception) -> int:
    """HTTP status of a riskmap error: the first matching class in the MRO wins."""
    for cls in type(err).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 500


def add_exception_handlers(app: FastAPI) -> None:
    """Turn riskmap errors and request-validation errors into problem+json."""

    async def riskmap_error(request: Request, err: RiskmapError) -> JSONResponse:
        status = status_for(err)
        logger.info("%s %s → %d: %s", request.method, request.url.path, status, err)
        response = problem(status, str(err))
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="riskmap"'
        return response

    async def validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return problem(422, f"{where}: {first.get('msg', 'invalid request')}")

    app.add_exception_handler(RiskmapError, riskmap_error)
    app.add_exception_handler(RequestValidationError, validation_error)
