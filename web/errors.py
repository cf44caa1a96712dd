"""Errors as users should see them: a French page for browsers, problem details (RFC 9457) for the API.

Never a stack trace: anything unexpected is logged and shown as a plain 500.
"""

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from tournament.refusals import Refusal
from web.i18n import N_, _
from web.messages import refusal_link, refusal_text

log = logging.getLogger("xpo")

TITLES = {
    400: N_("The request could not be understood."),
    401: N_("Please log in to continue."),
    403: N_("You are not allowed to do this."),
    404: N_("This page does not exist."),
    405: N_("This action is not available here."),
    409: N_("Someone changed this in the meantime."),
    410: N_("This link no longer works."),
    422: N_("Some fields need attention."),
    429: N_("Too many attempts. Please wait a minute and try again."),
    500: N_("Something went wrong on our side. The team has been told."),
    503: N_("The service is temporarily unavailable."),
}


class ProblemError(HTTPException):
    """An API-facing error with a French (translated) detail and optional per-field errors."""

    def __init__(self, status_code: int, detail: str, *, errors: dict[str, str] | None = None,
                 link: tuple[str, str] | None = None, **extra: Any) -> None:
        super().__init__(status_code=status_code, detail=detail)
        self.errors = errors or {}
        self.link = link
        """(address, words) of the page the detail names: the error page links to it."""
        self.extra = extra


def problem_of(exc: Refusal, **extra: Any) -> ProblemError:
    """The problem+json error of any domain refusal: its status, its words in its domain, each bad
    field's words, the code, and the refusal's parameters (``current``, ``invalidated``…) plus `extra`."""
    errors = field_errors(exc)
    detail = refusal_text(exc) if len(errors) <= 1 else _(TITLES[422])
    return ProblemError(int(exc.status), detail, errors=errors or None, link=refusal_link(exc), code=exc.code,
                        **exc.params, **extra)


def field_errors(exc: Refusal) -> dict[str, str]:
    """The words for each field a refusal names (none for a refusal about no field)."""
    return {name: refusal_text(exc, code) for name, code in exc.errors.items()}


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


def _path_out_of_range(exc: ValidationException) -> bool:
    """A path integer refused (only its range can be: the route matched an integer): whatever else the
    request got wrong, the record it names does not exist."""
    return any(isinstance(item, dict) and item.get("source") == "path" for item in exc.extra or [])


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    link = exc.link if isinstance(exc, ProblemError) else None
    if isinstance(exc, ProblemError):
        detail, errors, extra = exc.detail, exc.errors, exc.extra
    elif isinstance(exc, ValidationException) and _path_out_of_range(exc):
        # A path integer out of its column's range (web.params): no such record, even if the body is wrong too.
        status, detail, errors, extra = 404, _(TITLES[404]), {}, {}
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
        context={"status": status, "title": _(TITLES.get(status, TITLES[500])), "detail": detail, "link": link},
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
