"""Who may do what: the one place authorisation is decided. Web guards only ask these questions."""

from tournament.roles import Role
from tournament.audit import Actor


def is_staff(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "account" and actor.role == Role.MDE


def can_manage_library(actor: Actor | None, library_id: int) -> bool:
    """MDE staff manage every library; a librarian only their own."""
    if is_staff(actor):
        return True
    return actor is not None and actor.kind == "account" and actor.role == Role.LIBRARIAN and actor.library_id == library_id


def can_referee(actor: Actor | None) -> bool:
    """Referees and MDE staff enter results at the final."""
    return actor is not None and actor.kind == "account" and actor.role in (Role.MDE, Role.REFEREE)


def can_act_as_player(actor: Actor | None, player_id: int) -> bool:
    """A player link acts only for that player."""
    return actor is not None and actor.kind == "player" and actor.id == player_id


def can_enter_result(actor: Actor | None, *, stage_kind: str, stage_library_id: int | None) -> bool:
    """Qualifier results: that library's librarians and MDE staff. Final results: referees and MDE staff."""
    if is_staff(actor):
        return True
    if actor is None or actor.kind != "account":
        return False
    if stage_kind == "final":
        return actor.role == Role.REFEREE
    return actor.role == Role.LIBRARIAN and stage_library_id is not None and actor.library_id == stage_library_id


def can_see_result_audit(actor: Actor | None, *, stage_kind: str, stage_library_id: int | None) -> bool:
    """A match's audit trail: whoever may enter its results (a qualifier's: that library's librarians and
    MDE staff; the final's: referees and MDE staff)."""
    return can_enter_result(actor, stage_kind=stage_kind, stage_library_id=stage_library_id)


def can_see_audit_addresses(actor: Actor | None) -> bool:
    """The client addresses audit entries keep (for 30 days): MDE staff only."""
    return is_staff(actor)


def can_accept_late_registration(actor: Actor | None) -> bool:
    """Only MDE staff record a festival registration after its deadline (it is marked late)."""
    return is_staff(actor)


def can_edit_fiche(actor: Actor | None, library_id: int, *, locked: bool) -> bool:
    """MDE staff edit any fiche-animation; a librarian their own library's, until it is accepted (locked)."""
    if is_staff(actor):
        return True
    return can_manage_library(actor, library_id) and not locked


def can_review_fiches(actor: Actor | None) -> bool:
    """MDE staff accept, send back, publish and unpublish fiches-animation."""
    return is_staff(actor)


def can_manage_accounts(actor: Actor | None) -> bool:
    """MDE staff administer accounts; the system does too (first-run set-up, command line)."""
    return actor is not None and (actor.kind == "system" or is_staff(actor))


def can_manage_screens(actor: Actor | None) -> bool:
    """Kiosk screen tokens are handed out and revoked by MDE staff."""
    return is_staff(actor)


def is_player(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "player"


def is_screen(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "screen"


def can_see_player(actor: Actor | None, *, player_id: int, library_id: int) -> bool:
    """A player sees their own page; their library's librarians and MDE staff see it too."""
    return can_act_as_player(actor, player_id) or can_manage_library(actor, library_id)


def can_manage_catalogue(actor: Actor | None) -> bool:
    """The catalogue of ready-made animations, providers and the funding envelope: MDE staff."""
    return is_staff(actor)


def can_allocate(actor: Actor | None) -> bool:
    """Allocation runs (seed, run, publication, overrides of decisions): MDE staff."""
    return is_staff(actor)


def can_check_allocation(actor: Actor | None) -> bool:
    """Every allocation run of an edition (seed, inputs, result, verifier): MDE staff and every librarian,
    so that each seed ever tried is visible to the libraries, published or not."""
    return is_staff(actor) or (actor is not None and actor.kind == "account" and actor.role == Role.LIBRARIAN)


def can_manage_equipment(actor: Actor | None) -> bool:
    """The equipment inventory, loan approval, check-out and return: MDE staff."""
    return is_staff(actor)
