"""The base of the domain's refusals: a code the web layer words, and the fields it concerns."""


class Refusal(ValueError):
    """A refused action: ``code`` is worded by the web layer; ``errors`` maps each bad field to its code."""

    def __init__(self, code: str, field: str = "", errors: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.errors = dict(errors) if errors else ({field: code} if field else {})

    @classmethod
    def about_fields(cls, errors: dict[str, str]):
        """One refusal for several bad fields (the first one gives the code)."""
        field, code = next(iter(errors.items()))
        return cls(code, field, errors)
