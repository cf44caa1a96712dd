"""Form handling shared by pages: read a urlencoded form, keep field errors next to their fields."""

from dataclasses import dataclass, field

from litestar import Request

from web.errors import field_errors, refusal


@dataclass
class FormState:
    """Submitted values and per-field French error messages, handed back to the template."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


async def read_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value).strip() for key, value in form.items() if key != "_csrf_token"}


def show_refusal(form: FormState, exc: ValueError) -> None:
    """Put a domain refusal's messages next to the fields it names.

    A refusal about no field (permission, missing record) is raised as the HTTP error instead.
    """
    errors = field_errors(exc)
    if not errors:
        raise refusal(exc)
    form.errors.update(errors)
