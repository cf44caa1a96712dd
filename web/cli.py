"""`xpo`: serve, migrate, create accounts, load the demo. Lives in `web` because it starts the server."""

import argparse
import asyncio
import getpass
import sys
from dataclasses import replace

from tournament.config import ConfigError, Settings, load_settings


def public_base(settings: Settings) -> str:
    """The address to print for this server: `public_url`, or the host and port it listens on."""
    from web.links import configured_base

    return configured_base(settings)


def public_url_mismatch(settings: Settings) -> str:
    """The start-up warning when `public_url` is set but is not where this server answers (links would not open)."""
    from urllib.parse import urlsplit

    public = settings.server.public_url.strip()
    if not public:
        return ""
    parts = urlsplit(public)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1", settings.server.host)
    if local and port != settings.server.port:
        return (f"attention : public_url = {public} mais le serveur écoute sur le port {settings.server.port} ; "
                "les liens imprimés (cartes joueur, QR codes, écrans) n'ouvriront pas. "
                "Laissez public_url vide pour les construire depuis la requête.")
    return ""


def _serve(args: argparse.Namespace) -> int:
    from web import listen

    settings = load_settings()
    if args.port:
        settings = replace(settings, server=replace(settings.server, port=args.port))
    # Both ports listen before the application is imported and built (seconds): the screens coming back
    # after a restart, and a desk's requests, wait in the kernel's queue instead of being refused (web/listen.py).
    boards_socket = listen.bind(settings.boards.host, settings.boards.port, reuse_port=bool(settings.boards.port))
    http_socket = listen.bind(settings.server.host, settings.server.port)
    # The boards answer the returning screens while the application is imported and built (web/startup.py).
    from web import startup

    return startup.serve(settings, boards_socket, http_socket, log_level=args.log_level)


def _db(args: argparse.Namespace) -> int:
    from tournament import migrate

    url = load_settings().database_url
    if args.action == "upgrade":
        migrate.upgrade(url)
        print("database at the latest schema")
    else:
        migrate.revision(url, args.message or "change")
    return 0


def _admin_create(args: argparse.Namespace) -> int:
    from tournament.accounts import AccountError, Role, create_account
    from tournament.audit import SYSTEM
    from tournament.db import Database

    password = args.password or getpass.getpass("Mot de passe (10 caractères au moins) : ")

    async def run() -> None:
        db = Database(load_settings().database_url)
        try:
            async with db.write() as session:
                await create_account(
                    session,
                    email=args.email,
                    display_name=args.name,
                    password=password,
                    role=Role(args.role),
                    library_id=args.library,
                    actor=SYSTEM,
                )
        finally:
            await db.dispose()

    try:
        asyncio.run(run())
    except AccountError as exc:
        print(f"refusé : {exc} ({exc.field})", file=sys.stderr)
        return 2
    print(f"compte créé : {args.email} ({args.role})")
    return 0


def _mail_send(args: argparse.Namespace) -> int:
    """Deliver the pending mails once (for cron), whatever [mail] backend says."""
    from dataclasses import replace as with_values

    from tournament.db import Database
    from tournament.mailer import Sender

    settings = load_settings()

    async def run() -> int:
        db = Database(settings.database_url)
        try:
            return await Sender(db, with_values(settings.mail, backend="smtp")).drain()
        finally:
            await db.dispose()

    print(f"courriels traités : {asyncio.run(run())}")
    return 0


def _mail_job(args: argparse.Namespace) -> int:
    """Queue the reminders due today (`remind`) or today's digests (`digest`); each is queued once however often
    the job runs. The sender (or `xpo mail send`) delivers them."""
    from tournament.db import Database
    from tournament.digest import queue_digests
    from tournament.reminders import queue_reminders
    from web.notifications import render

    settings = load_settings()
    job = queue_reminders if args.mail_command == "remind" else queue_digests

    async def run() -> int:
        db = Database(settings.database_url)
        render.install(db, settings)
        try:
            async with db.write() as session:
                return await job(session)
        finally:
            await db.dispose()

    label = "rappels" if args.mail_command == "remind" else "résumés"
    print(f"{label} mis en file : {asyncio.run(run())}")
    return 0


def _iso_day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ : {text!r}") from None


def _backup(args: argparse.Namespace) -> int:
    from tournament.backup import BackupError, create_backup

    settings = load_settings()
    try:
        archive = create_backup(settings, args.to, keep=args.keep)
    except BackupError as exc:
        print(f"sauvegarde impossible : {exc}", file=sys.stderr)
        return 2
    print(f"sauvegarde écrite : {archive} (somme dans {archive.name}.sha256)")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tournament.backup import BackupError, restore_backup
    from tournament.migrate import missing_revisions

    settings = load_settings()
    try:
        restored = restore_backup(settings, Path(args.archive), force=args.force)
    except BackupError as exc:
        print(f"restauration refusée : {exc}", file=sys.stderr)
        return 2
    print(f"restauré : sauvegarde du {restored.created_at}, base {restored.database}, {restored.files} fichier(s)")
    if missing_revisions(settings.database_url):
        print("la sauvegarde est plus ancienne que le code : lancez `xpo db upgrade`, puis `xpo serve`")
    return 0


