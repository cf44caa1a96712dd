"""An import run's apply, its batches written by the ORM (the previous path) or by Core statements (the kept one),
side by side in one process (issues 16 and 19).

    python perf/bench_import.py [--rows 10000] [--rounds 2]

Each round, for each side in turn, on a fresh migrated SQLite file: an `ImportRuns` run of a library directory of
``--rows`` rows (the rows of the 5 MB test, `tests/web/festival/test_import_runs.py`) is checked, then applied
(every row created), then the same file applied again (every row updated). Reported per side: the apply's CPU
time per row (`resource.getrusage`, the process: the loop, the check's thread and SQLite), its wall time and
rows per second; the pause between batches is set to 0, so the wall is the batches' own. The ORM side is the
previous `_write_batch` (`apply_libraries`, an `ImportChange` object per row, one flush) with the libraries known
as ORM objects (`known_libraries`), kept here only.
"""

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tournament import migrate  # noqa: E402
from tournament.audit import Actor  # noqa: E402
from tournament.accounts import Role  # noqa: E402
from tournament.db import Database  # noqa: E402
from tournament.festival import import_runs  # noqa: E402
from tournament.festival.import_runs import ImportRuns  # noqa: E402
from tournament.festival.imports import ImportChange, apply_libraries, known_libraries  # noqa: E402

STAFF = Actor(kind="account", id=1, role=Role.MDE, name="bench")
HEADER = "Nom;Commune;Adresse;Code postal;Courriel;Téléphone\n"


def directory(rows: int) -> str:
    return HEADER + "".join(
        f"Médiathèque intercommunale n°{i:06d};Commune {i % 400};{i} rue de la République, bâtiment B;"
        f"27{i % 1000:03d};bibliotheque{i:06d}@reseau-eure.fr;02 32 {i % 100:02d} {i % 97:02d} 00\n"
        for i in range(rows))


async def orm_batch(self, run, batch, check) -> None:
    """The previous `ImportRuns._write_batch` (libraries only)."""
    async with self.db.write() as session:
        written = apply_libraries(session, batch, check.existing)
        await session.flush()
        for record, before, after in written:
            session.add(ImportChange(run=run.id, table="library", record_id=record.id, before=before, after=after))
        created = sum(before is None for _, before, _ in written)
        run.created += created
        run.updated += len(written) - created


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_side(url: str, content: str, rows: int) -> list[tuple[str, float, float]]:
    db = Database(url)
    runs = ImportRuns(db)
    measured = []
    for label in ("create", "update"):
        run = runs.start_text("bibliotheques", content, actor=STAFF)
        await runs.wait(run)
        c0, t0 = cpu(), time.perf_counter()
        runs.apply(run.id, "all", actor=STAFF)
        await runs.wait(run)
        assert run.state == "done" and run.rows_done == rows, (run.state, run.error_code)
        measured.append((label, cpu() - c0, time.perf_counter() - t0))
    await db.dispose()
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    content = directory(args.rows)
    import_runs.PAUSE = 0
    core_batch, core_known = ImportRuns._write_batch, import_runs.known_library_records
    totals: dict[tuple[str, str], list[tuple[float, float]]] = {}
    print(f"{args.rows} rows ({len(content.encode()) / 1e6:.1f} MB), load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.sqlite3"
        migrate.upgrade(f"sqlite+aiosqlite:///{template}")
        for round_ in range(args.rounds):
            for side, batch, known in (("orm", orm_batch, known_libraries), ("core", core_batch, core_known)):
                path = Path(folder) / f"{side}{round_}.sqlite3"
                path.write_bytes(template.read_bytes())
                ImportRuns._write_batch, import_runs.known_library_records = batch, known
                for label, spent, wall in asyncio.run(one_side(f"sqlite+aiosqlite:///{path}", content, args.rows)):
                    totals.setdefault((side, label), []).append((spent, wall))
                    print(f"  round {round_ + 1} {side:4} {label}: CPU {spent:6.2f} s, wall {wall:6.2f} s")
    print(f"load average after {os.getloadavg()}")
    print("| side | apply | CPU per row | wall | rows/s (wall) |\n| --- | --- | --- | --- | --- |")
    for (side, label), values in totals.items():
        spent = sum(v[0] for v in values) / len(values)
        wall = sum(v[1] for v in values) / len(values)
        print(f"| {side} | {label} | {spent / args.rows * 1000:.3f} ms | {wall:.2f} s | {args.rows / wall:,.0f} |")


if __name__ == "__main__":
    main()
