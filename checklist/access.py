"""Who may see and do what: every object fetched by id goes through one of these."""

from datetime import date

from flask import abort
from sqlalchemy import Select, false, func, true

from checklist import access
from checklist.clock import local_today
from checklist.models import (
    County,
    Enterprise,
    Hazard,
    HazardLevel,
    Inspection,
    InspectionMode,
    InspectionStatus,
    Role,
    Unit,
    UnitKind,
    User,
    WorkerReport,
)


def sees_whole_city(user: User) -> bool:
    """The city's supervisors and the people of its units see every county."""
    return user.role is Role.CITY_ADMIN or (user.unit is not None and user.unit.is_city)


def enterprise_filter(user: User):
    """Return a WHERE clause selecting the enterprises the user may see."""
    if sees_whole_city(user):
        return true()
    if user.role is Role.ENTERPRISE:
        return Enterprise.id == user.enterprise_id if user.enterprise_id else false()
    if user.county_id is not None:
        return Enterprise.county_id == user.county_id
    return false()


def county_filter(user: User, county_id):
    """Return a WHERE clause on a county id column: the counties whose figures the user may see as a whole."""
    if sees_whole_city(user):
        return true()
    if user.role is not Role.ENTERPRISE and user.county_id is not None:
        return county_id == user.county_id
    return false()


def visible_enterprises(query: Select, user: User) -> Select:
    """Restrict a query over Enterprise to what the user may see."""
    return query.where(enterprise_filter(user))


def can_view_enterprise(user: User, enterprise: Enterprise) -> bool:
    if user.role is Role.ENTERPRISE:
        return user.enterprise_id == enterprise.id
    if user.unit is None:
        return False
    return (
        user.unit.is_city or user.unit.county_id == enterprise.county_id
        or drawn_for(user, enterprise) or crossing_to(user, enterprise)
    )


def drawn_for(user: User, enterprise: Enterprise, today: date | None = None) -> bool:
    """Whether a spot-check draw of a running campaign sent the user to the enterprise (双随机): a county's
    inspector may then open and inspect that one enterprise of another county, and nothing else of it."""
    today = today or local_today()
    return any(
        task.enterprise_id == enterprise.id and task.plan.campaign.is_running(today) for task in user.spot_check_tasks
    )


def crossing_to(user: User, enterprise: Enterprise, today: date | None = None) -> bool:
    """Whether one of the user's teams is sent to the enterprise for a cross inspection (交叉检查) today."""
    today = today or local_today()
    return any(
        crossing.enterprise_id == enterprise.id and crossing.is_running(today)
        for team in user.teams for crossing in team.cross_assignments
    )


def can_draw(user: User) -> bool:
    """The city's supervisors draw the spot checks and see the plans."""
    return is_city(user)


def allowed_modes(user: User, enterprise: Enterprise | None = None) -> list[InspectionMode]:
    """Return the inspection modes the user's role may start (at the enterprise, if given): a county's inspector
    sent to an enterprise of another county (drawn for it, or with a team sent there) inspects it as a cross
    inspection (交叉检查) only."""
    if user.role is Role.ENTERPRISE:
        return [InspectionMode.SELF_CHECK]
    if user.unit is None:
        return []
    if enterprise is not None and not user.unit.is_city and user.unit.county_id != enterprise.county_id:
        return [InspectionMode.CROSS]
    first = InspectionMode.CITY_SPOT if user.unit.is_city else InspectionMode.COUNTY_FULL
    return [first, InspectionMode.SURPRISE, InspectionMode.VIDEO, InspectionMode.CROSS]


def can_inspect(user: User, enterprise: Enterprise) -> bool:
    return bool(allowed_modes(user)) and can_view_enterprise(user, enterprise)


def can_view_inspection(user: User, inspection: Inspection) -> bool:
    """Parties of the enterprise (or of the unit, for 督政) see its submitted inspections; drafts stay with their
    inspectors."""
    if inspection.is_oversight:
        if not can_view_unit(user, inspection.inspected_unit):
            return False
    elif not can_view_enterprise(user, inspection.enterprise):
        return False
    return not inspection.is_draft or can_edit_inspection(user, inspection)


