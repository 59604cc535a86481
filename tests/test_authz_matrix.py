"""The authorisation matrix: every route × every role × (own object, another enterprise's, another county's).

The cases come from the app's URL map: ROUTES says, for each endpoint, which roles are meant to reach it
and how to fill its address for a tenant's objects. A route missing from ROUTES fails the first test, so
a new route cannot be forgotten.

The tenants: enterprise A (county A) is "own" for every role; enterprise A2 is another enterprise of
county A; enterprise B is in county B. The roles: anonymous, inspector insp_a, the enterprise user of A,
county supervisor admin_a, city supervisor (who sees every county: for the city, A2 and B are controls
that must be reached, as they are for insp_a and admin_a at A2).

Each case is one request: GET when the route has it, else POST of a form with nothing but a valid CSRF
token (or, under /api/v1, a JSON body or a photo with the X-CSRFToken header). Its outcome:

- success: 2xx, or a redirect anywhere but to the login page with ?next= (Flask-Login's "log in first");
  a redirect back to the object's page with a flashed refusal counts as success, because the view let
  the user at the object;
- refused: 401, 403, 404, 409 (an identifier taken by someone else), or that redirect to log in;
- rejected: any other 4xx, the bad body (the form is empty on purpose);
- error: 5xx.

A case meant to be refused must be refused: neither a success nor a rejection (a 400 for the empty body
would mean the body was checked before the permission). A case meant to be reached must not be refused.
Every success must not show another tenant's data (its enterprise names, credit codes, hazards,
enforcement documents, units, teams and people): that is how list pages and their ?county= filters are
judged.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field, replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from PIL import Image
from sqlalchemy import select

from checklist.clock import local_today
from checklist.models import (
    CrossAssignment,
    DailyReport,
    DocumentKind,
    EnforcementKind,
    HazardLevel,
    Inspection,
    InspectionMode,
    MeasureKind,
    MonthlyReport,
    Outcome,
    Role,
    TableNote,
    Team,
    Unit,
    UnitKind,
)
from checklist.read.reports import yesterday
from checklist.read.spot_checks import DrawFilter
from checklist.rules import documents, photos
from checklist.rules import hazards as rectify
from checklist.rules.inspections import (
    HazardInput,
    add_enforcement,
    record_result,
    sign_problem_list,
    start_inspection,
    submit_inspection,
)
from checklist.rules.oversight import MeasureInput, take_measure
from checklist.rules.spot_checks import draw_plan
from checklist.rules.worker_reports import ReportInput, report_hazard

from .conftest import Client
from .factories import add_inspector, add_user, new_uuid
from .helpers import jpeg_bytes

ANONYMOUS, INSPECTOR, ENTERPRISE, COUNTY, CITY = "anonymous", "inspector", "enterprise", "county_admin", "city_admin"
ROLES = (ANONYMOUS, INSPECTOR, ENTERPRISE, COUNTY, CITY)
USERNAMES = {INSPECTOR: "insp_a", ENTERPRISE: "91140702MA0K000013", COUNTY: "admin_a", CITY: "city"}
USERS = frozenset(USERNAMES)
GOVERNMENT = frozenset({INSPECTOR, COUNTY, CITY})
SUPERVISORS = frozenset({COUNTY, CITY})
EVERYONE = frozenset(ROLES)

OWN, OTHER_ENTERPRISE, OTHER_COUNTY, NO_OBJECT = "own", "other enterprise", "other county", "no object"
TENANT_OF_SCOPE = {OWN: "A", OTHER_ENTERPRISE: "A2", OTHER_COUNTY: "B", NO_OBJECT: "A"}

# What the object in a route's address belongs to, and so which scopes its cases cover.
BY_ENTERPRISE = "enterprise"  # an enterprise's record: own, another enterprise's, another county's
BY_COUNTY = "county"  # a county's (county, unit, team): own, another county's
FILTER = "filter"  # ?county= narrowing a list already limited to the user: it may answer, but show nothing more
GLOBAL = "global"  # no tenant's object in the address
SCOPES = {
    BY_ENTERPRISE: (OWN, OTHER_ENTERPRISE, OTHER_COUNTY),
    BY_COUNTY: (OWN, OTHER_COUNTY),
    FILTER: (OWN, OTHER_COUNTY),
    GLOBAL: (NO_OBJECT,),
}

SUCCESS, REFUSED, REJECTED, ERROR = "success", "refused", "rejected", "error"
REFUSAL_STATUSES = {401, 403, 404, 409}


@dataclass(frozen=True)
class Objects:
    """The identifiers of one tenant's objects, as the addresses need them."""

    enterprise_id: int
    qr_token: str
    county_id: int
    unit_id: int  # a department of the county: the enterprise's supervising unit
    committee_id: int  # the county's work safety committee office: it reports
    team_id: int
    member_id: int  # a member of that team (removed by the case that removes members)
    inspection_id: int  # submitted and signed, with a major hazard, its photo and an enforcement action
    inspection_uuid: str
    hazard_id: int
    photo_id: int  # the marked copy of the hazard's photo (shown first); the original is guarded alike
    draft_id: int  # a draft: only its creator reaches it
    draft_item_id: int
    draft_action_id: int
    plan_id: int = 0  # the city's spot-check plan (one for the whole city)
    crossing_id: int = 0  # a team of county A sent to enterprise B (one for the whole city)
    document_id: int = 0  # the inspection's 责令限期整改指令书
    extension_id: int = 0  # the enterprise's request for more time for the inspection's major hazard
    self_check_id: int = 0  # the enterprise's submitted self-inspection
    worker_report_id: int = 0  # a worker's report of the enterprise, waiting in its supervising unit's queue
    report_code: str = ""  # that report's code: its reporter's way to it


