"""Every GET route of the app, as every role, on the bench dataset: issue 15's pages_p95_ms, pages_max_ms and
slowest.

The routes come from the app's URL map, not from a list: a route whose address needs a value the crawl cannot
fill stops the crawl, naming the route, so a new page is never left out. Each role asks for the objects it
may see (its county's inspection, hazard, unit …; the enterprise its own), plus the usual query strings of
the list pages (their filters and their second page). Every address is requested once to warm up, then once
timed, in-process with the Flask test client. Only the answers a role reaches (2xx and redirects) are
counted: a refusal costs nothing and says nothing of the page. An answer of 500 or more fails the crawl.
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from flask import Flask
from PIL import Image
from sqlalchemy import select

ANONYMOUS = "anonymous"
SKIPPED = {"static"}  # files, not pages
DRAFT_PAGES = {"inspect.checklist", "inspect.item", "inspect.enforcement", "inspect.review"}
SELF_CHECK_PAGES = {"documents.self_record", "documents.self_record_docx"}
# Besides the bare address: the filters people use and the second page of each list.
QUERIES = {
    "dashboard.hazard_list": ["status=open&major=1", "overdue=1", "page=2"],
    "dashboard.inspection_list": ["page=2", "mode=county_full"],
    "supervise.enterprises": ["page=2", "q=有限"],
    "rectification.major_hazards": ["page=2", "closed=1", "county={county_id}"],
    "rectification.major_hazards_download": ["county={county_id}"],
    "rectification.verification": ["page=2"],
    "coverage.enterprise_list": ["page=2", "kind=inspected"],
    "coverage.overview": ["county={county_id}"],
    "tables.table": ["county={county_id}"],
    "dashboard.cross_check": ["county={county_id}"],
    "reviews.tasks": ["page=2", "mine=1"],
    "supervise.qr_sheet": ["part=2"],
    "supervise.team_register": ["county={county_id}"],
}


@dataclass(frozen=True)
class Timed:
    endpoint: str
    role: str
    path: str
    status: int
    ms: float

    def __str__(self) -> str:
        return f"{self.endpoint} as {self.role} ({self.path}): {self.ms:.0f} ms"


@dataclass(frozen=True)
class Crawl:
    timed: list[Timed]  # every request of the timed pass
    reached: list[Timed]  # those a role reached (2xx, 3xx)

    @property
    def p95_ms(self) -> float:
        values = sorted(entry.ms for entry in self.reached)
        return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]

    @property
    def max_ms(self) -> float:
        return max(entry.ms for entry in self.reached)

    def slowest(self, count: int = 5) -> list[Timed]:
        return sorted(self.reached, key=lambda entry: entry.ms, reverse=True)[:count]


def jpeg() -> bytes:
    output = BytesIO()
    Image.new("RGB", (1200, 900), (120, 160, 200)).save(output, "JPEG")
    return output.getvalue()


def prepare(app: Flask, scene) -> dict[str, object]:
    """Give the dataset what some pages need and it lacks (a numbered document, an extension request, a spot-check
    plan, a worker's report), through the app's rules where they allow it; return the objects the addresses are
    filled with."""
    from checklist.models import (
        DocumentKind,
        Enterprise,
        ExtensionRequest,
        Hazard,
        Inspection,
        InspectionMode,
        InspectionStatus,
        Photo,
        SpotCheckPlan,
        User,
    )
    from checklist.read.spot_checks import DrawFilter
    from checklist.rules import documents, photos
    from checklist.rules.inspections import active_campaign
    from checklist.rules.spot_checks import draw_plan
    from checklist.rules.worker_reports import ReportInput, report_hazard

    with app.app_context(), app.extensions["sessionmaker"]() as session:
        submitted = session.get(Inspection, scene.submitted_id)
        inspector = session.scalars(select(User).where(User.username == scene.inspector)).one()
        document = documents.issue(session, inspector, submitted.unit, DocumentKind.ORDER, submitted)
        hazard = session.get(Hazard, scene.hazard_id)
        enterprise_user = session.scalars(select(User).where(User.username == scene.enterprise_user)).first()
        enterprise_id = enterprise_user.enterprise_id if enterprise_user else scene.enterprise_id
        own_hazard = session.get(Hazard, scene.enterprise_hazard_id) if scene.enterprise_hazard_id else hazard
        extension = ExtensionRequest(hazard=own_hazard, requested_by_id=(enterprise_user or inspector).id,
                                     reason="基准测试：申请延期", deadline_from=own_hazard.deadline,
                                     requested_deadline=own_hazard.deadline + timedelta(days=30))
        session.add(extension)
        plan_id = session.scalar(select(SpotCheckPlan.id).order_by(SpotCheckPlan.id))
        if plan_id is None:
            city = session.scalars(select(User).where(User.username == scene.city)).one()
            plan_id = draw_plan(session, city, active_campaign(session), DrawFilter(), enterprises=20, per_task=2,
                                seed=2021).id
        self_check = session.scalar(
            select(Inspection.id).where(Inspection.enterprise_id == enterprise_id,
                                        Inspection.mode == InspectionMode.SELF_CHECK,
                                        Inspection.status == InspectionStatus.SUBMITTED).order_by(Inspection.id))
        own_inspection = session.scalar(
            select(Inspection.id).where(Inspection.enterprise_id == enterprise_id,
                                        Inspection.status == InspectionStatus.SUBMITTED).order_by(Inspection.id))
        photo = session.scalar(select(Photo.id).where(Photo.enterprise_id == scene.enterprise_id).order_by(Photo.id))
        if photo is None:  # the dataset keeps no photo files: add one, as an upload would
            photo = photos.store(session, app.config["UPLOAD_DIR"], photos.process_photo(
                jpeg(), photos.stamp_lines(submitted.enterprise, inspector)), inspector, submitted, hazard=hazard).id
        report, report_code = report_hazard(
            session, submitted.enterprise, ReportInput("基准测试：配电箱门敞开，电线裸露", "二号车间东侧"), photo=None,
            upload_dir=app.config["UPLOAD_DIR"], client_uuid=str(uuid.uuid4()))
        session.commit()
        return {
            "document_id": document.id, "request_id": extension.id, "plan_id": plan_id,
            "self_check_id": self_check, "own_inspection_id": own_inspection, "photo_id": photo,
            "unit_id": inspector.unit_id, "client_uuid": submitted.uuid, "own_enterprise_id": enterprise_id,
            "own_token": session.get(Enterprise, enterprise_id).qr_token, "report_id": report.id,
            "report_code": report_code,
        }


def values_for(endpoint: str, role: str, scene, objects: dict[str, object]) -> dict[str, object]:
    """The values of a route's address for a role: the role's own objects."""
    enterprise = role == "enterprise"
    inspection = objects["own_inspection_id"] if enterprise else scene.submitted_id
    if endpoint in DRAFT_PAGES:
        inspection = scene.draft_id
    elif endpoint in SELF_CHECK_PAGES:
        inspection = objects["self_check_id"]
    return {
        "inspection_id": inspection, "item_id": scene.item_id, "client_uuid": objects["client_uuid"],
        "hazard_id": scene.enterprise_hazard_id if enterprise else scene.hazard_id, "photo_id": objects["photo_id"],
        "token": objects["own_token"] if enterprise else scene.token, "sector_code": scene.sector,
        "county_id": scene.county_id, "unit_id": objects["unit_id"], "plan_id": objects["plan_id"],
        "enterprise_id": objects["own_enterprise_id"] if enterprise else scene.enterprise_id,
        "document_id": objects["document_id"], "request_id": objects["request_id"], "report_id": objects["report_id"],
        "code": objects["report_code"] if endpoint.startswith("worker_reports.") else "zh_CN",
    }


def addresses(app: Flask, role: str, scene, objects: dict[str, object]) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET route for a role, with its query strings."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        values = values_for(rule.endpoint, role, scene, objects)
        missing = [name for name in rule.arguments if values.get(name) is None]
        if missing:
            raise RuntimeError(f"the crawl has no value for {', '.join(missing)} of {rule.endpoint} ({rule.rule})")
        path = rule.build({name: values[name] for name in rule.arguments})[1]
        found.append((rule.endpoint, path))
        for query in QUERIES.get(rule.endpoint, []):
            found.append((rule.endpoint, f"{path}?{query.format(county_id=scene.county_id)}"))
    return found


def users(scene) -> dict[str, str]:
    """The user name of each role that logs in, from the bench's scene."""
    named = {"inspector": scene.inspector, "enterprise": scene.enterprise_user, "county_admin": scene.county_admin,
             "city_admin": scene.city}
    return {role: username for role, username in named.items() if username}


def crawl(app: Flask, scene, clients: dict[str, object]) -> Crawl:
    """Request every address of every role twice (a warm-up, then timed); `clients`: a test client per role, logged
    in as users(scene) says (ANONYMOUS: nobody)."""
    objects = prepare(app, scene)
    timed, errors = [], []
    for role, client in clients.items():
        for endpoint, path in addresses(app, role, scene, objects):
            client.get(path).close()
            began = time.perf_counter()
            response = client.get(path)
            response.get_data()
            elapsed = (time.perf_counter() - began) * 1000
            response.close()
            entry = Timed(endpoint, role, path, response.status_code, elapsed)
            timed.append(entry)
            if response.status_code >= 500:
                errors.append(entry)
    if errors:
        raise RuntimeError("server errors: " + "; ".join(f"{entry} answered {entry.status}" for entry in errors))
    return Crawl(timed, [entry for entry in timed if entry.status < 400])
