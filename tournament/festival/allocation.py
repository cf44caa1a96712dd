"""Fair allocation of ready-made animations and of funding: pure, reproducible and explainable.

Plain data in, plain data out, standard library only. ``docs/allocation.md`` is the published rule;
this module is its reference implementation, and ``xpo allocate INPUTS.json --seed S`` runs it.

1. Priority classes come from each library's history: 1 = never took part, 2 = took part but never
   received a ready-made animation nor funding, 3 = the others.
2. Within a class the order is a lottery: library ``n`` draws the ticket
   ``sha256("<seed>:<n>")`` (hexadecimal) and smaller tickets pass first. Anyone can check their
   own ticket with ``printf '%s' 'seed:n' | sha256sum``.
3. Requests are examined in rounds. In each round, each library in that order examines its
   remaining requests in its own rank order until one is granted (or none is left), so no library
   gets a second animation before every library has had its chance at a first.
4. A request is granted only if every granted request can still be scheduled together: each in one
   of the windows its library offered, inside its provider's availability, with no provider and no
   library busy twice at overlapping times. Granted requests are never taken back.
5. Windows are then chosen lexicographically in the order requests were granted: each granted
   request gets the window highest in its library's preference that still lets every later one
   keep a window.
6. Funding requests pass in the same order and rounds against the envelope: a grant is the amount
   asked, cut to the edition's caps; a grant that does not fit the remaining envelope is skipped
   and the next request is examined.
"""

import hashlib
import json
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tournament.festival.matching import saturates_left

ALGORITHM = "xpo-allocation/1"
INPUTS_FORMAT = "xpo-allocation-inputs/1"
RESULT_FORMAT = "xpo-allocation-result/1"
MAX_SEARCH_STEPS = 200_000
"""Search nodes allowed per scheduling question; beyond it the run stops (same limit everywhere)."""

LibraryId = int
RequestId = int

GRANTED = "granted"
NO_COMMON_SLOT = "no_common_slot"
LIBRARY_LIMIT = "library_limit"
ANIMATION_FULL = "animation_full"
LIBRARY_BUSY = "library_busy"
PROVIDER_BUSY = "provider_busy"
DOES_NOT_FIT = "does_not_fit"
NOTHING_FUNDABLE = "nothing_fundable"

PARIS = ZoneInfo("Europe/Paris")
_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
           "décembre")
CLASS_LABELS = {
    1: "n'a jamais participé à X.PO",
    2: "a déjà participé sans jamais bénéficier d'une animation clé en main ni d'un financement",
    3: "a déjà bénéficié d'une animation clé en main ou d'un financement",
}


class InputsError(ValueError):
    """Inputs that cannot be allocated; ``code`` says why and ``path`` points into the JSON."""

    def __init__(self, code: str, path: str = "") -> None:
        super().__init__(f"{code} at {path}" if path else code)
        self.code = code
        self.path = path


class SearchLimitError(ValueError):
    """The scheduling search went past ``MAX_SEARCH_STEPS`` (inputs far larger than a festival's)."""


@dataclass(frozen=True, order=True)
class Window:
    """A time window [start, end), aware datetimes, compared and published in UTC to the second."""

    start: datetime
    end: datetime

    def overlaps(self, other: "Window") -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: "Window") -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class LibraryFacts:
    """A library as the allocation sees it: an id, a name and its history with X.PO."""

    id: LibraryId
    name: str
    took_part_before: bool = False
    received_animation_before: bool = False
    received_funding_before: bool = False


@dataclass(frozen=True)
class Provider:
    """Whoever runs ready-made animations (a company, a person, an MDE team) and when they can."""

    id: int
    name: str
    availability: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Animation:
    """A ready-made animation of the catalogue."""

    id: int
    title: str
    provider_id: int
    duration_minutes: int
    sessions: int | None = None
    """At most this many sessions in the edition; None when only the provider's time limits it."""


@dataclass(frozen=True)
class AnimationRequest:
    """A library asking for an animation: its rank (1 = most wanted) and windows by preference."""

    id: RequestId
    library_id: LibraryId
    animation_id: int
    rank: int
    slots: tuple[Window, ...]


