"""Form handling shared by pages: read a urlencoded form, keep field errors next to their fields, and show a
refused form again on its page (`form_or_errors`)."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from tournament.refusals import Refusal, Status
from web.errors import field_errors, problem_of
from web.messages import refusal_text


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


def show_refusal(form: FormState, exc: Refusal) -> None:
    """Put a refusal's words next to the fields it names. A refusal about no field is shown above the form
    (``_form``: a closed form, a locked fiche), except a forbidden action or a missing record, which ends on
    the French error page."""
    errors = field_errors(exc)
    if errors:
        form.errors.update(errors)
    elif exc.status in (Status.FORBIDDEN, Status.NOT_FOUND):
        raise problem_of(exc)
    else:
        form.errors["_form"] = refusal_text(exc)


def conflict_409(exc: Refusal) -> int:
    """The status of a refused form whose refusal may name no field: 400 for fields to correct, 409 when the
    state refused it (registrations closed, a transition not allowed, an action already taken)."""
    return 400 if exc.errors else 409


@dataclass
class Submission:
    """One submission of a form: what was typed, the errors found, and the status to show the page again with."""

    form: FormState
    status: int = 400
    refusal: Exception | None = None
    """The refusal caught, for a page that shows more than the form's errors (which items are taken…)."""

    @property
    def refused(self) -> bool:
        return not self.form.ok


@asynccontextmanager
async def form_or_errors(
    form: FormState | dict[str, str],
    *,
    status: int | Callable[[Any], int] = 400,
    fields: Callable[[dict[str, str]], dict[str, str]] | None = None,
) -> AsyncIterator[Submission]:
    """The one way a page action shows its refused form again: the same page, the French errors next to the fields.

    The block holds the action's write (and any reading of the form that raises a refusal of the family).
    A domain refusal (`tournament.refusals.Refusal`) raised in it ends the block quietly: its words go into
    ``submission.form`` (`show_refusal` raises instead when no form can show it: forbidden, not found), and
    ``submission.status`` is ``status`` (or ``status(exc)``). ``fields`` renames or folds the error keys when
    the service's field names are not the form's (slot 2 given → form row 4). Other exceptions go through.

    ``form`` is the values typed, or a `FormState` that already holds errors the page found itself: the block
    then checks ``submission.form.ok`` before writing. After the block, render the page again when
    ``submission.refused``::

        values = await read_form(request)
        async with form_or_errors(values) as submitted:
            async with db.write() as session:
                await save_kit(session, name=values.get("name", ""), actor=actor_or_401(request))
        if submitted.refused:
            return page("inventory.html", submitted.status, **await _inventory(db), kit_form=submitted.form)
        return Redirect("/admin/materiel#malles")
    """
    submission = Submission(form if isinstance(form, FormState) else FormState(values=form))
    try:
        yield submission
    except Refusal as exc:
        shown = FormState(values=submission.form.values)
        show_refusal(shown, exc)
        submission.form.errors.update(fields(shown.errors) if fields else shown.errors)
        submission.status = status(exc) if callable(status) else status
        submission.refusal = exc