@dataclass(frozen=True)
class Route:
    roles: frozenset  # who is meant to reach the route with its own objects
    level: str = GLOBAL
    values: object = None  # Objects -> the address's values and query arguments
    private: bool = False  # the object is its creator's alone (a draft): others' are refused even in the county
    json: object = None  # Objects -> the JSON body of an API PUT or POST
    photo: bool = False  # the API PUT carries a photo

    def address_values(self, objects: Objects) -> dict:
        return self.values(objects) if self.values else {}


def inspection(o: Objects) -> dict:
    return {"inspection_id": o.inspection_id}


def draft(o: Objects) -> dict:
    return {"inspection_id": o.draft_id}


def hazard(o: Objects) -> dict:
    return {"hazard_id": o.hazard_id}


def photo(o: Objects) -> dict:
    return {"photo_id": o.photo_id}


def document(o: Objects) -> dict:
    return {"document_id": o.document_id}


def extension(o: Objects) -> dict:
    return {"request_id": o.extension_id}


def self_check(o: Objects) -> dict:
    return {"inspection_id": o.self_check_id}


def site(o: Objects) -> dict:
    return {"token": o.qr_token}


def county(o: Objects) -> dict:
    return {"county": o.county_id}


def unit(o: Objects) -> dict:
    return {"unit_id": o.unit_id}


def reporting_unit(o: Objects) -> dict:
    return {"unit": o.committee_id}


def worker_report(o: Objects) -> dict:
    return {"report_id": o.worker_report_id}


def report_code(o: Objects) -> dict:
    return {"code": o.report_code}