@dataclass(frozen=True)
class FundingRule:
    """The edition's funding envelope and the caps applied to each grant (in euro cents)."""

    envelope_cents: int
    cap_percent: int | None = None
    """A grant is at most this percentage of the quoted cost."""
    cap_cents: int | None = None
    """A grant is at most this amount."""


@dataclass(frozen=True)
class FundingRequest:
    """A library asking MDE to fund part of one of its own animations."""

    id: RequestId
    library_id: LibraryId
    rank: int
    title: str
    amount_cents: int
    """What the library asks for."""
    cost_cents: int
    """The animation's total cost on the quote."""


@dataclass(frozen=True)
class Inputs:
    """Everything an allocation depends on, apart from the seed."""

    edition: str
    libraries: tuple[LibraryFacts, ...]
    providers: tuple[Provider, ...] = ()
    animations: tuple[Animation, ...] = ()
    requests: tuple[AnimationRequest, ...] = ()
    max_animations_per_library: int | None = None
    funding: FundingRule | None = None
    funding_requests: tuple[FundingRequest, ...] = ()


@dataclass(frozen=True)
class PriorityEntry:
    """A library's place in the order of examination, and why."""

    library_id: LibraryId
    priority_class: int
    ticket: str
    position: int


@dataclass(frozen=True)
class Decision:
    """The outcome of one animation request."""

    request_id: RequestId
    library_id: LibraryId
    animation_id: int
    rank: int
    round: int
    step: int
    """Examined in this order (1 = first) over the whole run."""
    reason: str
    slot: Window | None
    explanation: str

    @property
    def granted(self) -> bool:
        return self.reason == GRANTED


@dataclass(frozen=True)
class FundingDecision:
    """The outcome of one funding request."""

    request_id: RequestId
    library_id: LibraryId
    rank: int
    round: int
    step: int
    reason: str
    asked_cents: int
    granted_cents: int
    remaining_cents: int
    """What is left of the envelope after this decision."""
    explanation: str

    @property
    def granted(self) -> bool:
        return self.reason == GRANTED


@dataclass(frozen=True)
class Result:
    """A complete allocation: the order, every decision, and what identifies the run."""

    seed: str
    inputs_sha256: str
    priority: tuple[PriorityEntry, ...]
    decisions: tuple[Decision, ...]
    funding_decisions: tuple[FundingDecision, ...] = ()
    envelope_cents: int = 0
    funding_remaining_cents: int = 0
    algorithm: str = ALGORITHM


# ---------------------------------------------------------------------------------------------------
# Canonical JSON: what is hashed, published and compared byte for byte.


def canonical_json(data: Any) -> bytes:
    """UTF-8 JSON with sorted keys, no spaces and no escaping of non-ASCII characters."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def format_instant(moment: datetime) -> str:
    """``2025-03-29T13:00:00Z``: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _window_data(window: Window) -> dict[str, str]:
    return {"start": format_instant(window.start), "end": format_instant(window.end)}


def inputs_to_data(inputs: Inputs) -> dict[str, Any]:
    """The normalised JSON form of the inputs: lists by id, instants in UTC, slot order kept."""
    data: dict[str, Any] = {
        "format": INPUTS_FORMAT,
        "edition": inputs.edition,
        "max_animations_per_library": inputs.max_animations_per_library,
        "libraries": [
            {
                "id": lib.id,
                "name": lib.name,
                "took_part_before": lib.took_part_before,
                "received_animation_before": lib.received_animation_before,
                "received_funding_before": lib.received_funding_before,
            }
            for lib in sorted(inputs.libraries, key=lambda lib: lib.id)
        ],
        "providers": [
            {"id": p.id, "name": p.name, "availability": [_window_data(w) for w in sorted(p.availability)]}
            for p in sorted(inputs.providers, key=lambda p: p.id)
        ],
        "animations": [
            {"id": a.id, "title": a.title, "provider_id": a.provider_id, "duration_minutes": a.duration_minutes,
             "sessions": a.sessions}
            for a in sorted(inputs.animations, key=lambda a: a.id)
        ],
        "requests": [
            {"id": r.id, "library_id": r.library_id, "animation_id": r.animation_id, "rank": r.rank,
             "slots": [_window_data(w) for w in r.slots]}
            for r in sorted(inputs.requests, key=lambda r: r.id)
        ],
        "funding": None,
    }
    if inputs.funding is not None:
        rule = inputs.funding
        data["funding"] = {
            "envelope_cents": rule.envelope_cents,
            "cap_percent": rule.cap_percent,
            "cap_cents": rule.cap_cents,
            "requests": [
                {"id": f.id, "library_id": f.library_id, "rank": f.rank, "title": f.title,
                 "amount_cents": f.amount_cents, "cost_cents": f.cost_cents}
                for f in sorted(inputs.funding_requests, key=lambda f: f.id)
            ],
        }
    return data