def can_edit_inspection(user: User, inspection: Inspection) -> bool:
    """Only a draft's creator and its listed inspectors may change it."""
    return inspection.is_draft and (
        inspection.created_by_id == user.id or user in inspection.inspectors
    )


def can_sign(user: User, inspection: Inspection) -> bool:
    """The enterprise's signature is taken once, on a submitted inspection, on the phone of one of its inspectors
    (a hazard recorded from a worker's report had no visit: nobody signs for it)."""
    return (inspection.status is InspectionStatus.SUBMITTED and not inspection.is_signed
            and takes_part(user, inspection))


def takes_part(user: User, inspection: Inspection) -> bool:
    return user.id == inspection.created_by_id or user in inspection.inspectors


def can_issue(user: User, inspection: Inspection) -> bool:
    """An inspection's documents are issued by its inspectors or the supervisors of the inspecting unit."""
    return takes_part(user, inspection) or (
        is_supervisor(user) and user.unit_id is not None and user.unit_id == inspection.unit_id
    )


def can_void(user: User, document) -> bool:
    """A document is voided by whoever issued it or a supervisor of the issuing unit."""
    return user.id == document.issued_by_id or (is_supervisor(user) and user.unit_id == document.unit_id)


def reviewing_unit(hazard: Hazard) -> Unit | None:
    """The unit that re-inspects a hazard (复查) and decides on its extensions: the unit it is listed under, else
    the one that found it (for a self-inspection's, the enterprise's supervising unit)."""
    return hazard.listed_unit or hazard.inspection.unit or hazard.enterprise.supervising_unit


def can_review(user: User, hazard: Hazard) -> bool:
    if user.role is Role.ENTERPRISE or user.unit_id is None or hazard.enterprise_id is None:
        return False
    unit = reviewing_unit(hazard)
    return unit is not None and unit.id == user.unit_id


def require(allowed: bool) -> None:
    """Stop the request with 403 unless allowed."""
    if not allowed:
        abort(403)


def is_city(user: User) -> bool:
    return user.role is Role.CITY_ADMIN


def is_enterprise(user: User) -> bool:
    return user.role is Role.ENTERPRISE


def is_supervisor(user: User) -> bool:
    """County and city supervisors: the statistics table, teams, cross-check and imports are theirs."""
    return user.role in (Role.COUNTY_ADMIN, Role.CITY_ADMIN)


def can_view_cross_check(user: User) -> bool:
    """The cross-check (印证) judges the counties' inspections by the city's spot checks: it is for supervisors.

    The city's supervisors see every county's; a county's supervisors (its county admins) see their own
    county's, which checklist.read.crosscheck limits to it. Inspectors, the city's included, and enterprises
    do not see it: it is the supervisors' view of their inspectors' work.
    """
    return is_city(user) or (user.role is Role.COUNTY_ADMIN and user.county_id is not None)


def can_view_hazard(user: User, hazard: Hazard) -> bool:
    """A hazard is seen by whoever may see the inspection that found it, once it is submitted."""
    return hazard.found_at is not None and can_view_inspection(user, hazard.inspection)


def can_submit_fix(user: User, hazard: Hazard) -> bool:
    """The enterprise fixes its hazards; a unit's own people fix the problems 督政 found at it."""
    if hazard.inspected_unit_id is not None:
        return user.role is not Role.ENTERPRISE and user.unit_id == hazard.inspected_unit_id
    return user.role is Role.ENTERPRISE and user.enterprise_id == hazard.enterprise_id


