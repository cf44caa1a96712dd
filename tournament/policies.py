"""Who may do what: the one place authorisation is decided. Web guards only ask these questions."""

from tournament.accounts import Role
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