def inputs_sha256(inputs: Inputs) -> str:
    """The SHA-256 (hex) of the canonical JSON of the normalised inputs."""
    return hashlib.sha256(canonical_json(inputs_to_data(inputs))).hexdigest()


class _Reader:
    """Reads one JSON value with its path, so that every refusal says where it is."""

    def __init__(self, value: Any, path: str) -> None:
        self.value, self.path = value, path

    def key(self, name: str, *, required: bool = True) -> "_Reader":
        if not isinstance(self.value, dict):
            raise InputsError("not_an_object", self.path)
        if name not in self.value and required:
            raise InputsError("missing", f"{self.path}.{name}".lstrip("."))
        return _Reader(self.value.get(name), f"{self.path}.{name}".lstrip("."))

    def items(self) -> list["_Reader"]:
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            raise InputsError("not_a_list", self.path)
        return [_Reader(item, f"{self.path}[{i}]") for i, item in enumerate(self.value)]

    def integer(self, *, minimum: int | None = None, optional: bool = False) -> int | None:
        if self.value is None and optional:
            return None
        if not isinstance(self.value, int) or isinstance(self.value, bool):
            raise InputsError("not_an_integer", self.path)
        if minimum is not None and self.value < minimum:
            raise InputsError("too_small", self.path)
        return self.value

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise InputsError("not_a_string", self.path)
        return self.value

    def flag(self) -> bool:
        if self.value is None:
            return False
        if not isinstance(self.value, bool):
            raise InputsError("not_a_boolean", self.path)
        return self.value

    def instant(self) -> datetime:
        try:
            moment = datetime.fromisoformat(self.text())
        except ValueError:
            raise InputsError("not_an_instant", self.path) from None
        if moment.tzinfo is None:
            raise InputsError("instant_without_offset", self.path)
        return moment.astimezone(UTC).replace(microsecond=0)

    def window(self) -> Window:
        start, end = self.key("start").instant(), self.key("end").instant()
        if end <= start:
            raise InputsError("window_ends_before_start", self.path)
        return Window(start, end)


def _unique(readers: list[_Reader], ids: list[int], code: str) -> None:
    seen: set[int] = set()
    for reader, ident in zip(readers, ids):
        if ident in seen:
            raise InputsError(code, reader.path)
        seen.add(ident)


