"""The messages the festival sends: one function per message, called inside the service's transaction.

Each queues a mail (`tournament.outbox.queue_mail`): its kind names its templates in
``web/templates/mail/<kind>.txt`` and ``.html``, worded in French by the web layer's renderer. Links are
given as paths; the renderer makes them absolute on ``[server] public_url``. No player's data ever goes
into a mail: players get none (they are often minors and no address of theirs is stored).
"""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.outbox import STAFF_WORK_KINDS, queue_mail
from tournament.roles import Role


async def library_addresses(session: AsyncSession, library_id: int) -> list[str]:
    """Who hears for a library: its active librarian accounts, else its contact address."""
    from tournament.accounts import Account
    from tournament.libraries import Library

    rows = (await session.exec(select(Account.email).where(
        Account.library_id == library_id, Account.role == Role.LIBRARIAN.value, Account.is_active.is_(True),
    ).order_by(Account.id))).all()
    if rows:
        return list(rows)
    library = await session.get(Library, library_id)
    return [library.email] if library is not None and library.email else []


async def staff_addresses(session: AsyncSession) -> list[str]:
    from tournament.accounts import Account

    rows = (await session.exec(select(Account.email).where(
        Account.role == Role.MDE.value, Account.is_active.is_(True)).order_by(Account.id))).all()
    return list(rows)


async def notify_staff(session: AsyncSession, kind: str, *, cause: str, **context) -> None:
    """Tell every active MDE staff account of work waiting for them; such notices are never held by the
    per-recipient hourly limit (`tournament.outbox.STAFF_WORK_KINDS`, which must name `kind`)."""
    if kind not in STAFF_WORK_KINDS:
        raise ValueError(f"{kind} is not a staff notice: add it to STAFF_WORK_KINDS")
    for address in await staff_addresses(session):
        queue_mail(session, kind, to=address, cause=cause, **context)


FICHE_NOTICES = {"submit": "fiche_submitted", "accept": "fiche_accepted", "request_changes": "fiche_changes_requested",
                 "publish": "fiche_published", "cancel": "fiche_cancelled"}
STAFF_NOTICES = {"submit", "cancel"}
"""Fiche moves that MDE staff must hear of (a new fiche to review, a published event cancelled by its library)."""


async def notify_fiche(session: AsyncSession, fiche, action: str, comment: str = "") -> None:
    """A fiche moved: submitted → MDE staff; accepted, changes requested, published → the library."""
    kind = FICHE_NOTICES.get(action)
    if kind is None:
        return
    link = f"/festival/fiches/{fiche.id}" if action != "request_changes" else f"/festival/fiches/{fiche.id}/modifier"
    context = {"title": fiche.title, "comment": comment, "late": bool(getattr(fiche, "late", False)), "link": link}
    if action in STAFF_NOTICES:
        await notify_staff(session, kind, cause=f"fiche.{action}:{fiche.id}", **context)
        return
    for address in await library_addresses(session, fiche.library_id):
        queue_mail(session, kind, to=address, cause=f"fiche.{action}:{fiche.id}", **context)


def notify_invitation(session: AsyncSession, account, token: str, *, invited_by: str = "") -> None:
    queue_mail(session, "account_invitation", to=account.email, cause=f"account.invited:{account.id}",
               name=account.display_name, link=f"/mot-de-passe/{token}", invited_by=invited_by, hours=72)


def notify_password_reset(session: AsyncSession, account, token: str) -> None:
    queue_mail(session, "password_reset", to=account.email, cause=f"account.reset:{account.id}",
               name=account.display_name, link=f"/mot-de-passe/{token}", hours=1)


def notify_password_changed(session: AsyncSession, account) -> None:
    """The notice that an account's password changed (a reset, or "Mon compte"); cannot be switched off."""
    queue_mail(session, "password_changed", to=account.email, cause=f"account.password_changed:{account.id}",
               name=account.display_name, link="/mot-de-passe-oublie")


async def library_contacts(session: AsyncSession, library_id: int, *extra: str) -> list[str]:
    """A library's addresses (`library_addresses`) plus `extra` ones, lowercased, each once, in that order."""
    seen: list[str] = []
    for address in [*extra, *await library_addresses(session, library_id)]:
        address = address.strip().lower()
        if address and address not in seen:
            seen.append(address)
    return seen


async def notify_registration(session: AsyncSession, registration, edition, *, created: bool) -> None:
    """A new registration: "received" to its contact and the library's addresses; "accepted late" when MDE
    staff recorded it after the deadline. Changes to an existing registration send nothing."""
    from tournament.libraries import Library

    if not created:
        return
    library = await session.get(Library, registration.library_id)
    kind = "registration_late" if registration.late else "registration_received"
    link = f"/festival/{edition.year}/bibliotheques/{registration.library_id}/inscription"
    wishes = [name for name in ("wants_tournament", "wants_ready_made_animation", "wants_funding", "wants_equipment",
                                "attends_professional_day") if getattr(registration, name)]
    for address in await library_contacts(session, registration.library_id, registration.contact_email):
        queue_mail(session, kind, to=address, cause=f"registration.{'late' if registration.late else 'received'}:{registration.id}",
                   edition=edition.name, year=edition.year, library=library.name if library else "",
                   deadline=edition.registration_deadline, wishes=wishes, link=link)


