"""Errors as users should see them: a French page for browsers, problem details (RFC 9457) for the API.

Never a stack trace: anything unexpected is logged and shown as a plain 500.
"""

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from web.i18n import N_, _
from web.messages import message

log = logging.getLogger("xpo")

TITLES = {
    400: N_("The request could not be understood."),
    401: N_("Please log in to continue."),
    403: N_("You are not allowed to do this."),
    404: N_("This page does not exist."),
    405: N_("This action is not available here."),
    409: N_("Someone changed this in the meantime."),
    422: N_("Some fields need attention."),
    429: N_("Too many attempts. Please wait a minute and try again."),
    500: N_("Something went wrong on our side. The team has been told."),
    503: N_("The service is temporarily unavailable."),
}


class ProblemError(HTTPException):
    """An API-facing error with a French (translated) detail and optional per-field errors."""

    def __init__(self, status_code: int, detail: str, *, errors: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(status_code=status_code, detail=detail)
        self.errors = errors or {}
        self.extra = extra


REFUSAL_STATUS: dict[str, int] = {"forbidden": 403}
"""HTTP status of a refusal that names no field, by error code (422 when not listed); modules add theirs."""


def refusal(exc: ValueError) -> ProblemError:
    """The HTTP error for a domain refusal carrying a ``code``, and a ``field`` or ``errors`` (field: code).

    A refusal about fields is bad input (422, with ``errors`` worded in French); otherwise the code
    decides (403, 404, 409…).
    """
    code = getattr(exc, "code", str(exc))
    errors = field_errors(exc)
    if errors:
        detail = message(code) if len(errors) == 1 else _(TITLES[422])
        return ProblemError(422, detail, errors=errors)
    return ProblemError(REFUSAL_STATUS.get(code, 422), message(code))


def field_errors(exc: ValueError) -> dict[str, str]:
    """The French message for each field a domain refusal names (none for a refusal about no field)."""
    codes = getattr(exc, "errors", None) or {}
    field = getattr(exc, "field", "")
    if not codes and field:
        codes = {field: getattr(exc, "code", str(exc))}
    return {name: message(code) for name, code in codes.items()}


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def problem(status: int, detail: str, *, errors: dict[str, str] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": _(TITLES.get(status, TITLES[500])), "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(content=body, status_code=status, media_type="application/problem+json")


def _validation_errors(exc: ValidationException) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in exc.extra or []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            errors[key] = _("This value is missing or invalid.")
    return errors


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, ProblemError):
        detail, errors, extra = exc.detail, exc.errors, exc.extra
    elif isinstance(exc, ValidationException):
        detail, errors, extra = _(TITLES[422]) if status == 422 else _(TITLES[400]), _validation_errors(exc), {}
        status = 422 if errors else status
    else:
        detail, errors, extra = _(TITLES.get(status, TITLES[500])), {}, {}
    headers = dict(exc.headers or {})
    if wants_json(request):
        response = problem(status, detail, errors=errors, **extra)
        response.headers.update(headers)
        return response
    if status == 401:
        return Response(content="", status_code=303, headers={"location": f"/connexion?next={request.url.path}"})
    return Template(
        template_name="error.html",
        context={"status": status, "title": _(TITLES.get(status, TITLES[500])), "detail": detail},
        status_code=status,
        headers=headers,
        media_type=MediaType.HTML,
    )


def handle_internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    status = HTTP_500_INTERNAL_SERVER_ERROR
    if wants_json(request):
        return problem(status, _(TITLES[500]))
    return Template(
        template_name="error.html",
        context={"status": status, "title": _(TITLES[500]), "detail": ""},
        status_code=status,
        media_type=MediaType.HTML,
    )