def inputs_from_data(data: Mapping[str, Any]) -> Inputs:
    """Read and check inputs in the published JSON form; raises InputsError with a JSON path."""
    root = _Reader(data, "")
    fmt = root.key("format").text()
    if fmt != INPUTS_FORMAT:
        raise InputsError("unknown_format", "format")
    lib_readers = root.key("libraries").items()
    libraries = tuple(
        LibraryFacts(
            id=r.key("id").integer(), name=r.key("name").text(),
            took_part_before=r.key("took_part_before", required=False).flag(),
            received_animation_before=r.key("received_animation_before", required=False).flag(),
            received_funding_before=r.key("received_funding_before", required=False).flag(),
        )
        for r in lib_readers
    )
    _unique(lib_readers, [lib.id for lib in libraries], "duplicate_id")
    library_ids = {lib.id for lib in libraries}
    provider_readers = root.key("providers", required=False).items()
    providers = tuple(
        Provider(id=r.key("id").integer(), name=r.key("name").text(),
                 availability=tuple(w.window() for w in r.key("availability", required=False).items()))
        for r in provider_readers
    )
    _unique(provider_readers, [p.id for p in providers], "duplicate_id")
    provider_ids = {p.id for p in providers}
    animation_readers = root.key("animations", required=False).items()
    animations = []
    for r in animation_readers:
        animation = Animation(
            id=r.key("id").integer(), title=r.key("title").text(), provider_id=r.key("provider_id").integer(),
            duration_minutes=r.key("duration_minutes").integer(minimum=1),
            sessions=r.key("sessions", required=False).integer(minimum=0, optional=True),
        )
        if animation.provider_id not in provider_ids:
            raise InputsError("unknown_provider", f"{r.path}.provider_id")
        animations.append(animation)
    _unique(animation_readers, [a.id for a in animations], "duplicate_id")
    animation_ids = {a.id for a in animations}
    request_readers = root.key("requests", required=False).items()
    requests = []
    for r in request_readers:
        request = AnimationRequest(
            id=r.key("id").integer(), library_id=r.key("library_id").integer(),
            animation_id=r.key("animation_id").integer(), rank=r.key("rank").integer(minimum=1),
            slots=tuple(w.window() for w in r.key("slots").items()),
        )
        if request.library_id not in library_ids:
            raise InputsError("unknown_library", f"{r.path}.library_id")
        if request.animation_id not in animation_ids:
            raise InputsError("unknown_animation", f"{r.path}.animation_id")
        requests.append(request)
    _unique(request_readers, [r.id for r in requests], "duplicate_id")
    limit = root.key("max_animations_per_library", required=False).integer(minimum=0, optional=True)
    funding_reader = root.key("funding", required=False)
    rule, funding_requests = None, []
    if funding_reader.value is not None:
        rule = FundingRule(
            envelope_cents=funding_reader.key("envelope_cents").integer(minimum=0),
            cap_percent=funding_reader.key("cap_percent", required=False).integer(minimum=0, optional=True),
            cap_cents=funding_reader.key("cap_cents", required=False).integer(minimum=0, optional=True),
        )
        if rule.cap_percent is not None and rule.cap_percent > 100:
            raise InputsError("too_large", "funding.cap_percent")
        funding_readers = funding_reader.key("requests", required=False).items()
        for r in funding_readers:
            request = FundingRequest(
                id=r.key("id").integer(), library_id=r.key("library_id").integer(),
                rank=r.key("rank").integer(minimum=1), title=r.key("title").text(),
                amount_cents=r.key("amount_cents").integer(minimum=1),
                cost_cents=r.key("cost_cents").integer(minimum=1),
            )
            if request.library_id not in library_ids:
                raise InputsError("unknown_library", f"{r.path}.library_id")
            funding_requests.append(request)
        _unique(funding_readers, [f.id for f in funding_requests], "duplicate_id")
    return Inputs(
        edition=root.key("edition").text(), libraries=libraries, providers=providers, animations=tuple(animations),
        requests=tuple(requests), max_animations_per_library=limit, funding=rule,
        funding_requests=tuple(funding_requests),
    )


def result_to_data(result: Result) -> dict[str, Any]:
    """The published JSON form of a result (decisions in the order they were examined)."""
    return {
        "format": RESULT_FORMAT,
        "algorithm": result.algorithm,
        "seed": result.seed,
        "inputs_sha256": result.inputs_sha256,
        "priority": [
            {"library_id": e.library_id, "class": e.priority_class, "ticket": e.ticket, "position": e.position}
            for e in result.priority
        ],
        "decisions": [
            {"request_id": d.request_id, "library_id": d.library_id, "animation_id": d.animation_id, "rank": d.rank,
             "round": d.round, "step": d.step, "status": "granted" if d.granted else "refused", "reason": d.reason,
             "slot": _window_data(d.slot) if d.slot else None, "explanation": d.explanation}
            for d in result.decisions
        ],
        "funding": {
            "envelope_cents": result.envelope_cents,
            "granted_cents": result.envelope_cents - result.funding_remaining_cents,
            "remaining_cents": result.funding_remaining_cents,
            "decisions": [
                {"request_id": f.request_id, "library_id": f.library_id, "rank": f.rank, "round": f.round,
                 "step": f.step, "status": "granted" if f.granted else "refused", "reason": f.reason,
                 "asked_cents": f.asked_cents, "granted_cents": f.granted_cents, "remaining_cents": f.remaining_cents,
                 "explanation": f.explanation}
                for f in result.funding_decisions
            ],
        },
    }


