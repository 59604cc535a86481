"""Who may see and do what: every object fetched by id goes through one of these."""

from flask import abort
from sqlalchemy import Select, false, true

from .models import Enterprise, Inspection, InspectionMode, Role, User


def enterprise_filter(user: User):
    """Return a WHERE clause selecting the enterprises the user may see."""
    if user.role is Role.CITY_ADMIN or (user.unit is not None and user.unit.is_city):
        return true()
    if user.role is Role.ENTERPRISE:
        return Enterprise.id == user.enterprise_id if user.enterprise_id else false()
    if user.county_id is not None:
        return Enterprise.county_id == user.county_id
    return false()


def visible_enterprises(query: Select, user: User) -> Select:
    """Restrict a query over Enterprise to what the user may see."""
    return query.where(enterprise_filter(user))


def can_view_enterprise(user: User, enterprise: Enterprise) -> bool:
    if user.role is Role.ENTERPRISE:
        return user.enterprise_id == enterprise.id
    if user.unit is None:
        return False
    return user.unit.is_city or user.unit.county_id == enterprise.county_id


def allowed_modes(user: User) -> list[InspectionMode]:
    """Return the inspection modes the user's role may start."""
    if user.role is Role.ENTERPRISE:
        return [InspectionMode.SELF_CHECK]
    if user.unit is None:
        return []
    first = InspectionMode.CITY_SPOT if user.unit.is_city else InspectionMode.COUNTY_FULL
    return [first, InspectionMode.SURPRISE, InspectionMode.VIDEO, InspectionMode.CROSS]


def can_inspect(user: User, enterprise: Enterprise) -> bool:
    return bool(allowed_modes(user)) and can_view_enterprise(user, enterprise)


def can_view_inspection(user: User, inspection: Inspection) -> bool:
    """Parties of the enterprise see its submitted inspections; drafts stay with their inspectors."""
    if not can_view_enterprise(user, inspection.enterprise):
        return False
    return not inspection.is_draft or can_edit_inspection(user, inspection)


def can_edit_inspection(user: User, inspection: Inspection) -> bool:
    """Only a draft's creator and its listed inspectors may change it."""
    return inspection.is_draft and (
        inspection.created_by_id == user.id or user in inspection.inspectors
    )


def require(allowed: bool) -> None:
    """Stop the request with 403 unless allowed."""
    if not allowed:
        abort(403)
