"""Form handling shared by pages: read a urlencoded form, keep field errors next to their fields."""

from dataclasses import dataclass, field

from litestar import Request


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