def run_published(data: Mapping[str, Any], seed: str) -> bytes:
    """What ``xpo allocate`` prints: the canonical JSON of the result for published inputs."""
    return canonical_json(result_to_data(allocate(inputs_from_data(data), seed)))


# ---------------------------------------------------------------------------------------------------
# Priority: classes from history, lottery within a class.


def priority_class(library: LibraryFacts) -> int:
    """1 = never took part; 2 = never received an animation nor funding; 3 = the others."""
    if not library.took_part_before:
        return 1
    if not (library.received_animation_before or library.received_funding_before):
        return 2
    return 3


def ticket(seed: str, library_id: LibraryId) -> str:
    """A library's lottery ticket: ``sha256("<seed>:<id>")`` in hexadecimal."""
    return hashlib.sha256(f"{seed}:{library_id}".encode("utf-8")).hexdigest()


def priority_order(libraries: Iterable[LibraryFacts], seed: str) -> tuple[PriorityEntry, ...]:
    """Every library in the order of examination: by class, then by ticket (then id, never needed)."""
    ranked = sorted(libraries, key=lambda lib: (priority_class(lib), ticket(seed, lib.id), lib.id))
    return tuple(
        PriorityEntry(library_id=lib.id, priority_class=priority_class(lib), ticket=ticket(seed, lib.id), position=i)
        for i, lib in enumerate(ranked, start=1)
    )


# ---------------------------------------------------------------------------------------------------
# Scheduling: can these requests all get a window together?


@dataclass(frozen=True)
class _Item:
    request: AnimationRequest
    provider_id: int
    candidates: tuple[Window, ...]
    """The library's windows, in its order, that fit the duration and the provider's availability."""


def candidate_windows(request: AnimationRequest, animation: Animation, provider: Provider) -> tuple[Window, ...]:
    """The windows a request can use: offered by the library, long enough, within the provider's availability."""
    seen: list[Window] = []
    for window in request.slots:
        if window in seen or window.minutes < animation.duration_minutes:
            continue
        if any(available.contains(window) for available in provider.availability):
            seen.append(window)
    return tuple(seen)


@dataclass
class _Budget:
    left: int = MAX_SEARCH_STEPS

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise SearchLimitError("search_limit")


def _conflicts(item: _Item, window: Window, busy_provider: Mapping[int, list[Window]],
               busy_library: Mapping[int, list[Window]]) -> bool:
    return any(window.overlaps(w) for w in busy_provider.get(item.provider_id, ())) or any(
        window.overlaps(w) for w in busy_library.get(item.request.library_id, ())
    )


def _schedule(items: Sequence[_Item]) -> tuple[Window, ...] | None:
    """The lexicographically first joint schedule (items in order, windows by preference), or None.

    Depth-first search. Each node checks that every item still to place keeps a free window and
    that, per provider and per library, the items still to place can get pairwise distinct windows
    (a bipartite matching); that prunes hopeless branches early without changing which schedule
    comes first.
    """
    budget = _Budget()
    busy_provider: dict[int, list[Window]] = defaultdict(list)
    busy_library: dict[int, list[Window]] = defaultdict(list)
    chosen: list[Window] = []

    def promising(start: int) -> bool:
        per_provider: dict[int, dict[int, list[Window]]] = defaultdict(dict)
        per_library: dict[int, dict[int, list[Window]]] = defaultdict(dict)
        for j in range(start, len(items)):
            options = [w for w in items[j].candidates if not _conflicts(items[j], w, busy_provider, busy_library)]
            if not options:
                return False
            per_provider[items[j].provider_id][j] = options
            per_library[items[j].request.library_id][j] = options
        groups = [*per_provider.values(), *per_library.values()]
        return all(saturates_left(group) for group in groups if len(group) > 1)

    def search(i: int) -> bool:
        budget.spend()
        if i == len(items):
            return True
        if not promising(i):
            return False
        item = items[i]
        for window in item.candidates:
            if _conflicts(item, window, busy_provider, busy_library):
                continue
            busy_provider[item.provider_id].append(window)
            busy_library[item.request.library_id].append(window)
            chosen.append(window)
            if search(i + 1):
                return True
            chosen.pop()
            busy_library[item.request.library_id].pop()
            busy_provider[item.provider_id].pop()
        return False

    return tuple(chosen) if search(0) else None


