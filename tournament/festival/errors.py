"""Refusals of festival services: a code the web layer words in French, and the fields concerned."""


class FestivalError(ValueError):
    """A refused festival action. ``errors`` maps form fields to error codes (may be empty)."""

    def __init__(self, code: str, field: str = "", errors: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.errors = dict(errors) if errors else ({field: code} if field else {})


class FestivalForbidden(FestivalError):
    """The actor may not touch this resource (another library's, or locked after acceptance)."""

    def __init__(self, code: str = "forbidden") -> None:
        super().__init__(code)


class FestivalNotFound(FestivalError):
    """The edition, fiche, session or registration asked for does not exist."""

    def __init__(self, code: str = "not_found") -> None:
        super().__init__(code)


class FestivalConflict(FestivalError):
    """The action does not fit the current state (a refused transition, a full session, a closed form)."""