ROUTES: dict[str, Route] = {
    "api.checklist": Route(USERS, values=lambda o: {"sector_code": "construction"}),  # checklists are shared
    "api.create_token": Route(EVERYONE),
    "api.get_inspection": Route(USERS, BY_ENTERPRISE, lambda o: {"client_uuid": o.inspection_uuid}),
    "api.me": Route(USERS),
    "api.openapi": Route(EVERYONE),
    "api.put_inspection": Route(USERS, BY_ENTERPRISE, lambda o: {"client_uuid": new_uuid()},
                                json=lambda o: {"site": o.qr_token}),
    "api.put_photo": Route(USERS, BY_ENTERPRISE, lambda o: {"client_uuid": new_uuid(), "site": o.qr_token},
                           photo=True),
    "api.sites": Route(USERS, BY_COUNTY, county),
    "api.offline_sites": Route(USERS, BY_COUNTY, county),
    "auth.activate": Route(EVERYONE),
    "auth.enterprise_account": Route(SUPERVISORS, BY_ENTERPRISE, lambda o: {"enterprise_id": o.enterprise_id}),
    "auth.login": Route(EVERYONE),
    "auth.logout": Route(USERS),
    "auth.profile": Route(GOVERNMENT),  # one's own 执法证号; enterprise users hold none
    "coverage.assignments": Route(SUPERVISORS, BY_COUNTY, county),
    "coverage.cross_assignments": Route(frozenset({CITY})),
    "coverage.download": Route(SUPERVISORS, BY_COUNTY, county),
    "coverage.recall": Route(frozenset({CITY}), values=lambda o: {"crossing_id": o.crossing_id}),
    "coverage.enterprise_download": Route(SUPERVISORS, BY_COUNTY, county),
    "coverage.enterprise_list": Route(SUPERVISORS, BY_COUNTY, county),
    "coverage.overview": Route(SUPERVISORS, BY_COUNTY, county),
    "dashboard.cross_check": Route(SUPERVISORS),  # access.can_view_cross_check
    "dashboard.dashboard": Route(GOVERNMENT),
    "dashboard.hazard_list": Route(GOVERNMENT, FILTER, county),
    "dashboard.inspection_list": Route(GOVERNMENT, FILTER, county),
    "documents.document": Route(USERS, BY_ENTERPRISE, document),
    "documents.document_docx": Route(USERS, BY_ENTERPRISE, document),
    "documents.download_all": Route(USERS, BY_ENTERPRISE, inspection),
    "documents.extension": Route(USERS, BY_ENTERPRISE, extension),
    "documents.extension_docx": Route(USERS, BY_ENTERPRISE, extension),
    "documents.index": Route(USERS, BY_ENTERPRISE, inspection),
    "documents.issue": Route(USERS, BY_ENTERPRISE, inspection),  # the rule refuses all but its inspectors
    "documents.receipt": Route(USERS, BY_ENTERPRISE, inspection),
    "documents.receipt_docx": Route(USERS, BY_ENTERPRISE, inspection),
    "documents.self_record": Route(USERS, BY_ENTERPRISE, self_check),
    "documents.self_record_docx": Route(USERS, BY_ENTERPRISE, self_check),
    "documents.void": Route(USERS, BY_ENTERPRISE, document),  # the rule refuses all but the issuing unit
    "imports.checklist": Route(SUPERVISORS),
    "imports.checklist_template": Route(SUPERVISORS),
    "imports.index": Route(SUPERVISORS),
    "imports.roster": Route(SUPERVISORS),
    "imports.roster_template": Route(SUPERVISORS),
    "imports.teams": Route(SUPERVISORS),
    "imports.teams_template": Route(SUPERVISORS),
    "inspect.checklist": Route(USERS, BY_ENTERPRISE, inspection),
    "inspect.enforcement": Route(USERS, BY_ENTERPRISE, inspection),
    "inspect.item": Route(USERS, BY_ENTERPRISE, lambda o: {"inspection_id": o.draft_id, "item_id": o.draft_item_id},
                          private=True),
    "inspect.problems": Route(USERS, BY_ENTERPRISE, inspection),
    # A self-inspection has no enforcement actions: the enterprise has none of its own to remove.
    "inspect.remove_action": Route(GOVERNMENT, BY_ENTERPRISE, lambda o: {
        "inspection_id": o.draft_id, "action_id": o.draft_action_id}, private=True),
    "inspect.review": Route(USERS, BY_ENTERPRISE, draft, private=True),
    "inspect.sign": Route(USERS, BY_ENTERPRISE, inspection),
    "inspect.signature": Route(USERS, BY_ENTERPRISE, inspection),
    # 督政: a unit's page is its own people's, its county supervisors' and the city's; a county office inspects
    # its own departments, the city every county's units; an inspector of a department inspects no unit.
    "oversight.index": Route(GOVERNMENT),
    "oversight.measures": Route(GOVERNMENT),
    "oversight.start": Route(SUPERVISORS, BY_COUNTY, unit),
    "oversight.unit": Route(GOVERNMENT, BY_COUNTY, unit),
    "oversight.unit_download": Route(GOVERNMENT, BY_COUNTY, unit),
    "pwa.inspect_shell": Route(USERS, BY_ENTERPRISE, site),
    "pwa.manifest": Route(EVERYONE),
    "pwa.outbox": Route(USERS),
    "pwa.scan": Route(USERS),
    "pwa.site_shell": Route(USERS),  # the page drawn on the phone from its copy: it holds no enterprise
    "pwa.service_worker": Route(EVERYONE),
    "rectification.accept": Route(USERS, BY_ENTERPRISE, hazard),
    "rectification.ask_extension": Route(USERS, BY_ENTERPRISE, hazard),  # the rule: the enterprise only
    "rectification.decide_extension": Route(USERS, BY_ENTERPRISE, extension),  # the rule: its verifiers only
    "rectification.extend": Route(USERS, BY_ENTERPRISE, hazard),
    "rectification.hazard": Route(USERS, BY_ENTERPRISE, hazard),
    "rectification.list_for_supervision": Route(USERS, BY_ENTERPRISE, hazard),
    "rectification.major_hazards": Route(GOVERNMENT),
    "rectification.major_hazards_download": Route(GOVERNMENT),
    "rectification.rectification_list": Route(USERS),
    "rectification.reject": Route(USERS, BY_ENTERPRISE, hazard),
    "rectification.submit_fix": Route(USERS, BY_ENTERPRISE, hazard),
    "rectification.verification": Route(GOVERNMENT),
    "reports.bulletin": Route(frozenset({CITY})),
    "reports.bulletin_download": Route(frozenset({CITY})),
    "reports.daily": Route(SUPERVISORS, BY_COUNTY, reporting_unit),  # the city is sent to the overview
    "reports.monthly": Route(SUPERVISORS, BY_COUNTY, reporting_unit),
    "reports.monthly_overview": Route(frozenset({CITY})),
    "reports.status": Route(frozenset({CITY})),
    "reviews.tasks": Route(GOVERNMENT),
    # 复查: the unit that found the hazard (county A's bureau, of insp_a) re-inspects it, in A and in A2.
    "reviews.visit": Route(frozenset({INSPECTOR}), BY_ENTERPRISE, inspection),
    "site.page": Route(EVERYONE, BY_ENTERPRISE, site),  # anonymous: the public page, asking to log in
    "site.start": Route(USERS, BY_ENTERPRISE, site),
    "spot_checks.download": Route(frozenset({CITY}), values=lambda o: {"plan_id": o.plan_id}),
    "spot_checks.plan": Route(frozenset({CITY}), values=lambda o: {"plan_id": o.plan_id}),
    "spot_checks.plans": Route(frozenset({CITY})),
    "supervise.add_member": Route(SUPERVISORS, BY_COUNTY, lambda o: {"team_id": o.team_id}),
    "supervise.enterprise_qr": Route(GOVERNMENT, BY_ENTERPRISE, lambda o: {"enterprise_id": o.enterprise_id}),
    "supervise.enterprises": Route(GOVERNMENT, FILTER, county),
    "supervise.qr_sheet": Route(GOVERNMENT, BY_COUNTY, lambda o: {"county_id": o.county_id}),
    "supervise.register_team": Route(SUPERVISORS, BY_COUNTY, unit),
    "supervise.remove_member": Route(SUPERVISORS, BY_COUNTY, lambda o: {"team_id": o.team_id, "user_id": o.member_id}),
    "supervise.set_card_number": Route(SUPERVISORS, BY_COUNTY, lambda o: {"user_id": o.member_id}),
    "supervise.set_document_heading": Route(SUPERVISORS, BY_COUNTY, unit),
    "supervise.set_liaison": Route(SUPERVISORS, BY_COUNTY, unit),
    "supervise.team_register": Route(SUPERVISORS),
    "supervise.team_register_download": Route(SUPERVISORS),
    "tables.download": Route(SUPERVISORS, BY_COUNTY, county),
    "tables.note": Route(SUPERVISORS),
    "tables.table": Route(SUPERVISORS, BY_COUNTY, county),
    "views.healthz": Route(EVERYONE),
    "views.home": Route(USERS),
    "views.photo": Route(USERS, BY_ENTERPRISE, photo),
    "views.photo_thumbnail": Route(USERS, BY_ENTERPRISE, photo),
    "views.switch_language": Route(EVERYONE, values=lambda o: {"code": "zh_CN"}),
    # 员工隐患报告: the form a site's QR code offers is anyone's (its token is posted on the wall); a report is read
    # by its code by anyone holding it, and by id only by its unit's people, its county's supervisors and the city.
    "worker_reports.new": Route(EVERYONE, values=site),
    "worker_reports.lookup": Route(EVERYONE),
    "worker_reports.status": Route(EVERYONE, values=report_code),
    "worker_reports.photo": Route(EVERYONE, values=report_code),
    "worker_reports.photo_thumbnail": Route(EVERYONE, values=report_code),
    "worker_reports.queue": Route(GOVERNMENT),
    "worker_reports.report": Route(GOVERNMENT, BY_ENTERPRISE, worker_report),
    "worker_reports.accept": Route(GOVERNMENT, BY_ENTERPRISE, worker_report),  # empty form: back to the report
    "worker_reports.dismiss": Route(GOVERNMENT, BY_ENTERPRISE, worker_report),
}