def _free_window(items: Sequence[_Item], schedule: Sequence[Window], new: _Item) -> Window | None:
    """The new item's first window left free by an existing schedule of ``items``, if any."""
    busy_provider: dict[int, list[Window]] = defaultdict(list)
    busy_library: dict[int, list[Window]] = defaultdict(list)
    for item, window in zip(items, schedule):
        busy_provider[item.provider_id].append(window)
        busy_library[item.request.library_id].append(window)
    return next((w for w in new.candidates if not _conflicts(new, w, busy_provider, busy_library)), None)


def _admit(admitted: Sequence[_Item], schedule: tuple[Window, ...], new: _Item) -> tuple[Window, ...] | None:
    """A schedule of ``admitted`` plus ``new`` (the cheap way first), or None when there is none."""
    window = _free_window(admitted, schedule, new)
    if window is not None:
        return (*schedule, window)
    return _schedule([*admitted, new])


def schedulable(items: Sequence[_Item]) -> bool:
    """True when these items can all be scheduled together."""
    return _schedule(items) is not None


# ---------------------------------------------------------------------------------------------------
# French wording of decisions (part of the published result, so fixed here and not translated).


def format_euros(cents: int) -> str:
    """``1 234,50 €`` (narrow no-break space between thousands, as French typography has it)."""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", "\u202f")
    return f"{'-' if cents < 0 else ''}{grouped},{rest:02d}\u00a0€"


def format_window(window: Window) -> str:
    """``samedi 29 mars 2025 de 14:00 à 17:00`` in Paris time."""
    start, end = window.start.astimezone(PARIS), window.end.astimezone(PARIS)

    def day(moment: datetime) -> str:
        return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"

    if start.date() == end.date():
        return f"{day(start)} de {start:%H:%M} à {end:%H:%M}"
    return f"du {day(start)} à {start:%H:%M} au {day(end)} à {end:%H:%M}"


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _context(entry: PriorityEntry, round_number: int) -> str:
    return (f"Bibliothèque en priorité {entry.priority_class} ({CLASS_LABELS[entry.priority_class]}), "
            f"n° {entry.position} dans l'ordre de passage ; demande examinée au tour {round_number}.")


def _explain(reason: str, *, request: AnimationRequest, animation: Animation, provider: Provider, entry: PriorityEntry,
             round_number: int, slot: Window | None, limit: int | None, choice: int | None) -> str:
    title = f"« {animation.title} »"
    if reason == GRANTED:
        assert slot is not None and choice is not None
        text = (f"Accordée : {title} avec {provider.name}, le {format_window(slot)} ; c'était votre choix n° "
                f"{request.rank} et le créneau n° {choice} de votre liste.")
    elif reason == NO_COMMON_SLOT:
        text = (f"Refusée : aucun des créneaux proposés ne dure au moins {format_duration(animation.duration_minutes)} "
                f"tout en tombant dans les disponibilités de l'intervenant ({provider.name}).")
    elif reason == LIBRARY_LIMIT:
        text = (f"Refusée : la bibliothèque a déjà obtenu {limit} animation{'s' if limit != 1 else ''}, "
                f"le maximum fixé pour cette édition.")
    elif reason == ANIMATION_FULL:
        if animation.sessions == 0:
            text = f"Refusée : aucune séance de {title} n'est prévue pour cette édition."
        elif animation.sessions == 1:
            text = (f"Refusée : la seule séance prévue de {title} a déjà été attribuée à une demande examinée "
                    f"avant celle-ci.")
        else:
            text = (f"Refusée : les {animation.sessions} séances prévues de {title} ont déjà été attribuées à des "
                    f"demandes examinées avant celle-ci.")
    elif reason == LIBRARY_BUSY:
        text = (f"Refusée : {title} ne peut pas tenir dans vos créneaux en même temps que les animations "
                f"déjà accordées à votre bibliothèque.")
    else:
        text = (f"Refusée : l'intervenant ({provider.name}) n'a plus de créneau libre parmi ceux que vous avez "
                f"proposés, compte tenu des animations accordées aux demandes examinées avant celle-ci.")
    return f"{text} {_context(entry, round_number)}"


