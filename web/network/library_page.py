"""The page of one library (its contact details, librarians and players), shown by the libraries' and the
players' actions, with the form that was refused when one was."""

from litestar import Request
from litestar.response import Template

from sqlmodel import select

from tournament.accounts import Account
from tournament.libraries import CONTACT_FIELDS
from tournament.players import AgeCategory
from tournament.rosters import library_roster
from web.auth import actor_of
from web.deps import DB
from web.forms import FormState
from web.messages import age_label
from web.pagination import page_of


def player_text(player) -> str:
    """What a search of players reads: pseudonym and first name."""
    return f"{player.pseudonym} {player.first_name}"


async def library_page(
    request: Request,
    db: DB,
    library_id: int,
    *,
    contact_form: FormState | None = None,
    player_form: FormState | None = None,
    notice: str = "",
    status_code: int = 200,
    page: int = 1,
    q: str = "",
) -> Template:
    """The library page (its players a page at a time, ``q`` searched); forms come back with their errors when a submission was refused."""
    async with db.read() as session:
        roster = await library_roster(session, library_id=library_id, actor=actor_of(request))
        recorder_ids = {p.consent_recorded_by for p in roster.players if p.consent_recorded_by is not None}
        recorders = {account.id: account.display_name for account in (await session.exec(
            select(Account).where(Account.id.in_(recorder_ids)))).all()} if recorder_ids else {}
    library = roster.library
    shown = page_of(roster.players, page, q, player_text, path=f"/bibliotheques/{library.id}")
    return Template(
        "libraries/library.html",
        context={
            **shown,
            "players": shown["rows"],
            "roster": roster,
            "library": library,
            "contact_form": contact_form or FormState(values={name: getattr(library, name) for name in CONTACT_FIELDS}),
            "player_form": player_form or FormState(),
            "recorders": recorders,
            "age_options": [(category.value, age_label(category)) for category in AgeCategory],
            "age_label": age_label,
            "notice": notice,
        },
        status_code=status_code,
    )
