"""One table from riskmap errors to HTTP status, and problem+json responses (RFC 9457)."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.exceptions import HTTPException

from api.deps import get_profile, get_workspace
from api.schemas import BBOX_PATTERN, Problem
from api.security import AuthenticationError, PermissionDeniedError, get_principal
from api.uploads import RejectedUploadError, UploadTooLargeError
from geo.errors import InputFileError, NotFoundError, QueryError, RiskmapError, WorkspaceError
from geo.parallel import ExecutorError
from maps.offline import OfflineAssetsError
from risk.errors import AsOfDateError, AsOfRunError, PlanError, ProfileError
from risk.privacy import PrivacyError

logger = logging.getLogger(__name__)

#: PrivacyError: the server refuses to send what would show a small count or a person (a
#: fault of the stored data, not of the request); OfflineAssetsError: map assets not installed.
STATUS_CODES: dict[type[Exception], int] = {
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    AsOfRunError: 403,
    NotFoundError: 404,
    UploadTooLargeError: 413,
    RejectedUploadError: 422,
    InputFileError: 422,
    ProfileError: 422,
    AsOfDateError: 422,
    PlanError: 422,
    QueryError: 422,
    PrivacyError: 500,
    WorkspaceError: 503,
    OfflineAssetsError: 503,
    ExecutorError: 503,
    RiskmapError: 400,
}
TITLES = {
    400: "Bad request",
    401: "API key needed",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    429: "Too many requests",
    422: "Invalid input",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(
    status: int, detail: str, *, title: str | None = None, extra: dict | None = None
) -> JSONResponse:
    """A problem+json response with a human-readable ``detail`` (and ``extra`` members)."""
    body = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **(extra or {}),
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
        extra = {"report": err.report_dict()} if isinstance(err, RejectedUploadError) else None
        response = problem(status, public_detail(err, request), extra=extra)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="riskmap"'
        return response

    async def validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        return problem(422, validation_detail(err.errors()))

    async def http_error(request: Request, err: HTTPException) -> JSONResponse:
        response = problem(err.status_code, str(err.detail))
        response.headers.update(err.headers or {})
        if err.status_code == 405:  # every method of the path, not only the first route's
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    async def internal_error(request: Request, err: Exception) -> JSONResponse:
        logger.exception("%s %s failed", request.method, request.url.path)
        return problem(500, "the server failed to answer this request; the error is in its log")

    app.add_exception_handler(RiskmapError, riskmap_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)


#: A CLI hint inside a message: "; load it with 'riskmap ingest ...'", "(see riskmap keys list)".
_CLI_HINT = re.compile(r"\s*\((?:see |run )?'?riskmap [^)]*\)|[;,]?[^;,]*'riskmap [^']*'[^;]*")
#: An absolute server path (shown by its last part only).
_SERVER_PATH = re.compile(r"(?<![\w:/])/(?:[^\s/'\"]+/)+([^\s/'\";,)]*)")


def public_detail(err: Exception, request: Request) -> str:
    """What an HTTP client is told of ``err``: no server paths, no CLI hints.

    An exception may carry its own ``public_message``; otherwise its message is shown with the
    workspace called "the workspace", other absolute paths cut to their last part and
    ``riskmap ...`` command hints left out (they are for the operator, in the server log).
    """
    own = getattr(err, "public_message", None)
    if isinstance(own, str) and own:
        return own
    text = str(err)
    root = getattr(getattr(request.app.state, "settings", None), "workspace", None)
    if root is not None:
        for shown in {str(root), str(root.resolve())} - {"", "."}:
            text = text.replace(f"workspace {shown}", "the workspace").replace(shown, "workspace")
    text = _CLI_HINT.sub("", text)
    return _SERVER_PATH.sub(lambda m: m.group(1) or "a server folder", text).strip(" ;,")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path."""
    path = request.url.path
    return sorted(
        {
            m
            for r in iter_route_contexts(request.app.routes)
            if r.path_regex.match(path)
            for m in r.methods
        }
    )


