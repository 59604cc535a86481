"""The two rosters of a 双随机 draw, read from the database, and what came of a plan's tasks.

The enterprise roster is the enterprises the filter keeps; the inspector roster is every active inspector of the
city's units, and on request of the counties' units too. Both are read in one query each, as the pure draw
(rules.spot_checks) wants them.
"""

import json
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from checklist.draw import Candidate, Drawer
from checklist.models import (
    Campaign,
    County,
    Enterprise,
    Hazard,
    HazardLevel,
    HazardStatus,
    Inspection,
    InspectionStatus,
    Role,
    SpotCheckPlan,
    SpotCheckTask,
    Unit,
    User,
    inspection_inspector,
    spot_check_inspector,
)
from checklist.read.coverage import inspected_in


@dataclass(frozen=True)
class DrawFilter:
    """Which enterprises may be drawn, and whether the counties' inspectors may go too; stored with a plan."""

    county_id: int | None = None
    sector_id: int | None = None
    never_inspected: bool = False  # in the campaign, by a county or city unit
    open_major: bool = False  # with a major hazard not closed
    overdue: bool = False  # with a hazard past its deadline
    with_counties: bool = False  # other counties' inspectors too (never of the enterprise's own county)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "DrawFilter":
        return cls(**json.loads(text))


def candidates(session: Session, campaign: Campaign, chosen: DrawFilter, today: date) -> list[Candidate]:
    """The enterprise roster of a draw: the enterprises the filter keeps."""
    query = select(Enterprise.id, Enterprise.name, Enterprise.county_id, County.name).join(Enterprise.county)
    if chosen.county_id is not None:
        query = query.where(Enterprise.county_id == chosen.county_id)
    if chosen.sector_id is not None:
        query = query.where(Enterprise.sector_id == chosen.sector_id)
    if chosen.never_inspected:
        query = query.where(~inspected_in(campaign))
    open_hazard = and_(Hazard.enterprise_id == Enterprise.id, Hazard.found_at.is_not(None),
                       Hazard.status != HazardStatus.CLOSED)
    if chosen.open_major:
        query = query.where(select(Hazard.id).where(open_hazard, Hazard.level == HazardLevel.MAJOR).exists())
    if chosen.overdue:
        query = query.where(select(Hazard.id).where(open_hazard, Hazard.deadline < today).exists())
    return [Candidate(*row) for row in session.execute(query)]


def drawers(session: Session, chosen: DrawFilter) -> list[Drawer]:
    """The inspector roster of a draw: the active inspectors of the city's units, and of the counties' if asked."""
    query = (
        select(User.id, User.name, Unit.county_id, County.name).join(User.unit).outerjoin(Unit.county)
        .where(User.role == Role.INSPECTOR, User.active.is_(True))
    )
    if not chosen.with_counties:
        query = query.where(Unit.county_id.is_(None))
    return [Drawer(*row) for row in session.execute(query)]


def plans(campaign: Campaign | None = None):
    """The plans drawn, the latest first."""
    query = select(SpotCheckPlan).options(joinedload(SpotCheckPlan.created_by)).order_by(SpotCheckPlan.id.desc())
    return query.where(SpotCheckPlan.campaign_id == campaign.id) if campaign is not None else query


def plan_tasks(session: Session, plan: SpotCheckPlan) -> list[SpotCheckTask]:
    return list(session.scalars(
        select(SpotCheckTask).where(SpotCheckTask.plan_id == plan.id).order_by(SpotCheckTask.position)
        .options(joinedload(SpotCheckTask.enterprise).joinedload(Enterprise.county),
                 selectinload(SpotCheckTask.inspectors).joinedload(User.unit))
    ))


@dataclass(frozen=True)
class Result:
    """What came of a task: the first inspection of its enterprise by one of its inspectors after the draw."""

    inspection: Inspection | None
    hazards: int = 0
    major: int = 0


def results(session: Session, plan: SpotCheckPlan, tasks: list[SpotCheckTask]) -> dict[int, Result]:
    """By task id: the inspection its drawn inspectors submitted of its enterprise since the draw, if any."""
    done = session.execute(
        select(SpotCheckTask.id, func.min(Inspection.id))
        .join(spot_check_inspector, spot_check_inspector.c.task_id == SpotCheckTask.id)
        .join(inspection_inspector, inspection_inspector.c.user_id == spot_check_inspector.c.user_id)
        .join(Inspection, and_(Inspection.id == inspection_inspector.c.inspection_id,
                               Inspection.enterprise_id == SpotCheckTask.enterprise_id))
        .where(SpotCheckTask.plan_id == plan.id, Inspection.status == InspectionStatus.SUBMITTED,
               Inspection.submitted_at >= plan.created_at)
        .group_by(SpotCheckTask.id)
    ).all()
    inspections = {each.id: each for each in session.scalars(
        select(Inspection).where(Inspection.id.in_([inspection_id for _task, inspection_id in done]))
        .options(selectinload(Inspection.hazards))
    )}
    found = {}
    for task_id, inspection_id in done:
        inspection = inspections[inspection_id]
        found[task_id] = Result(inspection, len(inspection.hazards),
                                sum(hazard.level is HazardLevel.MAJOR for hazard in inspection.hazards))
    return {task.id: found.get(task.id, Result(None)) for task in tasks}


def drawn_for(session: Session, user: User, campaign: Campaign) -> list[SpotCheckTask]:
    """The user's tasks of the campaign's plans whose enterprise none of the task's inspectors has inspected since."""
    tasks = session.scalars(
        select(SpotCheckTask).join(SpotCheckTask.plan)
        .join(spot_check_inspector, spot_check_inspector.c.task_id == SpotCheckTask.id)
        .where(spot_check_inspector.c.user_id == user.id, SpotCheckPlan.campaign_id == campaign.id)
        .options(joinedload(SpotCheckTask.plan), joinedload(SpotCheckTask.enterprise))
        .order_by(SpotCheckTask.plan_id.desc(), SpotCheckTask.position).limit(100)
    ).unique().all()
    open_tasks = []
    for plan_id in dict.fromkeys(task.plan_id for task in tasks):
        plan_tasks_ = [task for task in tasks if task.plan_id == plan_id]
        done = results(session, plan_tasks_[0].plan, plan_tasks_)
        open_tasks += [task for task in plan_tasks_ if done[task.id].inspection is None]
    return open_tasks


def drawn_enterprise_ids(user: User, today: date) -> Select:
    """Select the ids of the enterprises a draw of a running campaign sent the user to (access.drawn_for)."""
    return (
        select(SpotCheckTask.enterprise_id).join(SpotCheckTask.plan).join(SpotCheckPlan.campaign)
        .join(spot_check_inspector, spot_check_inspector.c.task_id == SpotCheckTask.id)
        .where(spot_check_inspector.c.user_id == user.id, Campaign.starts_on <= today, Campaign.ends_on >= today)
    )