# ---------------------------------------------------------------------------------------------------
# The allocation itself.


def _rounds(order: Sequence[PriorityEntry], queues: dict[LibraryId, deque]) -> Iterable[tuple[int, PriorityEntry]]:
    """Yield (round, library) for each turn, as long as some library has requests left."""
    round_number = 0
    while any(queues[e.library_id] for e in order):
        round_number += 1
        for entry in order:
            if queues[entry.library_id]:
                yield round_number, entry


def _allocate_animations(inputs: Inputs, order: Sequence[PriorityEntry]) -> tuple[Decision, ...]:
    animations = {a.id: a for a in inputs.animations}
    providers = {p.id: p for p in inputs.providers}
    queues: dict[LibraryId, deque[AnimationRequest]] = {e.library_id: deque() for e in order}
    for request in sorted(inputs.requests, key=lambda r: (r.rank, r.id)):
        queues[request.library_id].append(request)
    admitted: list[_Item] = []
    schedule: tuple[Window, ...] = ()
    granted_per_library: dict[LibraryId, int] = defaultdict(int)
    sessions_used: dict[int, int] = defaultdict(int)
    examined: list[tuple[AnimationRequest, str, int, PriorityEntry, int]] = []
    step = 0
    for round_number, entry in _rounds(order, queues):
        queue = queues[entry.library_id]
        while queue:
            request = queue.popleft()
            step += 1
            animation = animations[request.animation_id]
            item = _Item(request, animation.provider_id,
                         candidate_windows(request, animation, providers[animation.provider_id]))
            limit = inputs.max_animations_per_library
            if not item.candidates:
                reason = NO_COMMON_SLOT
            elif limit is not None and granted_per_library[entry.library_id] >= limit:
                reason = LIBRARY_LIMIT
            elif animation.sessions is not None and sessions_used[animation.id] >= animation.sessions:
                reason = ANIMATION_FULL
            else:
                extended = _admit(admitted, schedule, item)
                if extended is not None:
                    reason, schedule = GRANTED, extended
                else:
                    others = [i for i in admitted if i.request.library_id != entry.library_id]
                    reason = LIBRARY_BUSY if schedulable([*others, item]) else PROVIDER_BUSY
            examined.append((request, reason, round_number, entry, step))
            if reason == GRANTED:
                admitted.append(item)
                granted_per_library[entry.library_id] += 1
                sessions_used[animation.id] += 1
                break
    final = _schedule(admitted) if admitted else ()
    assert final is not None, "granted requests always stay schedulable together"
    slots = {item.request.id: window for item, window in zip(admitted, final)}
    decisions = []
    for request, reason, round_number, entry, step in examined:
        animation = animations[request.animation_id]
        provider = providers[animation.provider_id]
        slot = slots.get(request.id)
        choice = request.slots.index(slot) + 1 if slot is not None else None
        decisions.append(Decision(
            request_id=request.id, library_id=request.library_id, animation_id=request.animation_id, rank=request.rank,
            round=round_number, step=step, reason=reason, slot=slot,
            explanation=_explain(reason, request=request, animation=animation, provider=provider, entry=entry,
                                 round_number=round_number, slot=slot, limit=inputs.max_animations_per_library,
                                 choice=choice),
        ))
    return tuple(decisions)