def validation_detail(errors: list[dict]) -> str:
    """The first request-validation error as one line: where, what, and the value sent."""
    if not errors:
        return "invalid request"
    first = errors[0]
    loc = tuple(first.get("loc", ()))
    if first.get("type") == "json_invalid":
        reason = (first.get("ctx") or {}).get("error", "")
        at = loc[1] if len(loc) > 1 else "?"
        return f"the request body is not valid JSON: {reason} (at character {at})"
    where = ".".join(str(p) for p in loc)
    value = first.get("input")
    hint = PATTERN_HINTS.get((first.get("ctx") or {}).get("pattern", ""))
    if first.get("type") == "string_pattern_mismatch" and hint:
        return f'{where}: "{value!s:.60}" {hint}'
    shown = "" if isinstance(value, dict | list) or value is None else f" (got {value!r:.60})"
    more = f"; and {len(errors) - 1} more problems" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid value')}{shown}{more}"


#: Error statuses an operation can answer, by what it depends on (see :func:`declared_errors`).
KEYED = (401, 403)  # a key is needed (RISKMAP_REQUIRE_KEYS) or its role/province refuses
UNAVAILABLE = (503,)  # the workspace (or the Dask cluster) cannot be used
READS_STORED = (400, 404)  # a stored layer, run, profile or named thing is missing or unusable
VALIDATED = (422,)  # a parameter or body the server checks
WITH_BODY = (413,)  # the body is over RISKMAP_MAX_UPLOAD_MB
EVERY = (400, 429)  # a Host the loopback server does not answer; over the key's rate limit
PROBLEM = "application/problem+json"
#: OpenAPI links from what a write answers to where it can be read (stateful clients and tests).
LINKS = {
    ("post", "/runs"): ("GetRun", "/runs/{run_id}", {"run_id": "$response.body#/run_id"}),
    ("post", "/layers/{name}"): ("GetLayer", "/layers/{name}", {"name": "$request.path.name"}),
}
#: What a value failing a declared pattern should have been, in words.
PATTERN_HINTS = {BBOX_PATTERN: "is not four numbers minx,miny,maxx,maxy in degrees"}


def declared_errors(route: RouteContext, operation: dict) -> list[int]:
    """Every error status ``route`` can answer, from its dependencies, parameters and body."""
    every = _calls(route.dependant, into_key=True)
    own = _calls(route.dependant, into_key=False)  # what the route itself reads
    statuses: set[int] = set(EVERY)
    if get_principal in every:
        statuses.update(KEYED)
    if get_workspace in every:
        statuses.update(UNAVAILABLE)
    if own & {get_workspace, get_profile} or route.dependant.path_params:
        statuses.update(READS_STORED)
    if operation.get("parameters") or "requestBody" in operation:
        statuses.update(VALIDATED)
    if "requestBody" in operation:
        statuses.update(WITH_BODY)
    return sorted(statuses)


def _calls(dependant: Dependant, *, into_key: bool) -> set:
    """Functions ``dependant`` depends on, at any depth (past the key check if ``into_key``)."""
    calls: set = set()
    for sub in dependant.dependencies:
        calls.add(sub.call)
        if into_key or sub.call is not get_principal:
            calls |= _calls(sub, into_key=into_key)
    return calls


def document_errors(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI list every error status of each operation, as problem+json."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            _declare(schema, app)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _declare(schema: dict, app: FastAPI) -> None:
    """Replace FastAPI's JSON 422 by problem+json answers for every status in the table."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    ref = {"$ref": "#/components/schemas/Problem"}
    for route in iter_route_contexts(app.routes):  # routes of included routers, with their deps
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            operation = schema["paths"][route.path_format][method.lower()]
            responses = operation["responses"]
            for status in declared_errors(route, operation):
                responses[str(status)] = {
                    "description": TITLES[status],
                    "content": {PROBLEM: {"schema": ref}},
                }
    _link(schema)


def _link(schema: dict) -> None:
    """Add :data:`LINKS` to the 201 answers of the writes they start from."""
    for (method, path), (name, target, parameters) in LINKS.items():
        operation = schema["paths"].get(path, {}).get(method)
        read = schema["paths"].get(target, {}).get("get")
        if operation and read and "201" in operation["responses"]:
            link = {"operationId": read["operationId"], "parameters": parameters}
            operation["responses"]["201"].setdefault("links", {})[name] = link
