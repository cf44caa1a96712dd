"""Turns the mails services asked for (`tournament.outbox.queue_mail`) into outbox rows, in French, just
before their transaction commits: `install(db, settings)` registers the precommit hook.

Each message kind has ``web/templates/mail/<kind>.txt`` (its first line is ``Subject: …``) and
``<kind>.html``; links given as paths become absolute on ``[server] public_url``.
"""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.config import Settings
from tournament.db import Database
from tournament.festival.allocation import format_euros
from tournament.mailer import sender_domain
from tournament.notification_preferences import Mode, delivery_mode
from tournament.outbox import MAIL_KEY, MailRequest, MailState, store_mail
from web import i18n
from web.links import configured_base

HELD = {Mode.DAILY: MailState.DIGEST, Mode.NONE: MailState.SKIPPED}
"""Where a recipient's preference puts a mail instead of the queue."""
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = lambda moment, fmt="full_short": i18n.format_when(moment, "fr", fmt)
    env.filters["day"] = lambda day: i18n.format_day(day, "fr")
    env.filters["euros"] = format_euros
    return env


_ENV = _environment()


def render(request: MailRequest, settings: Settings) -> tuple[str, str, str]:
    """(subject, text, html) of one mail, in the site's language."""
    base = configured_base(settings)
    context = {key: (base + value if key.endswith("link") and isinstance(value, str) and value.startswith("/") else value)
               for key, value in request.context.items()}
    context["site_url"] = base + "/"
    token = i18n.current_locale.set(settings.i18n.locale)
    try:
        text = _ENV.get_template(f"{request.kind}.txt").render(context)
        html = _ENV.get_template(f"{request.kind}.html").render(context)
    finally:
        i18n.current_locale.reset(token)
    first, _, body = text.partition("\n")
    subject = first.removeprefix("Subject:").strip()
    return subject, body.lstrip("\n"), html


def install(db: Database, settings: Settings) -> None:
    """Render the queued mails of every write transaction of `db` into its outbox (idempotent)."""
    if getattr(db, "_xpo_mail_renderer", False):
        return
    db._xpo_mail_renderer = True  # type: ignore[attr-defined]
    domain = sender_domain(settings.mail)

    async def write_outbox(session: AsyncSession) -> None:
        requests: list[MailRequest] = session.info.pop(MAIL_KEY, [])
        for request in requests:
            mode = await delivery_mode(session, request.to, request.kind)
            subject, text, html = render(request, settings)
            await store_mail(
                session, kind=request.kind, recipient=request.to, subject=subject, text=text, html=html,
                cause=request.cause, domain=domain, optional=request.optional,
                unsubscribe_url=configured_base(settings) + "/compte/notifications" if request.optional else "",
                per_hour=settings.mail.per_recipient_per_hour, held=HELD.get(mode, ""),
            )
        if requests:
            await session.flush()
            session.info["xpo_mail_queued"] = len(requests)

    db.add_precommit_hook(write_outbox)