def test_every_route_of_the_app_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert sorted(endpoints - ROUTES.keys()) == [], "add these routes to ROUTES: who may reach them, with what"
    assert sorted(ROUTES.keys() - endpoints) == [], "these routes are gone: remove them from ROUTES"


# The world: three tenants with every kind of object.


@dataclass
class Tenants:
    objects: dict[str, Objects]  # by tenant: "A", "A2", "B"
    own_drafts: dict[str, Objects] = field(default_factory=dict)  # tenant A's objects with each role's own draft
    markers: dict[str, list[str]] = field(default_factory=dict)  # by role: texts it must never be shown


def signature_png() -> bytes:
    output = io.BytesIO()
    Image.new("LA", (200, 80), (0, 255)).save(output, "PNG")
    return output.getvalue()


def build_tenants(app, db, world) -> Tenants:
    catalogue, config = app.extensions["catalogue"], app.config

    def committee(county_id):
        return db.scalars(select(Unit).where(Unit.county_id == county_id, Unit.kind == UnitKind.COMMITTEE)).one()

    def submitted(creator, enterprise, team, code, mode=InspectionMode.COUNTY_FULL, fixer=None, skip=0) -> Inspection:
        """An inspection with an open major hazard (its photo, a document, a signature) and an overdue one,
        whose fix the enterprise submitted; the items after the first `skip` ones fail."""
        record = start_inspection(db, catalogue, creator, enterprise, mode=mode, team=team, client_uuid=new_uuid())
        record.started_at -= timedelta(days=2)  # a deadline lies on or after the inspection's day: yesterday's too
        items = record.checklist.items
        first, second, *others = items[skip:] + items[:skip]
        for item, level, days in ((first, HazardLevel.MAJOR, 9), (second, HazardLevel.GENERAL, -1)):
            record_result(db, creator, record, item, Outcome.FAIL, hazard=HazardInput(
                level=level, description=f"〔隐患{code}〕{level.value}", deadline=local_today() + timedelta(days=days),
                responsible_person="负责人"))
        for item in others:
            record_result(db, creator, record, item, Outcome.PASS)
        add_enforcement(db, creator, record, EnforcementKind.DOCUMENT, f"〔文书{code}〕")
        processed = photos.process_photo(jpeg_bytes(), photos.stamp_lines(record.enterprise, creator))
        original = photos.store(db, config["UPLOAD_DIR"], processed, creator, record, item=first,
                                hazard=record.hazards[0], client_uuid=new_uuid())
        photos.store(db, config["UPLOAD_DIR"], processed, creator, record, item=first, hazard=record.hazards[0],
                     client_uuid=new_uuid(), marked_from=original)  # its marked copy: record.photos[0]
        submit_inspection(db, creator, record)
        sign_problem_list(db, creator, record, signer_name="王经理", signature_png=signature_png(), refused=False)
        if fixer is not None:
            proof = [photos.process_photo(jpeg_bytes(), photos.stamp_lines(record.enterprise, fixer))]
            rectify.submit_fix(db, fixer, record.hazards[1], note=f"〔整改{code}〕", proof=proof,
                               upload_dir=config["UPLOAD_DIR"])
            rectify.request_extension(db, fixer, record.hazards[0], record.hazards[0].deadline + timedelta(days=9),
                                      f"〔延期{code}〕")
        if record.unit is not None:
            documents.issue(db, creator, record.unit, DocumentKind.ORDER, record)
        return record

    def self_checked(enterprise_user) -> Inspection:
        record = start_inspection(db, catalogue, enterprise_user, enterprise_user.enterprise,
                                  mode=InspectionMode.SELF_CHECK, team=None, client_uuid=new_uuid())
        for item in record.checklist.items:
            record_result(db, enterprise_user, record, item, Outcome.PASS)
        return submit_inspection(db, enterprise_user, record)

    def draft_of(creator, enterprise, mode, team=None) -> Inspection:
        record = start_inspection(db, catalogue, creator, enterprise, mode=mode, team=team, client_uuid=new_uuid())
        if mode is not InspectionMode.SELF_CHECK:
            add_enforcement(db, creator, record, EnforcementKind.OTHER, "草稿")
        return record

    member_a = add_inspector(db, "member_a", world.unit_a, "钱组员")
    member_b = add_inspector(db, "member_b", world.unit_b, "郑组员")
    world.team_a.members.append(member_a)
    team_b = Team(name="太谷检查督导组", unit=world.unit_b, members=[world.inspector_b, member_b])
    db.add(team_b)
    enterprise_user_b = add_user(db, world.enterprise_b.credit_code, Role.ENTERPRISE, "冯经理",
                                 enterprise=world.enterprise_b)
    self_checks = {tenant: self_checked(user) for tenant, user in (
        ("A", world.enterprise_user_a), ("A2", world.enterprise_user_a2), ("B", enterprise_user_b))}
    records = {
        "A": (submitted(world.inspector_a, world.enterprise_a, world.team_a, "A", fixer=world.enterprise_user_a),
              draft_of(world.inspector_a, world.enterprise_a, InspectionMode.COUNTY_FULL, world.team_a)),
        "A2": (submitted(world.colleague_a, world.enterprise_a2, world.team_a, "A2", fixer=world.enterprise_user_a2),
               draft_of(world.colleague_a, world.enterprise_a2, InspectionMode.COUNTY_FULL, world.team_a)),
        "B": (submitted(world.inspector_b, world.enterprise_b, team_b, "B", fixer=enterprise_user_b),
              draft_of(world.inspector_b, world.enterprise_b, InspectionMode.COUNTY_FULL, team_b)),
    }
    # What else a county's supervisors and the city see of county B: the city's spot check there, failing
    # items the county passed (印证), a major hazard under listed supervision, the reports and the texts
    # under its statistics table.
    submitted(world.city_admin, world.enterprise_b, None, "B", mode=InspectionMode.CITY_SPOT, skip=2)
    # The city's random spot-check plan: two city inspectors drawn for one enterprise of county B.
    for username in ("city_insp_1", "city_insp_2"):
        add_inspector(db, username, world.city_unit)
    db.flush()
    plan = draw_plan(db, world.city_admin, records["B"][0].campaign, DrawFilter(county_id=world.county_b.id),
                     enterprises=1, per_task=2, seed=7)
    # County A's team sent to county B's enterprise, from tomorrow: nothing of county B is reached today.
    tomorrow = local_today() + timedelta(days=1)
    crossing = CrossAssignment(team=world.team_a, enterprise=world.enterprise_b, starts_on=tomorrow,
                               ends_on=tomorrow + timedelta(days=8), created_by_id=world.city_admin.id)
    db.add(crossing)
    # The city's 督政 of county B's department: a problem, and a talk with its director.
    oversight = start_inspection(db, catalogue, world.city_admin, world.unit_b, mode=InspectionMode.CITY_SPOT,
                                 team=None, client_uuid=new_uuid())
    first, *others = oversight.checklist.items
    record_result(db, world.city_admin, oversight, first, Outcome.FAIL, hazard=HazardInput(
        level=HazardLevel.GENERAL, description="〔问题B〕", deadline=local_today() + timedelta(days=9),
        responsible_person="〔局长B〕"))
    for item in others:
        record_result(db, world.city_admin, oversight, item, Outcome.PASS)
    submit_inspection(db, world.city_admin, oversight)
    take_measure(db, world.city_admin, world.unit_b, MeasureInput(
        kind=MeasureKind.INTERVIEW, held_on=local_today(), persons="〔约谈B〕"), client_uuid=new_uuid(),
        inspection=oversight)
    rectify.list_hazard(db, world.county_admin_b, records["B"][0].hazards[0], world.unit_b,
                        local_today() + timedelta(days=20), "挂牌")
    committee_b, today = committee(world.county_b.id), local_today()
    db.add_all([
        DailyReport(unit=committee_b, report_date=yesterday(), highlights="〔日报B〕",
                    submitted_by=world.county_admin_b),
        MonthlyReport(unit=committee_b, month=today.replace(day=1), highlights="〔月报B〕",
                      submitted_by=world.county_admin_b),
        TableNote(unit=committee_b, starts_on=today - timedelta(days=30), ends_on=today, highlights="〔表注B〕",
                  updated_by_id=world.county_admin_b.id),
    ])
    # A worker's report of each enterprise, with its photo and its reporter's contact, waiting in the queue.
    worker_reports = {
        tenant: report_hazard(
            db, enterprise, ReportInput(f"〔报告{tenant}〕", "车间", f"〔联系人{tenant}〕"), client_uuid=new_uuid(),
            photo=photos.process_photo(jpeg_bytes(), photos.stamp_lines(enterprise, None)),
            upload_dir=config["UPLOAD_DIR"],
        )
        for tenant, enterprise in (("A", world.enterprise_a), ("A2", world.enterprise_a2), ("B", world.enterprise_b))
    }
    own_drafts = {
        INSPECTOR: records["A"][1],
        ENTERPRISE: draft_of(world.enterprise_user_a, world.enterprise_a, InspectionMode.SELF_CHECK),
        COUNTY: draft_of(world.county_admin_a, world.enterprise_a, InspectionMode.COUNTY_FULL),
        CITY: draft_of(world.city_admin, world.enterprise_a, InspectionMode.CITY_SPOT),
    }
    db.commit()

    places = {
        "A": (world.county_a, world.unit_a, world.team_a, member_a),
        "A2": (world.county_a, world.unit_a, world.team_a, member_a),
        "B": (world.county_b, world.unit_b, team_b, member_b),
    }
    objects = {}
    for tenant, (record, draft_record) in records.items():
        county_, unit_, team, team_member = places[tenant]
        objects[tenant] = Objects(
            enterprise_id=record.enterprise_id, qr_token=record.enterprise.qr_token, county_id=county_.id,
            unit_id=unit_.id, committee_id=committee(county_.id).id, team_id=team.id, member_id=team_member.id,
            inspection_id=record.id, inspection_uuid=record.uuid, hazard_id=record.hazards[0].id,
            photo_id=record.photos[0].id, draft_id=draft_record.id, draft_item_id=draft_record.checklist.items[0].id,
            draft_action_id=draft_record.actions[0].id, plan_id=plan.id, crossing_id=crossing.id,
            document_id=record.documents[0].id, extension_id=record.hazards[0].extension_requests[0].id,
            self_check_id=self_checks[tenant].id, worker_report_id=worker_reports[tenant][0].id,
            report_code=worker_reports[tenant][1],
        )
    tenants = Tenants(objects=objects)
    for role, draft_record in own_drafts.items():
        tenants.own_drafts[role] = replace(
            objects["A"], draft_id=draft_record.id, draft_item_id=draft_record.checklist.items[0].id,
            draft_action_id=draft_record.actions[0].id if draft_record.actions else objects["A"].draft_action_id,
        )

    def of_enterprise(tenant, enterprise):
        return [enterprise.name, enterprise.credit_code, f"〔隐患{tenant}〕", f"〔文书{tenant}〕", f"〔整改{tenant}〕",
                f"〔延期{tenant}〕", f"〔报告{tenant}〕", f"〔联系人{tenant}〕"]

    county_b = [world.unit_b.name, committee_b.name, team_b.name, world.inspector_b.name, member_b.name,
                world.county_admin_b.name, "〔日报B〕", "〔月报B〕", "〔表注B〕", "〔问题B〕", "〔局长B〕", "〔约谈B〕"]
    enterprise_a2, enterprise_b = of_enterprise("A2", world.enterprise_a2), of_enterprise("B", world.enterprise_b)
    tenants.markers = {
        # The site page a QR code opens is public: it names its enterprise, nothing more.
        ANONYMOUS: [text for tenant in ("A", "A2", "B") for text in (f"〔隐患{tenant}〕", f"〔文书{tenant}〕")]
        + [world.enterprise_a.credit_code, world.enterprise_a2.credit_code, world.enterprise_b.credit_code]
        # a report is read by its code (A's here), never its reporter's contact
        + ["〔报告A2〕", "〔报告B〕", "〔联系人A〕", "〔联系人A2〕", "〔联系人B〕"],
        INSPECTOR: enterprise_b + county_b,
        # an enterprise reads its own report by its code only, and never who sent it
        ENTERPRISE: enterprise_a2 + enterprise_b + county_b + ["〔联系人A〕"],
        COUNTY: enterprise_b + county_b,
        CITY: [],
    }
    return tenants