def _privacy_purge(args: argparse.Namespace) -> int:
    """The retention purge once (for cron; the running app also purges every [privacy] purge_every_hours)."""
    from tournament.db import Database
    from tournament.privacy import purge_database

    settings = load_settings()

    async def run():
        db = Database(settings.database_url)
        try:
            return await purge_database(db, settings.privacy)
        finally:
            await db.dispose()

    report = asyncio.run(run())
    print(f"joueurs anonymisés : {len(report.players)} ; entrées du journal nettoyées : {report.audit_entries}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from tournament.demo import load_demo
    from web.notifications import render

    settings = load_settings()
    url = args.database_url or f"sqlite+aiosqlite:///{settings.data_dir / 'demo.sqlite3'}"
    print(load_demo(url, reset=not args.keep, prepare=lambda db: render.install(db, settings),
                    base=public_base(settings), today=args.today))
    return 0


def _allocate(args: argparse.Namespace) -> int:
    """Replay a published allocation: print the canonical JSON result of the inputs and seed."""
    import json
    from pathlib import Path

    from tournament.festival.allocation import InputsError, SearchLimitError, run_published

    try:
        text = sys.stdin.read() if args.inputs == "-" else Path(args.inputs).read_text(encoding="utf-8")
        output = run_published(json.loads(text), args.seed)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"lecture impossible : {exc}", file=sys.stderr)
        return 2
    except InputsError as exc:
        print(f"entrées refusées : {exc.code} ({exc.path})", file=sys.stderr)
        return 2
    except SearchLimitError:
        print("calcul abandonné : entrées trop grandes pour la recherche de créneaux", file=sys.stderr)
        return 2
    # Exactly the published bytes (no newline added), so `| sha256sum` gives the published fingerprint.
    sys.stdout.buffer.write(output)
    sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xpo", description="X.PO Live")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web application")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(func=_serve)

    db = commands.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade", "revision"])
    db.add_argument("-m", "--message", default=None)
    db.set_defaults(func=_db)

    admin = commands.add_parser("admin", help="accounts")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_commands.add_parser("create", help="create an account (MDE staff by default)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--password", default=None, help="asked for when omitted")
    create.add_argument("--role", choices=["mde", "librarian", "referee"], default="mde")
    create.add_argument("--library", type=int, default=None, help="library id, for a librarian")
    create.set_defaults(func=_admin_create)

    mail = commands.add_parser("mail", help="outgoing mail")
    mail_commands = mail.add_subparsers(dest="mail_command", required=True)
    send = mail_commands.add_parser("send", help="deliver the pending mails of the outbox over SMTP, once")
    send.set_defaults(func=_mail_send)
    remind = mail_commands.add_parser("remind", help="queue today's reminders (equipment pick-up, return, overdue), once each")
    remind.set_defaults(func=_mail_job)
    digest = mail_commands.add_parser("digest", help="queue today's daily digests, once each")
    digest.set_defaults(func=_mail_job)

    backup = commands.add_parser("backup", help="write one dated archive: database snapshot, secret key, uploads, checksums")
    backup.add_argument("--to", default=None, help="folder (default: [backup] dir, else var/backups)")
    backup.add_argument("--keep", type=int, default=None, help="archives kept in the folder (default: [backup] keep; 0: all)")
    backup.set_defaults(func=_backup)

    restore = commands.add_parser("restore", help="check an archive and restore its database and files")
    restore.add_argument("archive")
    restore.add_argument("--force", action="store_true", help="overwrite a database that holds data or a running service")
    restore.set_defaults(func=_restore)

    privacy = commands.add_parser("privacy", help="players' personal data")
    privacy_commands = privacy.add_subparsers(dest="privacy_command", required=True)
    purge = privacy_commands.add_parser(
        "purge", help="erase the players past [privacy] player_retention_days and old audit addresses, once")
    purge.set_defaults(func=_privacy_purge)

    demo = commands.add_parser("demo", help="load a realistic demo edition into its own database")
    demo.add_argument("--database-url", default=None, help="default: var/demo.sqlite3")
    demo.add_argument("--keep", action="store_true", help="do not wipe the demo database first")
    demo.add_argument("--today", type=_iso_day, default=None, metavar="YYYY-MM-DD",
                      help="date the edition around this day (the final on it); default: today in Paris")
    demo.set_defaults(func=_demo)

    allocate = commands.add_parser("allocate", help="replay a published allocation (prints the published result file, byte for byte)")
    allocate.add_argument("inputs", help="the run's exported inputs (JSON file, or - for standard input)")
    allocate.add_argument("--seed", required=True, help="the seed published with the run")
    allocate.set_defaults(func=_allocate)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"configuration : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