def can_verify(user: User, hazard: Hazard) -> bool:
    """The finding unit or the county admin verifies; a listed hazard only its supervising unit or the city.

    A unit's problem is verified by the unit whose inspection found it, or the city's supervisors; never by
    the unit itself, nor by a county office the city found it under.
    """
    if user.role is Role.ENTERPRISE or user.unit_id is None:
        return False
    if hazard.inspected_unit_id is not None:
        return user.unit_id != hazard.inspected_unit_id and (
            is_city(user) or user.unit_id == hazard.inspection.unit_id
        )
    if hazard.is_listed:
        return is_city(user) or user.unit_id == hazard.listed_unit_id
    if is_city(user):
        return True
    finder = hazard.inspection.unit_id or hazard.enterprise.supervising_unit_id  # self-checks: the supervisor
    return user.unit_id == finder or (
        user.role is Role.COUNTY_ADMIN and user.county_id == hazard.enterprise.county_id
    )


def verifies_every_fix(user: User) -> bool:
    """The city's supervisors (with their unit) verify any fix."""
    return is_city(user) and user.unit_id is not None


def verifiable_filter(user: User):
    """The WHERE clause of can_verify, over Hazard joined to its Inspection and Enterprise."""
    if verifies_every_fix(user):
        return true()
    if user.role is Role.ENTERPRISE or user.unit_id is None:
        return false()
    finder = func.coalesce(Inspection.unit_id, Enterprise.supervising_unit_id)
    unlisted = Hazard.listed_unit_id.is_(None) & (
        (finder == user.unit_id)
        | ((Enterprise.county_id == user.county_id) if user.role is Role.COUNTY_ADMIN else false())
    )
    return unlisted | (Hazard.listed_unit_id == user.unit_id)


def can_triage(user: User, report: WorkerReport) -> bool:
    """A worker's report is seen and decided by the people of the unit that received it, the county supervisors of
    its enterprise's county and the city's supervisors, as a hazard is verified (can_verify); never by the
    enterprise."""
    if user.role is Role.ENTERPRISE:
        return False
    if is_city(user):
        return True
    if user.unit_id is None:
        return False
    return user.unit_id == report.unit_id or (
        user.role is Role.COUNTY_ADMIN and user.county_id is not None and user.county_id == report.enterprise.county_id
    )


def triage_filter(user: User):
    """The WHERE clause of can_triage, over WorkerReport joined to its Enterprise."""
    if user.role is Role.ENTERPRISE:
        return false()
    if is_city(user):
        return true()
    if user.unit_id is None:
        return false()
    own = WorkerReport.unit_id == user.unit_id
    if user.role is Role.COUNTY_ADMIN and user.county_id is not None:
        return own | (Enterprise.county_id == user.county_id)
    return own


def can_list(user: User, hazard: Hazard) -> bool:
    """County admins list major hazards of their county, the city any; a unit's problems are not listed."""
    return hazard.enterprise_id is not None and hazard.level is HazardLevel.MAJOR and (
        is_city(user) or (user.role is Role.COUNTY_ADMIN and user.county_id == hazard.enterprise.county_id)
    )


def can_manage_accounts(user: User, enterprise: Enterprise) -> bool:
    """The city's supervisors, and the county supervisors of the enterprise's county, open its login."""
    return is_city(user) or (
        user.role is Role.COUNTY_ADMIN and user.county_id is not None and user.county_id == enterprise.county_id
    )


# 督政: who inspects which unit, and who sees a unit's problems and measures.


def can_inspect_unit(user: User, unit: Unit) -> bool:
    """The city inspects counties (their committee offices) and county departments; a county's committee
    office inspects its own departments. Nobody inspects their own unit."""
    if user.role is Role.ENTERPRISE or user.unit is None or unit.county_id is None or unit.id == user.unit_id:
        return False
    if sees_whole_city(user):
        return True
    county_office = user.role is Role.COUNTY_ADMIN or user.unit.kind is UnitKind.COMMITTEE
    return county_office and user.county_id == unit.county_id and unit.kind is UnitKind.DEPARTMENT


