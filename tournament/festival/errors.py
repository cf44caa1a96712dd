"""Refusals of festival services (editions, registrations, fiches, programme, professional day,
equipment, allocation): one `Refusal` domain, with the usual kinds named for readability."""

from tournament.refusals import Refusal, Status


class FestivalError(Refusal):
    """A refused festival action. ``errors`` maps form fields to error codes (may be empty)."""

    domain = "festival"


class FestivalForbidden(FestivalError):
    """The actor may not touch this resource (another library's, or locked after acceptance)."""

    def __init__(self, code: str = "forbidden") -> None:
        super().__init__(code, status=Status.FORBIDDEN)


class FestivalNotFound(FestivalError):
    """The edition, fiche, session or registration asked for does not exist."""

    def __init__(self, code: str = "not_found") -> None:
        super().__init__(code, status=Status.NOT_FOUND)


class FestivalConflict(FestivalError):
    """The action does not fit the current state (a refused transition, a full session, a closed form)."""

    def __init__(self, code: str, field: str = "", errors: dict[str, str] | None = None) -> None:
        super().__init__(code, field, errors, status=Status.CONFLICT)
