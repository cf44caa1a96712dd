"""Form handling shared by pages: read a urlencoded form, keep field errors next to their fields, and show a
refused form again on its page (`form_or_errors`)."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from tournament.refusals import Refusal
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


@dataclass(frozen=True)
class FormRefusals:
    """One family of domain refusals, as a form shows them.

    There is one per family for now: `DOMAIN_REFUSALS` below, `web.festival.common.FESTIVAL`, and the tournament's
    would be ``FormRefusals(TournamentError, show)``; once the refusals are one family, one value serves all forms.
    """

    family: type[Exception] | tuple[type[Exception], ...]
    """The exceptions `form_or_errors` catches; any other exception goes through untouched."""
    show: Callable[[FormState, Any], None]
    """Puts the refusal's French messages in ``form.errors``, or raises the HTTP error when no form can show
    it (permission, a missing record): the request then ends on the French error page."""


DOMAIN_REFUSALS = FormRefusals(Refusal, show_refusal)
"""Refusals of accounts, libraries, players and screens (`tournament.refusals.Refusal`): a refusal about no
field becomes the error page with the status `web.errors.refusal` gives it."""


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
    refusals: FormRefusals,
    *,
    status: int | Callable[[Any], int] = 400,
    fields: Callable[[dict[str, str]], dict[str, str]] | None = None,
) -> AsyncIterator[Submission]:
    """The one way a page action shows its refused form again: the same page, the French errors next to the fields.

    The block holds the action's write (and any reading of the form that raises a refusal of the family).
    A refusal of ``refusals.family`` raised in it ends the block quietly: its messages go into
    ``submission.form`` (``refusals.show`` raises instead when no form can show it, e.g. forbidden), and
    ``submission.status`` is ``status`` (or ``status(exc)``). ``fields`` renames or folds the error keys when
    the service's field names are not the form's (slot 2 given → form row 4). Other exceptions go through.

    ``form`` is the values typed, or a `FormState` that already holds errors the page found itself: the block
    then checks ``submission.form.ok`` before writing. After the block, render the page again when
    ``submission.refused``::

        values = await read_form(request)
        async with form_or_errors(values, FESTIVAL) as submitted:
            async with db.write() as session:
                await save_kit(session, name=values.get("name", ""), actor=actor_or_401(request))
        if submitted.refused:
            return page("inventory.html", submitted.status, **await _inventory(db), kit_form=submitted.form)
        return Redirect("/admin/materiel#malles")
    """
    submission = Submission(form if isinstance(form, FormState) else FormState(values=form))
    try:
        yield submission
    except refusals.family as exc:
        shown = FormState(values=submission.form.values)
        refusals.show(shown, exc)
        submission.form.errors.update(fields(shown.errors) if fields else shown.errors)
        submission.status = status(exc) if callable(status) else status
        submission.refusal = exc
