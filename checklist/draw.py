"""The city's random spot-check draw (双随机, 一公开): random enterprises, random inspectors for each.

The draw is pure and reproducible, so that it can be published and checked: given the seed and the two rosters
(the enterprises that match the filter, the inspectors who may go), anyone re-running `draw` gets the same tasks,
whatever order the rosters come in; `roster_hash` fingerprints a roster so that a record of the draw can show
that the rosters were not changed afterwards. Only the raw bits of `random.Random(seed).getrandbits` are used,
through our own rejection sampling and Fisher–Yates (never `randrange`, `sample` or `shuffle`, whose algorithms
Python may change), so a published draw can be re-verified on a later Python.

Each enterprise gets at least two inspectors, none of its own county (回避); a city unit's inspector
(no county) may go anywhere. The load is spread: each task takes the eligible inspectors with the fewest tasks
so far, ties broken at random, so when everyone may go everywhere the loads differ by at most one.
A draw that cannot be made is refused with DrawError: the request and the rosters are checked before the draw,
each drawn enterprise before any inspector is drawn.
"""

import hashlib
import json
import random
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cache
from itertools import pairwise
from operator import attrgetter
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from checklist.refusal import Refused

MIN_PER_TASK = 2  # the national practice: no inspector checks an enterprise alone

T = TypeVar("T")


class DrawError(Refused):
    """A refused draw."""


@dataclass(frozen=True)
class Candidate:
    """An enterprise of the filtered roster."""

    id: int
    name: str
    county_id: int
    county: str


@dataclass(frozen=True)
class Drawer:
    """An inspector of the inspector roster; no county means a city unit's inspector."""

    id: int
    name: str
    county_id: int | None
    county: str | None


@dataclass(frozen=True)
class Task:
    """One drawn enterprise and the inspectors drawn for it, in id order."""

    enterprise: Candidate
    inspectors: tuple[Drawer, ...]


def roster_hash(rows: Iterable[Candidate | Drawer]) -> str:
    """Return the sha256 (hex) of the roster's canonical JSON: rows sorted by id, keys sorted, UTF-8."""
    canonical = [{name: getattr(row, name) for name in _field_names(type(row))}
                 for row in sorted(rows, key=attrgetter("id"))]
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def _field_names(row_type: type) -> tuple[str, ...]:
    """Return the names of a row dataclass's fields (looked up once per class)."""
    return tuple(field.name for field in fields(row_type))


def draw(
    seed: int, candidates: Iterable[Candidate], drawers: Iterable[Drawer], enterprises: int, per_task: int,
) -> list[Task]:
    """Draw `enterprises` enterprises and `per_task` inspectors for each, in drawn order; raise DrawError."""
    if enterprises < 1:
        raise DrawError(_l("Ask for at least one enterprise."), field="enterprises")
    if per_task < MIN_PER_TASK:
        raise DrawError(_l("Send at least %(count)d inspectors to each enterprise.", count=MIN_PER_TASK),
                        field="per_task")
    candidates, drawers = _by_id(candidates), _by_id(drawers)
    if enterprises > len(candidates):
        raise DrawError(_l("Only %(count)d enterprises match the filter: ask for %(count)d or fewer.",
                           count=len(candidates)), field="enterprises")
    if per_task > len(drawers):
        raise DrawError(_l("Only %(count)d inspectors are on the roster: ask for %(count)d or fewer per enterprise.",
                           count=len(drawers)), field="per_task")

    rng = random.Random(seed)
    drawn = _choose(rng, candidates, enterprises)  # reorders our sorted copy: the roster is copied once
    by_county = Counter(drawer.county_id for drawer in drawers)
    for enterprise in drawn:  # every drawn enterprise is checked before any inspector is drawn
        eligible = len(drawers) - by_county[enterprise.county_id]
        if eligible < per_task:
            raise DrawError(_l("Only %(count)d inspectors may go to %(enterprise)s (none of its own county): "
                               "ask for fewer per enterprise or include more inspectors.",
                               count=eligible, enterprise=enterprise.name), field="per_task")

    loads = [0] * len(drawers)
    counties = [drawer.county_id for drawer in drawers]
    tasks = []
    for enterprise in drawn:
        chosen = _least_loaded(rng, loads, counties, enterprise.county_id, per_task)
        for index in chosen:
            loads[index] += 1
        tasks.append(Task(enterprise, tuple(drawers[index] for index in sorted(chosen))))
    return tasks


def _by_id(rows: Iterable[T]) -> list[T]:
    """Return a new list of the rows sorted by id; refuse a roster that holds an id twice (its order would matter)."""
    ordered = sorted(rows, key=attrgetter("id"))
    if any(first.id == second.id for first, second in pairwise(ordered)):
        raise ValueError("a roster holds the same id twice")
    return ordered


def _choose(rng: random.Random, items: list[T], count: int) -> list[T]:
    """Return `count` distinct items in drawn order by a partial Fisher–Yates, which reorders `items` in place."""
    for position in range(count):
        other = position + _below(rng, len(items) - position)
        items[position], items[other] = items[other], items[position]
    return items[:count]


def _least_loaded(rng: random.Random, loads: list[int], counties: list[int | None], county_id: int,
                  count: int) -> list[int]:
    """Return the indexes of `count` drawers not of the county with the fewest tasks, ties drawn at random."""
    eligible = [index for index, county in enumerate(counties) if county != county_id]
    eligible.sort(key=loads.__getitem__)  # stable: id order within a load, so the tie draw is reproducible
    threshold = loads[eligible[count - 1]]  # all below it go; the rest are drawn from those at it
    first = bisect_left(eligible, threshold, key=loads.__getitem__)
    last = bisect_right(eligible, threshold, key=loads.__getitem__)
    tied, wanted = eligible[first:last], count - first
    return eligible[:first] + (tied if len(tied) == wanted else _choose(rng, tied, wanted))


def _below(rng: random.Random, n: int) -> int:
    """Return a uniform integer in [0, n) from the generator's raw bits, by rejection (as randrange does)."""
    if n < 1:
        raise ValueError("nothing to draw from")  # the rejection loop below would never end
    bits = (n - 1).bit_length()  # 0 bits for n == 1: nothing is drawn
    while True:
        value = rng.getrandbits(bits)
        if value < n:
            return value