def funding_target(request: FundingRequest, rule: FundingRule) -> int:
    """The amount a request would get: what it asks, cut to the percentage and amount caps."""
    amount = request.amount_cents
    if rule.cap_percent is not None:
        amount = min(amount, request.cost_cents * rule.cap_percent // 100)
    if rule.cap_cents is not None:
        amount = min(amount, rule.cap_cents)
    return amount


def _allocate_funding(inputs: Inputs, order: Sequence[PriorityEntry]) -> tuple[tuple[FundingDecision, ...], int]:
    rule = inputs.funding
    if rule is None:
        return (), 0
    queues: dict[LibraryId, deque[FundingRequest]] = {e.library_id: deque() for e in order}
    for request in sorted(inputs.funding_requests, key=lambda r: (r.rank, r.id)):
        queues[request.library_id].append(request)
    remaining = rule.envelope_cents
    decisions: list[FundingDecision] = []
    step = 0
    for round_number, entry in _rounds(order, queues):
        queue = queues[entry.library_id]
        while queue:
            request = queue.popleft()
            step += 1
            target = funding_target(request, rule)
            if target == 0:
                reason = NOTHING_FUNDABLE
                text = f"Refusé : les plafonds de l'édition ({_caps(rule, request)}) ne laissent rien à financer."
            elif target > remaining:
                reason = DOES_NOT_FIT
                text = (f"Refusé : les {format_euros(target)} finançables pour « {request.title} » dépassent le reste "
                        f"de l'enveloppe ({format_euros(remaining)}) ; les demandes suivantes restent examinées.")
            else:
                reason = GRANTED
                remaining -= target
                capped = "" if target == request.amount_cents else f" (plafond de l'édition : {_caps(rule, request)})"
                text = (f"Accordé : {format_euros(target)} sur {format_euros(request.amount_cents)} demandés pour "
                        f"« {request.title} »{capped}. Reste de l'enveloppe : {format_euros(remaining)}.")
            decisions.append(FundingDecision(
                request_id=request.id, library_id=request.library_id, rank=request.rank, round=round_number, step=step,
                reason=reason, asked_cents=request.amount_cents,
                granted_cents=target if reason == GRANTED else 0, remaining_cents=remaining,
                explanation=f"{text} {_context(entry, round_number)}",
            ))
            if reason == GRANTED:
                break
    return tuple(decisions), remaining


def _caps(rule: FundingRule, request: FundingRequest) -> str:
    parts = []
    if rule.cap_percent is not None:
        parts.append(f"{rule.cap_percent} % du devis de {format_euros(request.cost_cents)}")
    if rule.cap_cents is not None:
        parts.append(f"{format_euros(rule.cap_cents)} par demande")
    return " et ".join(parts)


def allocate(inputs: Inputs, seed: str) -> Result:
    """Run the published rule on ``inputs`` with ``seed``; the same arguments always give the same result."""
    order = priority_order(inputs.libraries, seed)
    funding_decisions, remaining = _allocate_funding(inputs, order)
    return Result(
        seed=seed,
        inputs_sha256=inputs_sha256(inputs),
        priority=order,
        decisions=_allocate_animations(inputs, order),
        funding_decisions=funding_decisions,
        envelope_cents=inputs.funding.envelope_cents if inputs.funding else 0,
        funding_remaining_cents=remaining,
    )


# ---------------------------------------------------------------------------------------------------
# Comparing a stored run (possibly overridden) with a fresh run.


@dataclass(frozen=True)
class Difference:
    """A request whose outcome differs between two results (``None``: absent from that result)."""

    kind: str
    """``animation`` or ``funding``."""
    request_id: RequestId
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _outcomes(decisions: Iterable[Mapping[str, Any]], keys: Sequence[str]) -> dict[int, dict[str, Any]]:
    return {d["request_id"]: {k: d.get(k) for k in keys} for d in decisions}


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Difference]:
    """What changed between two result documents (status, reason, window or amount), by request id."""
    differences: list[Difference] = []
    for kind, decisions_of, keys in (
        ("animation", lambda r: r.get("decisions", []), ("status", "reason", "slot")),
        ("funding", lambda r: (r.get("funding") or {}).get("decisions", []), ("status", "reason", "granted_cents")),
    ):
        old, new = _outcomes(decisions_of(before), keys), _outcomes(decisions_of(after), keys)
        for request_id in sorted(old.keys() | new.keys()):
            if old.get(request_id) != new.get(request_id):
                differences.append(Difference(kind, request_id, old.get(request_id), new.get(request_id)))
    return differences