def inspectable_units_filter(user: User):
    """The WHERE clause of can_inspect_unit over Unit."""
    if user.role is Role.ENTERPRISE or user.unit is None:
        return false()
    others = (Unit.county_id.is_not(None)) & (Unit.id != user.unit_id)
    if sees_whole_city(user):
        return others
    if user.role is Role.COUNTY_ADMIN or user.unit.kind is UnitKind.COMMITTEE:
        return others & (Unit.county_id == user.county_id) & (Unit.kind == UnitKind.DEPARTMENT)
    return false()


def oversight_modes(user: User) -> list[InspectionMode]:
    """The modes of a 督政 inspection: those of the user's role but cross inspection, which is between enterprises."""
    return [mode for mode in allowed_modes(user) if mode not in (InspectionMode.SELF_CHECK, InspectionMode.CROSS)]


def can_view_unit(user: User, unit: Unit) -> bool:
    """A unit's problem list, 督政 inspections and measures: the unit's own people, its county's supervisors,
    and the city."""
    if user.role is Role.ENTERPRISE or user.unit is None:
        return False
    if sees_whole_city(user) or user.unit_id == unit.id:
        return True
    return user.role is Role.COUNTY_ADMIN and unit.county_id is not None and user.county_id == unit.county_id


def visible_units_filter(user: User):
    """The WHERE clause of can_view_unit over Unit."""
    if user.role is Role.ENTERPRISE or user.unit is None:
        return false()
    if sees_whole_city(user):
        return true()
    own = Unit.id == user.unit_id
    return own | (Unit.county_id == user.county_id) if user.role is Role.COUNTY_ADMIN else own


# Who reports for which unit, and which data its report covers.


def is_reporting_unit(unit: Unit) -> bool:
    """Tell whether a unit reports: a county's committee office for the county, a city department for itself."""
    if unit.county_id is None:
        return unit.kind is UnitKind.DEPARTMENT
    return unit.kind is UnitKind.COMMITTEE


def can_report(user: User, unit: Unit) -> bool:
    """Tell whether the user reports for the unit: a county admin for its county, city department staff for theirs."""
    if not is_reporting_unit(unit):
        return False
    if user.role is Role.COUNTY_ADMIN:
        return unit.county_id is not None and unit.county_id == user.county_id
    if user.role is Role.INSPECTOR:
        return unit.county_id is None and unit.id == user.unit_id
    return False


def can_oversee(user: User) -> bool:
    """Tell whether the user sees every unit's reports, the lateness flags and the bulletin: the city does."""
    return is_city(user)


def can_view_table(user: User, county: County | None) -> bool:
    """County supervisors see their county's table; the city's supervisors every table."""
    if user.role is Role.CITY_ADMIN:
        return True
    return user.role is Role.COUNTY_ADMIN and county is not None and user.county_id == county.id


def note_scope(user: User) -> tuple[bool, int | None]:
    """Whether the user writes a table's texts, and for which county (None: the city)."""
    if user.role is Role.CITY_ADMIN:
        return True, None
    if user.role is Role.COUNTY_ADMIN and user.county_id is not None:
        return True, user.county_id
    return False, None


def can_import(user: User) -> bool:
    """County supervisors (of a county) and the city's supervisors import rosters and checklist tables."""
    return access.is_city(user) or (user.role is Role.COUNTY_ADMIN and user.county_id is not None)


def can_assign(user: User, county_id: int | None) -> bool:
    """包保 of a county's enterprises is set by its supervisors, or the city's."""
    return is_city(user) or (user.role is Role.COUNTY_ADMIN and county_id is not None and user.county_id == county_id)


def can_manage_unit(user: User, unit: Unit) -> bool:
    """The city's supervisors manage every unit's teams; a county's supervisors their county's units'."""
    if user.role is Role.CITY_ADMIN:
        return True
    return user.role is Role.COUNTY_ADMIN and unit.county_id is not None and unit.county_id == user.county_id


def can_set_card_number(user: User, member: User) -> bool:
    """An officer's 执法证号 is set by the officer, or by a supervisor who manages the officer's unit; enterprise
    users hold none."""
    if member.role is Role.ENTERPRISE:
        return False
    return user.id == member.id or (member.unit is not None and can_manage_unit(user, member.unit))
