"""The city's 双随机 spot checks: draw a plan from the two rosters (checklist.draw), keep it to be published, and
check it again later.

A plan keeps its seed, its filter and the fingerprints of both rosters, so that anyone can see that the same
seed on the same rosters gives the same tasks, and that a re-run after a roster changed would not. Each task is
a city spot check (or 四不两直) of its enterprise by its inspectors: their home page and their phone list it,
and a drawn inspector of another county may open and inspect that enterprise (access.drawn_for).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import local_today
from checklist.draw import DrawError, Task, draw, roster_hash
from checklist.models import Campaign, InspectionMode, SpotCheckPlan, SpotCheckTask, User
from checklist.read.spot_checks import DrawFilter, candidates, drawers

PLAN_MODES = (InspectionMode.CITY_SPOT, InspectionMode.SURPRISE)
SEED_LIMIT = 2**63  # a seed is stored as a signed 64-bit integer


@dataclass(frozen=True)
class Drawn:
    tasks: list[Task]
    enterprises_hash: str
    inspectors_hash: str


def draw_from_rosters(session: Session, campaign: Campaign, chosen: DrawFilter, *, enterprises: int, per_task: int,
                      seed: int, today: date | None = None) -> Drawn:
    """Read both rosters as they are now and draw from them; raise DrawError when the draw cannot be made."""
    if not 0 <= seed < SEED_LIMIT:
        raise DrawError(_l("The seed is a whole number from 0 to %(limit)d.", limit=SEED_LIMIT - 1), field="seed")
    pool = candidates(session, campaign, chosen, today or local_today())
    people = drawers(session, chosen)
    tasks = draw(seed, pool, people, enterprises, per_task)
    return Drawn(tasks, roster_hash(pool), roster_hash(people))


def draw_plan(
    session: Session, user: User | None, campaign: Campaign, chosen: DrawFilter, *, enterprises: int, per_task: int,
    seed: int, mode: InspectionMode = InspectionMode.CITY_SPOT, today: date | None = None,
) -> SpotCheckPlan:
    """Draw a plan and keep it; the user is the city's supervisor (None: the command line)."""
    _require_drawer(user, mode)
    drawn = draw_from_rosters(session, campaign, chosen, enterprises=enterprises, per_task=per_task, seed=seed,
                              today=today)
    return keep_plan(session, user, campaign, chosen, drawn, seed=seed, per_task=per_task, mode=mode)


def _require_drawer(user: User | None, mode: InspectionMode) -> None:
    if user is not None and not access.can_draw(user):
        raise DrawError(_l("Only the city's supervisors draw spot checks."), code="forbidden")
    if mode not in PLAN_MODES:
        raise DrawError(_l("A drawn check is a city spot check or an unannounced one."), field="mode")


def keep_plan(
    session: Session, user: User | None, campaign: Campaign, chosen: DrawFilter, drawn: Drawn, *, seed: int,
    per_task: int, mode: InspectionMode,
) -> SpotCheckPlan:
    """Keep a draw as a plan, its tasks and their inspectors."""
    _require_drawer(user, mode)
    people = {person.id: person for person in session.scalars(
        select(User).where(User.id.in_({drawer.id for task in drawn.tasks for drawer in task.inspectors}))
    )}
    plan = SpotCheckPlan(
        campaign=campaign, mode=mode, seed=seed, filter=chosen.to_json(), per_task=per_task,
        enterprises_hash=drawn.enterprises_hash, inspectors_hash=drawn.inspectors_hash, created_by=user,
    )
    for position, task in enumerate(drawn.tasks, start=1):
        plan.tasks.append(SpotCheckTask(position=position, enterprise_id=task.enterprise.id,
                                        inspectors=[people[drawer.id] for drawer in task.inspectors]))
    session.add(plan)
    session.flush()
    return plan


@dataclass(frozen=True)
class Recheck:
    """A plan drawn again with its seed on the rosters of now."""

    rosters_unchanged: bool
    same_tasks: bool
    refusal: str = ""  # why it cannot be drawn again at all (the roster shrank below the plan)


def check_plan(session: Session, plan: SpotCheckPlan, today: date | None = None) -> Recheck:
    """Draw the plan again with its seed and filter on today's rosters, and say whether it comes out the same."""
    try:
        drawn = draw_from_rosters(
            session, plan.campaign, DrawFilter.from_json(plan.filter), enterprises=len(plan.tasks),
            per_task=plan.per_task, seed=plan.seed, today=today,
        )
    except DrawError as error:
        return Recheck(False, False, str(error.message))
    again = [(task.enterprise.id, [drawer.id for drawer in task.inspectors]) for task in drawn.tasks]
    kept = [(task.enterprise_id, [person.id for person in task.inspectors]) for task in plan.tasks]
    unchanged = (drawn.enterprises_hash, drawn.inspectors_hash) == (plan.enterprises_hash, plan.inspectors_hash)
    return Recheck(unchanged, again == kept)