# Running the cases.


@dataclass(frozen=True)
class Case:
    endpoint: str
    rule: object
    role: str
    scope: str

    def __str__(self) -> str:
        return f"{self.endpoint} {self.rule.rule} as {self.role}, {self.scope}"


def cases(app) -> list[Case]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint == "auth.logout", rule.endpoint)):
        if rule.endpoint == "static":
            continue
        for role in ROLES:
            found += [Case(rule.endpoint, rule, role, scope) for scope in SCOPES[ROUTES[rule.endpoint].level]]
    return found


def crosses_tenants(route: Route, role: str, scope: str) -> bool:
    """Whether the case asks for another tenant's object than the role's own."""
    if role in (ANONYMOUS, CITY) or scope in (OWN, NO_OBJECT):
        return False
    return scope == OTHER_COUNTY or (role == ENTERPRISE and route.level == BY_ENTERPRISE)


def expected(route: Route, role: str, scope: str) -> str:
    if role not in route.roles:
        return REFUSED
    if scope in (OWN, NO_OBJECT):
        return SUCCESS
    if route.private or (crosses_tenants(route, role, scope) and route.level != FILTER):
        return REFUSED
    return SUCCESS


def outcome(response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return SUCCESS
    if 300 <= status < 400:
        target = urlsplit(response.location)
        asks_to_log_in = target.path == "/login" and "next" in parse_qs(target.query)
        return REFUSED if asks_to_log_in else SUCCESS
    if status in REFUSAL_STATUSES:
        return REFUSED
    return ERROR if status >= 500 else REJECTED


def shown_text(response) -> str:
    """What a response shows a person: its text, a JSON document's strings, a workbook's cells."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as workbook:
            return "".join(workbook.read(name).decode() for name in workbook.namelist() if name.endswith(".xml"))
    if response.mimetype.startswith("text/") or response.mimetype.endswith("javascript"):
        return response.get_data(as_text=True)
    return ""  # images and PDF: their text is drawn, not written


def send(client: Client, token: str, case: Case, route: Route, objects: Objects):
    path = case.rule.build(route.address_values(objects))[1]
    if "GET" in case.rule.methods:
        return client.http.get(path)
    if not case.rule.rule.startswith("/api/"):
        return client.http.post(path, data={"csrf_token": token})
    method = "PUT" if "PUT" in case.rule.methods else "POST"
    headers = {"X-CSRFToken": token}
    if route.photo:
        return client.http.open(path, method=method, data=jpeg_bytes(), content_type="image/jpeg", headers=headers)
    return client.http.open(path, method=method, json=route.json(objects) if route.json else {}, headers=headers)


def test_no_role_reaches_another_tenants_objects(app, db, world, capsys):
    tenants = build_tenants(app, db, world)
    clients = {role: Client(app.test_client()) for role in ROLES}
    for role, username in USERNAMES.items():
        clients[role].login(username)
    tokens = {role: client.token() for role, client in clients.items()}

    failures: dict[str, list[str]] = {
        "another tenant's object reached": [], "reached by a role not meant to": [],
        "the body checked before the permission": [], "refused to a role meant to reach it": [],
        "another tenant's data shown": [], "server error": [],
    }
    counted = {"cases": 0, "cross-tenant cases": 0, "cross-tenant successes": 0, "anonymous on private routes": 0}
    for case in cases(app):
        route = ROUTES[case.endpoint]
        objects = tenants.objects[TENANT_OF_SCOPE[case.scope]]
        if case.scope == OWN and case.role in tenants.own_drafts:
            objects = tenants.own_drafts[case.role]
        response = send(clients[case.role], tokens[case.role], case, route, objects)
        result, want = outcome(response), expected(route, case.role, case.scope)
        crossing = crosses_tenants(route, case.role, case.scope)
        shown = shown_text(response) if result == SUCCESS else ""
        response.close()
        leaked = [marker for marker in tenants.markers[case.role] if marker in shown]

        counted["cases"] += 1
        counted["cross-tenant cases"] += crossing
        counted["anonymous on private routes"] += case.role == ANONYMOUS and ANONYMOUS not in route.roles
        if crossing and (leaked if route.level == FILTER else result == SUCCESS):
            counted["cross-tenant successes"] += 1
        where = f"{case}: {response.status_code} {response.location or ''}".rstrip()
        if result == ERROR:
            failures["server error"].append(where)
        elif want == REFUSED and result == SUCCESS:
            failures["another tenant's object reached" if crossing else "reached by a role not meant to"].append(where)
        elif want == REFUSED and result == REJECTED:
            failures["the body checked before the permission"].append(where)
        elif want == SUCCESS and result == REFUSED:
            failures["refused to a role meant to reach it"].append(where)
        if leaked:
            failures["another tenant's data shown"].append(f"{where}: {', '.join(leaked)}")

    with capsys.disabled():
        print("\nauthorisation matrix: " + ", ".join(f"{count} {name}" for name, count in counted.items()))
    report = "\n".join(f"{kind}:\n  " + "\n  ".join(found) for kind, found in failures.items() if found)
    assert not report, report
    assert counted["cross-tenant successes"] == 0