async def notify_allocation_published(session: AsyncSession, run, decisions, edition) -> None:
    """A run published: each library hears what it received and why, with its lottery ticket and how to check
    it ("allocation_published", when it asked for animations); and the funding decided ("funding_decided")."""
    import json
    import shlex

    from tournament.festival import allocation as rule
    from tournament.festival.registrations import registration_for
    from tournament.libraries import Library

    inputs = json.loads(run.inputs_json)
    titles = {a["id"]: a["title"] for a in inputs.get("animations", [])}
    funding_titles = {f["id"]: f["title"] for f in (inputs.get("funding") or {}).get("requests", [])}
    priority = {p["library_id"]: p for p in json.loads(run.result_json).get("priority", [])} if run.result_json else {}
    by_library: dict[int, list] = {}
    for decision in decisions:
        by_library.setdefault(decision.library_id, []).append(decision)
    check_link = f"/festival/{edition.year}/attribution#run-{run.id}"
    for library_id, own in sorted(by_library.items()):
        library = await session.get(Library, library_id)
        entry = priority.get(library_id, {})
        common = dict(edition=edition.name, year=edition.year, library=library.name if library else "",
                      run_id=run.id, seed=run.seed, ticket=rule.ticket(run.seed, library_id), library_id=library_id,
                      priority_class=entry.get("class"), position=entry.get("position"),
                      result_sha256=run.result_sha256, check_link=check_link,
                      check_command=f"printf '%s' {shlex.quote(f'{run.seed}:{library_id}')} | sha256sum")
        animations = [dict(title=titles.get(d.animation_id, ""), granted=d.granted, start=d.slot_start, end=d.slot_end,
                           why=d.override_note if d.overridden else d.explanation)
                      for d in own if d.kind == "animation"]
        funding = [dict(title=funding_titles.get(d.request_id, ""), granted=d.granted, asked=d.asked_cents,
                        amount=d.granted_cents, why=d.override_note if d.overridden else d.explanation)
                   for d in own if d.kind == "funding"]
        registration = await registration_for(session, edition.id, library_id)
        for address in await library_contacts(session, library_id, registration.contact_email if registration else ""):
            if animations:
                queue_mail(session, "allocation_published", to=address, cause=f"allocation.published:{run.id}:{library_id}",
                           animations=animations, link=f"/festival/{edition.year}/bibliotheques/{library_id}/animations",
                           **common)
            if funding:
                queue_mail(session, "funding_decided", to=address, cause=f"funding.decided:{run.id}:{library_id}",
                           funding=funding, link=f"/festival/{edition.year}/bibliotheques/{library_id}/financements",
                           **common)


async def _loan_lines(session: AsyncSession, loan_id: int) -> list[str]:
    from tournament.festival.equipment import EquipmentItem, LoanItem

    rows = await session.exec(select(EquipmentItem.label).join(LoanItem, LoanItem.item_id == EquipmentItem.id)
                              .where(LoanItem.loan_id == loan_id).order_by(EquipmentItem.label))
    return list(rows.all())


async def loan_context(session: AsyncSession, loan) -> dict:
    from tournament.libraries import Library

    library = await session.get(Library, loan.library_id) if loan.library_id is not None else None
    return dict(loan_id=loan.id, library=library.name if library else "", starts_on=loan.starts_on,
                ends_on=loan.ends_on, items=await _loan_lines(session, loan.id), link=f"/materiel/prets/{loan.id}")


async def notify_loan_decided(session: AsyncSession, loan, *, approved: bool) -> None:
    """A library's loan request approved or refused (with MDE's note): to the library."""
    if loan.library_id is None:
        return
    kind = "loan_approved" if approved else "loan_refused"
    context = await loan_context(session, loan)
    for address in await library_contacts(session, loan.library_id):
        queue_mail(session, kind, to=address, cause=f"loan.{'approved' if approved else 'refused'}:{loan.id}",
                   note=loan.staff_note, **context)


async def notify_dispute(session: AsyncSession, stage, report) -> None:
    """A player disputed a reported result: the hosting library's librarians settle it (no player named)."""
    if stage.library_id is None:
        return
    link = f"/tournois/{stage.tournament_id}/phases/{stage.id}/matchs/{report.match_id}"
    for address in await library_contacts(session, stage.library_id):
        queue_mail(session, "tournament_dispute", to=address, cause=f"report.disputed:{report.id}",
                   match=report.match_id, link=link)


async def notify_finalists(session: AsyncSession, tournament, counts: dict[int, int]) -> None:
    """Players qualified for the final: each library whose finalists changed hears how many (no names:
    players are often minors; the list is on the final's page for the librarian)."""
    for library_id, count in sorted(counts.items()):
        for address in await library_contacts(session, library_id):
            queue_mail(session, "tournament_finalists", to=address,
                       cause=f"final.qualified:{tournament.id}:{library_id}:{count}",
                       tournament=tournament.name, count=count, link=f"/tournois/{tournament.id}/finale")


async def notify_session_changed(session: AsyncSession, pro_session, before: dict, *, cancelled: bool = False) -> None:
    """A professional-day session moved, changed place or title, or was cancelled: everyone holding a seat or a
    place in line hears it."""
    from tournament.festival.proday import ProRegistration, SeatState

    rows = await session.exec(select(ProRegistration).where(
        ProRegistration.session_id == pro_session.id,
        ProRegistration.state.in_([SeatState.CONFIRMED.value, SeatState.WAITING.value]),  # type: ignore[attr-defined]
    ).order_by(ProRegistration.id))
    kind = "proday_session_cancelled" if cancelled else "proday_session_changed"
    for registration in rows.all():
        queue_mail(session, kind, to=registration.email,
                   cause=f"proday.session_{'cancelled' if cancelled else 'changed'}:{pro_session.id}:{registration.id}",
                   name=registration.name, title=pro_session.title, starts_at=pro_session.starts_at,
                   ends_at=pro_session.ends_at, place=pro_session.place, before=before,
                   waiting=registration.state == SeatState.WAITING.value, link="/journee-pro")
