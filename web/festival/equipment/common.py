"""What the equipment pages share: the page renderer with its labels, and the Paris day."""

from datetime import date
from typing import Any

from litestar.response import Template

from tournament.festival import equipment
from web.festival.equipment.messages import LABELS
from web.forms import FormState


def today() -> date:
    """The day in Paris, read through `tournament.festival.equipment` so that a test fixing it there fixes it
    for the pages too."""
    return equipment.today_in_paris()


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    return Template(f"festival/equipment/{template}", status_code=status_code,
                    context={"labels": LABELS, "today": today(), "empty_form": FormState(), **context})
