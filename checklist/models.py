"""The data model, named after the glossary in DESIGN.md."""

import enum
import uuid as uuid_module
from datetime import UTC, date, datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from checklist import credit_code, presence
from checklist.clock import local_today
from checklist.db import Base
from checklist.extensions import lazy_gettext as _l


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, as stored in every table."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_token() -> str:
    return uuid_module.uuid4().hex


class LabelledEnum(enum.Enum):
    """An enum whose members carry a translatable label and a CSS class."""

    def __new__(cls, value: str, label, css: str = ""):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        member.css = css
        return member

    def __str__(self) -> str:
        return str(self.label)

    @classmethod
    def labels(cls) -> dict:
        """Each member's label in the current language, translated once for a list's many rows."""
        return {member: str(member.label) for member in cls}


class Role(LabelledEnum):
    INSPECTOR = "inspector", _l("Inspector")
    ENTERPRISE = "enterprise", _l("Enterprise")
    COUNTY_ADMIN = "county_admin", _l("County supervisor")
    CITY_ADMIN = "city_admin", _l("City supervisor")


class UnitKind(LabelledEnum):
    COMMITTEE = "committee", _l("Work safety committee office")
    DEPARTMENT = "department", _l("Department")


class InspectionMode(LabelledEnum):
    SELF_CHECK = "self_check", _l("Enterprise self-inspection")
    COUNTY_FULL = "county_full", _l("County full inspection")
    CITY_SPOT = "city_spot", _l("City spot check")
    SURPRISE = "surprise", _l("Unannounced surprise check")
    VIDEO = "video", _l("Video dispatch check")
    CROSS = "cross", _l("Cross inspection")
    # 员工隐患报告: a worker's report the supervising unit turned into a hazard, recorded (status RECORDED) without a
    # visit; never started by anyone (access.allowed_modes).
    REPORT = "report", _l("Worker report")


class InspectionStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft"), "draft"
    SUBMITTED = "submitted", _l("Submitted"), "submitted"
    # A record of hazards a unit accepted without a visit (mode REPORT): nobody inspected, so it counts as no
    # inspection (coverage, the statistics table's teams, people and enterprises, the dashboards, the cross-check:
    # they all count SUBMITTED ones), while its hazards count as every hazard does. Never edited, signed or papered.
    RECORDED = "recorded", _l("Recorded from a worker report"), "submitted"


class Outcome(LabelledEnum):
    PASS = "pass", _l("Pass"), "pass"
    FAIL = "fail", _l("Fail"), "fail"
    NOT_APPLICABLE = "na", _l("Not applicable"), "na"


class HazardLevel(LabelledEnum):
    GENERAL = "general", _l("General"), "general"
    MAJOR = "major", _l("Major"), "major"


class HazardStatus(LabelledEnum):
    OPEN = "open", _l("Open"), "open"
    SUBMITTED = "submitted", _l("Fix submitted"), "submitted"
    CLOSED = "closed", _l("Closed"), "closed"


class HistoryAction(LabelledEnum):
    FOUND = "found", _l("Found")
    SUBMITTED = "submitted", _l("Proof submitted")
    ACCEPTED = "accepted", _l("Accepted and closed")
    REJECTED = "rejected", _l("Fix rejected")
    EXTENDED = "extended", _l("Deadline extended")
    LISTED = "listed", _l("Placed under listed supervision")
    REVIEWED = "reviewed", _l("Re-inspected: not yet rectified")
    EXTENSION_ASKED = "extension_asked", _l("Extension requested")
    EXTENSION_REFUSED = "extension_refused", _l("Extension refused")


class PhotoKind(LabelledEnum):
    EVIDENCE = "evidence", _l("Evidence")
    PROOF = "proof", _l("Proof of the fix")
    REVIEW = "review", _l("Re-inspection photo")


class WorkerReportStatus(LabelledEnum):
    """Where a worker's report stands: waiting for its unit, turned into a hazard, or dismissed with a reason."""

    PENDING = "pending", _l("Waiting for the supervising unit"), "status-submitted"
    ACCEPTED = "accepted", _l("Turned into a hazard"), "pass"
    DISMISSED = "dismissed", _l("Dismissed"), "fail"


class MeasureKind(LabelledEnum):
    """What the city does to a unit and its people who did not deliver (通报、曝光、约谈)."""

    NOTICE = "notice", _l("Circulated notice of criticism")
    EXPOSURE = "exposure", _l("Public exposure")
    INTERVIEW = "interview", _l("Admonitory talk")


class EnforcementKind(LabelledEnum):
    DOCUMENT = "document", _l("Enforcement document")
    SUSPENSION = "suspension", _l("Suspension for rectification")
    FINE = "fine", _l("Fine")
    LICENCE = "licence", _l("Licence suspended or revoked")
    CLOSURE = "closure", _l("Closure and ban")
    OTHER = "other", _l("Other")


class DocumentKind(LabelledEnum):
    """The numbered national enforcement documents (安全生产执法文书样式); `abbreviation` goes in the number."""

    RECORD = "record", _l("On-site inspection record")  # 现场检查记录
    MEASURES = "measures", _l("Decision on on-site measures")  # 现场处理措施决定书
    ORDER = "order", _l("Order to rectify within a time limit")  # 责令限期整改指令书
    REVIEW = "review", _l("Re-inspection opinion on rectification")  # 整改复查意见书

    @property
    def abbreviation(self) -> str:
        """The kind's word in a number, as the national layouts print it (…检记〔2021〕第0001号)."""
        return {"record": "检记", "measures": "现决", "order": "责改", "review": "复查"}[self.value]


class ReviewVerdict(LabelledEnum):
    """What a re-inspection (复查) found of one hazard's rectification."""

    FIXED = "fixed", _l("Fully rectified"), "pass"
    PARTIAL = "partial", _l("Partly rectified"), "submitted"
    NOT_FIXED = "not_fixed", _l("Not rectified"), "fail"


class ExtensionDecision(LabelledEnum):
    PENDING = "pending", _l("Waiting for a decision"), "submitted"
    APPROVED = "approved", _l("Approved"), "pass"
    REFUSED = "refused", _l("Refused"), "fail"


class DiscrepancyKind(LabelledEnum):
    PASSED = "passed", _l("County had passed this item")
    REOPENED = "reopened", _l("County had closed this hazard")


class PresenceKind(enum.Enum):
    """What a unit's inspections reached on a day, for the statistics table's distinct columns (never shown)."""

    TEAM = "team"
    INSPECTOR = "inspector"
    ENTERPRISE = "enterprise"
    UNIT = "unit"
    SUSPENSION = "suspension"
    CLOSURE = "closure"


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """Store an enum by its value, as a plain string column."""
    return Enum(
        enum_class,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        validate_strings=True,
        length=20,
    )


class County(Base):
    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)  # administrative division code

    units: Mapped[list["Unit"]] = relationship(back_populates="county")
    enterprises: Mapped[list["Enterprise"]] = relationship(back_populates="county")


class Unit(Base):
    """A government body: the city's or a county's committee office, or a department."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"))  # None: city level
    liaison_name: Mapped[str] = mapped_column(String(40), default="")  # 联络员
    liaison_phone: Mapped[str] = mapped_column(String(20), default="")
    # The unit's short name heading its documents' numbers, e.g. "晋中应急" in 晋中应急检记〔2021〕第0001号.
    document_prefix: Mapped[str] = mapped_column(String(30), default="", server_default="")
    # Where its documents tell a party to appeal: 复议 to a government or a higher department, 诉讼 to a court.
    review_bodies: Mapped[str] = mapped_column(String(120), default="", server_default="")
    court: Mapped[str] = mapped_column(String(60), default="", server_default="")

    county: Mapped[County | None] = relationship(back_populates="units")
    teams: Mapped[list["Team"]] = relationship(back_populates="unit")

    @property
    def is_city(self) -> bool:
        return self.county_id is None

    @property
    def number_prefix(self) -> str:
        """What its document numbers start with: its prefix, or its name while it has set none."""
        return self.document_prefix.strip() or self.name


team_member = Table(
    "team_member",
    Base.metadata,
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)

inspection_inspector = Table(
    "inspection_inspector",
    Base.metadata,
    Column("inspection_id", ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True),
    Index("ix_inspection_inspector_user_id", "user_id", "inspection_id"),  # an officer's own inspections
)


class User(UserMixin, Base):
    __tablename__ = "user"
    __table_args__ = (  # one officer a card number (rules.teams.set_card_number says so first, in Chinese)
        Index("uq_user_card_number", "card_number", unique=True,
              sqlite_where=sql_text("card_number <> ''"), postgresql_where=sql_text("card_number <> ''")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    active: Mapped[bool] = mapped_column(default=True)
    card_number: Mapped[str] = mapped_column(String(30), default="", server_default="")  # 执法证号
    # A one-time code with which the user sets a password; only its hash is stored.
    activation_code_hash: Mapped[str] = mapped_column(String(200), default="")
    activation_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Every session and remember-me cookie carries this token (get_id); a new one, given at logout and
    # with a new password or a reset, ends all logins made before on every device.
    session_token: Mapped[str] = mapped_column(String(32), default=new_token, server_default="")

    unit: Mapped[Unit | None] = relationship()
    enterprise: Mapped["Enterprise | None"] = relationship()
    teams: Mapped[list["Team"]] = relationship(secondary=team_member, back_populates="members")
    spot_check_tasks: Mapped[list["SpotCheckTask"]] = relationship(secondary="spot_check_inspector", viewonly=True)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def county_id(self) -> int | None:
        """The county the user works in; None for the city and for enterprises."""
        return self.unit.county_id if self.unit else None

    def get_id(self) -> str:
        """Name the login for Flask-Login's cookies: the id and the session token ("<id>:<token>")."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Log the user out everywhere: the cookies of every earlier login stop working."""
        self.session_token = new_token()

    def set_password(self, password: str) -> None:
        """Store a new password (hashed with scrypt, werkzeug's default); earlier logins end."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class Team(Base):
    """A unit's inspection team (检查督导组)."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow)  # None: before it was kept

    unit: Mapped[Unit] = relationship(back_populates="teams")
    members: Mapped[list[User]] = relationship(secondary=team_member, back_populates="teams")
    cross_assignments: Mapped[list["CrossAssignment"]] = relationship(back_populates="team")


class Sector(Base):
    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80), default="")


class Enterprise(Base):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    supervising_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    qr_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    # The registered location (WGS-84 decimal degrees, as the roster gives it; checklist/presence.py): the
    # inspectors' positions are held against it. None until the roster gives it.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # When what its site page shows of it last changed (created, or a roster import changed it): a phone's offline
    # copy of its sites asks for those changed since it last asked (read.offline). Its hazards' changes are dated
    # by their history. None: unchanged since before migration 0020.
    changed_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, index=True)

    county: Mapped[County] = relationship(back_populates="enterprises")
    sector: Mapped[Sector] = relationship()
    supervising_unit: Mapped[Unit | None] = relationship()

    @validates("credit_code")
    def validate_credit_code(self, _key: str, code: str) -> str:
        """Refuse a code whose GB 32100-2015 check character is wrong."""
        code = credit_code.normalize(code)
        if not credit_code.is_valid(code):
            raise ValueError(f"invalid unified social credit code: {code}")
        return code


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    document_number: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    def is_running(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on


class Checklist(Base):
    """One version of a sector's checklist: the common items plus the sector's items.

    Without a sector it is the 督政 checklist of governments and departments (checklists/oversight.toml).
    """

    __tablename__ = "checklist"
    __table_args__ = (
        UniqueConstraint("sector_id", "version"),
        # NULLs are distinct to UNIQUE: the 督政 checklist's versions need their own index.
        Index("uq_checklist_oversight_version", "version", unique=True,
              sqlite_where=sql_text("sector_id IS NULL"), postgresql_where=sql_text("sector_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id"))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(10), default="file")  # "file" (checklists/) or "import" (xlsx)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    sector: Mapped[Sector | None] = relationship()
    items: Mapped[list["ChecklistItem"]] = relationship(
        back_populates="checklist", order_by="ChecklistItem.position"
    )


ITEM_TEXT_MAX = 300  # characters of an item's text, basis or guidance, from a checklist file or a table


class ChecklistItem(Base):
    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("checklist_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklist.id"), index=True)
    position: Mapped[int]
    section: Mapped[str] = mapped_column(String(10))  # "common", "sector" or "oversight"
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text, default="")
    guidance: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(String(20), default="", server_default="")  # 督政: the facts shown
    # The 重大事故隐患判定标准 (document and article) by which a failure here is a 重大隐患; "" for none.
    criterion: Mapped[str] = mapped_column(Text, default="", server_default="")

    checklist: Mapped[Checklist] = relationship(back_populates="items")


class Inspection(Base):
    __tablename__ = "inspection"
    __table_args__ = (  # the dashboards' counts by mode and by sector read these indexes alone
        Index("ix_inspection_campaign_status_mode", "campaign_id", "status", "mode"),
        Index("ix_inspection_campaign_status_enterprise", "campaign_id", "status", "enterprise_id"),
        CheckConstraint("(enterprise_id IS NULL) <> (inspected_unit_id IS NULL)", name="ck_inspection_one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # made by the client
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    # The target: an enterprise (查企), or a county or department inspected by 督政.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    inspected_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # the inspecting unit
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklist.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)  # one's drafts
    mode: Mapped[InspectionMode] = mapped_column(enum_column(InspectionMode))
    status: Mapped[InspectionStatus] = mapped_column(
        enum_column(InspectionStatus), default=InspectionStatus.DRAFT
    )
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    signer_name: Mapped[str] = mapped_column(String(40), default="")
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_refused: Mapped[bool] = mapped_column(default=False)
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The sha256 of the submission sent through the API: the same UUID with another body is refused.
    client_hash: Mapped[str] = mapped_column(String(64), default="")
    # Where the phone was when the inspection started, if the inspector let it tell (checklist/presence.py): the
    # position, its accuracy in metres, the fix's time and the sending by the phone's clock, and when the server
    # received the start (server time, which is what counts).
    start_latitude: Mapped[float | None] = mapped_column(Float)
    start_longitude: Mapped[float | None] = mapped_column(Float)
    start_accuracy: Mapped[float | None] = mapped_column(Float)
    start_located_at: Mapped[datetime | None] = mapped_column(DateTime)
    start_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    start_received_at: Mapped[datetime | None] = mapped_column(DateTime)

    campaign: Mapped[Campaign] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    inspected_unit: Mapped[Unit | None] = relationship(foreign_keys=[inspected_unit_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    team: Mapped[Team | None] = relationship()
    checklist: Mapped[Checklist] = relationship()
    created_by: Mapped[User] = relationship()
    inspectors: Mapped[list[User]] = relationship(secondary=inspection_inspector)
    results: Mapped[list["ItemResult"]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )
    hazards: Mapped[list["Hazard"]] = relationship(
        back_populates="inspection", order_by="Hazard.id", cascade="all, delete-orphan"
    )
    actions: Mapped[list["EnforcementAction"]] = relationship(
        back_populates="inspection", order_by="EnforcementAction.id", cascade="all, delete-orphan"
    )
    photos: Mapped[list["Photo"]] = relationship(back_populates="inspection", order_by=lambda: Photo.SHOWN_ORDER)
    declared_photos: Mapped[list["DeclaredPhoto"]] = relationship(cascade="all, delete-orphan")
    documents: Mapped[list["Document"]] = relationship(order_by="Document.id", viewonly=True)
    # Its hazards' extension requests, read in one query (the documents list them with the inspection's papers).
    extension_requests: Mapped[list["ExtensionRequest"]] = relationship(
        secondary="hazard", primaryjoin="Inspection.id == Hazard.inspection_id",
        secondaryjoin="Hazard.id == ExtensionRequest.hazard_id", order_by="ExtensionRequest.id", viewonly=True,
    )

    @property
    def is_draft(self) -> bool:
        return self.status is InspectionStatus.DRAFT

    @property
    def start_fix(self) -> "presence.Fix | None":
        if self.start_latitude is None:
            return None
        return presence.Fix(self.start_latitude, self.start_longitude, self.start_accuracy, self.start_located_at,
                            self.start_sent_at)

    @start_fix.setter
    def start_fix(self, fix: "presence.Fix | None") -> None:
        self.start_latitude, self.start_longitude, self.start_accuracy, self.start_located_at, self.start_sent_at = (
            (fix.latitude, fix.longitude, fix.accuracy, fix.located_at, fix.sent_at) if fix else (None,) * 5)
        self.start_received_at = utcnow() if fix else None

    @property
    def start_evidence(self) -> "presence.Evidence | None":
        """What the position at the start says against the enterprise's registered location and the server's clock."""
        return presence.evidence(self.start_fix, self.start_received_at, self.enterprise)

    @property
    def is_oversight(self) -> bool:
        """A 督政 inspection: its target is a unit, not an enterprise."""
        return self.inspected_unit_id is not None

    @property
    def target(self) -> "Enterprise | Unit":
        """The enterprise or the unit inspected; both have a name and a county_id."""
        return self.inspected_unit if self.is_oversight else self.enterprise

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def live_document(self, kind: "DocumentKind") -> "Document | None":
        """Its document of that kind that is not void, if one was issued."""
        return next((document for document in self.documents if document.kind is kind and not document.is_void),
                    None)

    @property
    def served_documents(self) -> list["Document"]:
        """The documents served on the enterprise at the inspection (its 文书送达回执 lists them): those not void,
        the re-inspections' opinions apart."""
        return [document for document in self.documents
                if not document.is_void and document.kind is not DocumentKind.REVIEW]


class ItemResult(Base):
    __tablename__ = "item_result"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    note: Mapped[str] = mapped_column(Text, default="")

    inspection: Mapped[Inspection] = relationship(back_populates="results")
    item: Mapped[ChecklistItem] = relationship()


def overdue(status: HazardStatus, deadline: date, today: date) -> bool:
    """Whether a hazard of this status and deadline is overdue today (Hazard.is_overdue, for a list's rows)."""
    return status is not HazardStatus.CLOSED and deadline < today


# The hazards of the list of major and listed hazards, as its partial index says it; read.hazards selects them
# with the same clause (SQLite uses a partial index only for a query that repeats its WHERE).
MAJOR_OR_LISTED = "level = 'major' OR listed_unit_id IS NOT NULL"


class Hazard(Base):
    __tablename__ = "hazard"
    __table_args__ = (  # the lists page through hazards by deadline, all of them or those of one status
        Index("ix_hazard_enterprise_status", "enterprise_id", "status"),  # a county's: its enterprises' in a state
        Index("ix_hazard_deadline", "deadline", "id"),
        Index("ix_hazard_status_deadline", "status", "deadline", "id"),
        # the list of major and listed hazards (重大问题隐患清单) in its order, those hazards alone
        Index("ix_hazard_major_or_listed", "status", "deadline", "id",
              sqlite_where=sql_text(MAJOR_OR_LISTED), postgresql_where=sql_text(MAJOR_OR_LISTED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid_module.uuid4()))
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    # Where it was found: an enterprise (a hazard, 隐患) or a unit inspected by 督政 (a problem, 问题), as its
    # inspection's target; the same lifecycle either way.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    inspected_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    level: Mapped[HazardLevel] = mapped_column(enum_column(HazardLevel))
    description: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    responsible_person: Mapped[str] = mapped_column(String(40))
    status: Mapped[HazardStatus] = mapped_column(enum_column(HazardStatus), default=HazardStatus.OPEN)
    found_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)  # set on submission
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Listed supervision (挂牌督办): the supervising unit and its deadline.
    listed_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    listed_deadline: Mapped[date | None] = mapped_column(Date, index=True)  # those due soon, on the home page
    listed_at: Mapped[datetime | None] = mapped_column(DateTime)

    inspection: Mapped[Inspection] = relationship(back_populates="hazards")
    enterprise: Mapped[Enterprise | None] = relationship()
    inspected_unit: Mapped[Unit | None] = relationship(foreign_keys=[inspected_unit_id])
    item: Mapped[ChecklistItem | None] = relationship()
    listed_unit: Mapped[Unit | None] = relationship(foreign_keys=[listed_unit_id])
    photos: Mapped[list["Photo"]] = relationship(back_populates="hazard", order_by=lambda: Photo.SHOWN_ORDER)
    history: Mapped[list["HazardHistory"]] = relationship(
        back_populates="hazard", order_by="HazardHistory.id"
    )
    extension_requests: Mapped[list["ExtensionRequest"]] = relationship(
        back_populates="hazard", order_by="ExtensionRequest.id"
    )

    @property
    def is_closed(self) -> bool:
        return self.status is HazardStatus.CLOSED

    @property
    def target(self) -> "Enterprise | Unit":
        """The enterprise or the unit where it was found."""
        return self.inspected_unit if self.inspected_unit_id is not None else self.enterprise

    def is_overdue(self, today: date | None = None) -> bool:
        """Overdue is derived, never stored: not closed and past its deadline (China Standard Time days)."""
        return overdue(self.status, self.deadline, today or local_today())

    @property
    def is_listed(self) -> bool:
        return self.listed_unit_id is not None

    @property
    def pending_extension(self) -> "ExtensionRequest | None":
        """The enterprise's request for more time that waits for a decision (one at a time)."""
        return next((request for request in self.extension_requests if request.is_pending), None)

    @property
    def evidence(self) -> list["Photo"]:
        return [photo for photo in self.photos if photo.kind is PhotoKind.EVIDENCE]

    @property
    def proof(self) -> list["Photo"]:
        return [photo for photo in self.photos if photo.kind is PhotoKind.PROOF]


class HazardTally(Base):
    """How many submitted hazards each county has in each state: the dashboards count these few rows
    instead of every hazard. Kept by checklist/tallies.py in the transaction of every change."""

    __tablename__ = "hazard_tally"

    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), primary_key=True)
    level: Mapped[HazardLevel] = mapped_column(enum_column(HazardLevel), primary_key=True)
    status: Mapped[HazardStatus] = mapped_column(enum_column(HazardStatus), primary_key=True)
    listed: Mapped[bool] = mapped_column(primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class CampaignTally(Base):
    """Per campaign, county and day (China Standard Time): hazards of the campaign's inspections found
    that day, and those closed that day. Kept like HazardTally."""

    __tablename__ = "campaign_tally"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    found: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)


class CoverageTally(Base):
    """检查全覆盖, kept: for each enterprise inspected in a campaign, the first day (China Standard Time) a submitted
    inspection of each kind reached it. The coverage of a campaign so far (read.coverage) reads these 30,000 rows
    instead of its 300,000 inspections. Kept by checklist/tallies.py when an inspection is submitted."""

    __tablename__ = "coverage_tally"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True)
    self_checked_on: Mapped[date | None] = mapped_column(Date)  # its own self-inspection
    county_on: Mapped[date | None] = mapped_column(Date)  # by a county's unit
    city_on: Mapped[date | None] = mapped_column(Date)  # by a city unit


class CrossCheck(Base):
    """印证, kept: a city on-site inspection (市级重点抽查, 四不两直) held against the county's latest inspection of the
    same enterprise submitted before it, noted when the city's inspection is submitted (checklist/tallies.py).
    The cross-check page reads these rows instead of pairing 300,000 inspections."""

    __tablename__ = "cross_check"

    city_inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True)
    county_inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)  # the enterprise's county
    discrepancies: Mapped[int] = mapped_column(default=0)


class Discrepancy(Base):
    """A hazard the city found where the county, at its latest inspection before, had passed the item or had
    closed a hazard of the same item (matched by item code: the two may use different checklist versions)."""

    __tablename__ = "discrepancy"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), primary_key=True)
    city_inspection_id: Mapped[int] = mapped_column(
        ForeignKey("cross_check.city_inspection_id", ondelete="CASCADE"), index=True,
    )
    kind: Mapped[DiscrepancyKind] = mapped_column(enum_column(DiscrepancyKind))



# The statistics table (统计表), kept: a unit's figures for any period add up from these rows, per day (China
# Standard Time), where counting the campaign's inspections, hazards and actions took seconds (checklist/tallies.py).
STILL_OPEN = date(9999, 12, 31)  # StatisticsHazards.closed_on of a hazard not closed (a key cannot be NULL)


class StatisticsPresence(Base):
    """Who and what a unit's submitted inspections reached on a day: its teams, the inspectors of those with a team,
    the enterprises and units inspected, the enterprises suspended and closed. The table's distinct columns count
    the members present on any day of a period."""

    __tablename__ = "statistics_presence"
    __table_args__ = {"sqlite_with_rowid": False}  # the rows are their key, in its order

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    kind: Mapped[PresenceKind] = mapped_column(enum_column(PresenceKind), primary_key=True)
    member_id: Mapped[int] = mapped_column(primary_key=True)  # a team, user, enterprise or unit, after the kind
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class StatisticsHazards(Base):
    """How many hazards a unit's inspections found at enterprises, by level, day found and day closed."""

    __tablename__ = "statistics_hazards"
    __table_args__ = {"sqlite_with_rowid": False}  # the rows are their key, in its order

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    level: Mapped[HazardLevel] = mapped_column(enum_column(HazardLevel), primary_key=True)
    found_on: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_on: Mapped[date] = mapped_column(Date, primary_key=True)  # STILL_OPEN if not closed
    hazards: Mapped[int] = mapped_column(default=0)


class StatisticsActions(Base):
    """The enforcement actions recorded by a unit's inspections submitted on a day: the additive columns."""

    __tablename__ = "statistics_actions"
    __table_args__ = {"sqlite_with_rowid": False}  # the rows are their key, in its order

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    documents: Mapped[int] = mapped_column(default=0)
    licences: Mapped[int] = mapped_column(default=0)
    others: Mapped[int] = mapped_column(default=0)
    fines_wan: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))  # 万元


class HazardHistory(Base):
    """One transition of a hazard; rows are only ever added."""

    __tablename__ = "hazard_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)  # the sites changed since (read.offline)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    action: Mapped[HistoryAction] = mapped_column(enum_column(HistoryAction), default=HistoryAction.FOUND)
    from_status: Mapped[HazardStatus | None] = mapped_column(enum_column(HazardStatus))
    to_status: Mapped[HazardStatus] = mapped_column(enum_column(HazardStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    deadline_from: Mapped[date | None] = mapped_column(Date)  # for an extension
    deadline_to: Mapped[date | None] = mapped_column(Date)

    hazard: Mapped[Hazard] = relationship(back_populates="history")
    user: Mapped[User] = relationship()


class Photo(Base):
    """A stored photo: evidence at an item or hazard of an inspection, proof of a hazard's fix, or a worker's
    report's.

    An inspector may mark a photo (circles, arrows, a short text drawn on the phone): the marked copy is a photo of
    its own, stamped like any other, pointing at the original by `marked_from_id`; both are kept, and the marked
    one shows first (SHOWN_ORDER).
    """

    __tablename__ = "photo"
    # A worker's report's photo has no uploader (nobody logs in to report): it belongs to its report alone, and
    # is seen by those who decide on the report and by whoever holds the report's code (never by its hazard's).
    __table_args__ = (
        CheckConstraint("uploaded_by_id IS NOT NULL OR worker_report_id IS NOT NULL", name="ck_photo_uploader"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A photo sent from a phone's outbox may arrive before its inspection: until then it has no
    # inspection, only the enterprise it was taken at (for the stamp and for who may see it).
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    uuid: Mapped[str | None] = mapped_column(String(36), unique=True)  # made by the client, if it sent one
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazard.id", ondelete="SET NULL"), index=True)
    kind: Mapped[PhotoKind] = mapped_column(enum_column(PhotoKind), default=PhotoKind.EVIDENCE)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(200))  # relative to UPLOAD_DIR
    thumbnail_path: Mapped[str] = mapped_column(String(200))
    width: Mapped[int]
    height: Mapped[int]
    captured_at: Mapped[datetime | None] = mapped_column(DateTime)  # from the camera's EXIF
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    worker_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("worker_report.id", ondelete="CASCADE"), index=True
    )
    marked_from_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id"))  # a marked copy: its original
    # Where the phone was when the photo was taken (checklist/presence.py); the server's time is uploaded_at.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    located_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    inspection: Mapped[Inspection | None] = relationship(back_populates="photos")
    hazard: Mapped[Hazard | None] = relationship(back_populates="photos")
    uploaded_by: Mapped[User | None] = relationship()
    worker_report: Mapped["WorkerReport | None"] = relationship(back_populates="photos")

    @property
    def is_marked(self) -> bool:
        return self.marked_from_id is not None

    @property
    def fix(self) -> "presence.Fix | None":
        if self.latitude is None:
            return None
        return presence.Fix(self.latitude, self.longitude, self.accuracy, self.located_at, self.sent_at)

    @fix.setter
    def fix(self, fix: "presence.Fix | None") -> None:
        self.latitude, self.longitude, self.accuracy, self.located_at, self.sent_at = (
            (fix.latitude, fix.longitude, fix.accuracy, fix.located_at, fix.sent_at) if fix else (None,) * 5)

    @property
    def evidence(self) -> "presence.Evidence | None":
        """What its position says against its enterprise's registered location (through its inspection, which the
        pages showing it have loaded) and the server's clock."""
        if self.latitude is None:
            return None
        inspection = self.inspection
        return presence.evidence(self.fix, self.uploaded_at, inspection.enterprise if inspection else None)


# A marked copy just before its original, each pair where its original was taken: an inspection's and a hazard's
# photos in this order (the relationships' order_by).
Photo.SHOWN_ORDER = (func.coalesce(Photo.marked_from_id, Photo.id), Photo.marked_from_id.is_(None), Photo.id)


class EnforcementAction(Base):
    __tablename__ = "enforcement_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    kind: Mapped[EnforcementKind] = mapped_column(enum_column(EnforcementKind))
    document_number: Mapped[str] = mapped_column(String(60), default="")
    fine_wan: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))  # 万元
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="actions")


class Assignment(Base):
    """包保: the team and the person answerable for an enterprise's county inspection in a campaign."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("campaign_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)  # the person answerable
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    team: Mapped[Team] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CrossAssignment(Base):
    """交叉检查: the city sends a team of one county to an enterprise of another for a period; its members may then
    open and inspect that enterprise (mode cross) in the period, and nothing else of that county."""

    __tablename__ = "cross_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="cross_assignments")
    enterprise: Mapped[Enterprise] = relationship()

    def is_running(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on


spot_check_inspector = Table(
    "spot_check_inspector",
    Base.metadata,
    Column("task_id", ForeignKey("spot_check_task.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True, index=True),  # an inspector's own tasks
)


class SpotCheckPlan(Base):
    """A 双随机 draw of the city's spot checks, kept to be published and checked again: its seed, its filter,
    the fingerprints of both rosters (rules.spot_checks.roster_hash) and the tasks drawn."""

    __tablename__ = "spot_check_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    mode: Mapped[InspectionMode] = mapped_column(enum_column(InspectionMode))  # city_spot or surprise
    seed: Mapped[int] = mapped_column(BigInteger)
    filter: Mapped[str] = mapped_column(Text)  # JSON of read.spot_checks.DrawFilter
    per_task: Mapped[int]
    enterprises_hash: Mapped[str] = mapped_column(String(64))
    inspectors_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the command line
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship(lazy="joined")  # access.drawn_for reads it with each task
    created_by: Mapped[User | None] = relationship()
    tasks: Mapped[list["SpotCheckTask"]] = relationship(
        back_populates="plan", order_by="SpotCheckTask.position", cascade="all, delete-orphan"
    )


class SpotCheckTask(Base):
    """One drawn enterprise of a plan and the inspectors drawn for it."""

    __tablename__ = "spot_check_task"
    __table_args__ = (UniqueConstraint("plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("spot_check_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # in drawn order, from 1
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)

    plan: Mapped[SpotCheckPlan] = relationship(back_populates="tasks", lazy="joined")  # one query, not one a task
    enterprise: Mapped[Enterprise] = relationship()
    inspectors: Mapped[list[User]] = relationship(secondary=spot_check_inspector, order_by="User.id")


class Measure(Base):
    """A 通报, 曝光 or 约谈 of a unit that did not deliver, usually after a 督政 inspection found why."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # made by the form: a retried post adds none
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the unit it is taken against
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id", ondelete="SET NULL"))
    kind: Mapped[MeasureKind] = mapped_column(enum_column(MeasureKind))
    persons: Mapped[str] = mapped_column(String(200), default="")  # who was named or talked to, and their posts
    held_on: Mapped[date] = mapped_column(Date)  # the day of the talk, or of the notice's issue
    document_number: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    inspection: Mapped[Inspection | None] = relationship()
    created_by: Mapped[User] = relationship()


class LoginAttempt(Base):
    """A try counted against a limit (rules.limits), kept a day: a failed login, slowing down password guessing per
    account and per address, or a worker's report, per address and per enterprise."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "user:<name>" or "addr:<ip>" (logins), "report-addr:<ip>" or "report-enterprise:<id>" (workers' reports)
    key: Mapped[str] = mapped_column(String(120), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class TableNote(Base):
    """The texts under a unit's statistics table for a period: 亮点工作, 存在问题 (one aspect a line), 备注."""

    __tablename__ = "table_note"
    __table_args__ = (UniqueConstraint("unit_id", "starts_on", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    highlights: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    remarks: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()


class DailyReport(Base):
    """A unit's report of one day (日报), due by 10:00 China Standard Time the next morning.

    The figures are a snapshot of the recorded data when the report was submitted; the texts are what
    only people know.
    """

    __tablename__ = "daily_report"
    __table_args__ = (UniqueConstraint("unit_id", "report_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    report_date: Mapped[date] = mapped_column(Date, index=True)  # the day reported on
    video_checks: Mapped[int] = mapped_column(default=0)
    surprise_checks: Mapped[int] = mapped_column(default=0)
    supervision_checks: Mapped[int] = mapped_column(default=0)
    hazards_found: Mapped[int] = mapped_column(default=0)
    hazards_closed: Mapped[int] = mapped_column(default=0)
    enforcement_actions: Mapped[int] = mapped_column(default=0)
    enterprises_inspected: Mapped[int] = mapped_column(default=0, server_default="0")  # 检查全覆盖 so far
    enterprises_not_inspected: Mapped[int] = mapped_column(default=0, server_default="0")
    fines_wan: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    leadership: Mapped[str] = mapped_column(Text, default="")  # 领导履职
    highlights: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    typical_cases: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    unit: Mapped[Unit] = relationship()
    submitted_by: Mapped[User] = relationship()


class MonthlyReport(Base):
    """A unit's monthly report (月报): at most 2,500 characters, the problems at least half of them."""

    __tablename__ = "monthly_report"
    __table_args__ = (UniqueConstraint("unit_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month reported on
    highlights: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    unit: Mapped[Unit] = relationship()
    submitted_by: Mapped[User] = relationship()


class DeclaredPhoto(Base):
    """A photo an inspection sent through the API refers to; the inspection is incomplete until it arrives."""

    __tablename__ = "declared_photo"

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"))


reinspection_inspector = Table(
    "reinspection_inspector",
    Base.metadata,
    Column("reinspection_id", ForeignKey("reinspection.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True),
)


class Reinspection(Base):
    """A re-inspection (复查) of the hazards one inspection found at an enterprise, by the unit that found them
    or the unit supervising them; it issues the 整改复查意见书."""

    __tablename__ = "reinspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # made by the form: a retried post adds none
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)  # the one that found them
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the re-inspecting unit
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User] = relationship()
    inspectors: Mapped[list[User]] = relationship(secondary=reinspection_inspector, order_by="User.id")
    results: Mapped[list["ReviewResult"]] = relationship(
        back_populates="reinspection", order_by="ReviewResult.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list["Document"]] = relationship(viewonly=True, order_by="Document.id")


class ReviewResult(Base):
    """What a re-inspection found of one hazard."""

    __tablename__ = "review_result"
    __table_args__ = (UniqueConstraint("reinspection_id", "hazard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reinspection_id: Mapped[int] = mapped_column(ForeignKey("reinspection.id", ondelete="CASCADE"))
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[ReviewVerdict] = mapped_column(enum_column(ReviewVerdict))
    note: Mapped[str] = mapped_column(Text, default="")
    new_deadline: Mapped[date | None] = mapped_column(Date)  # not (fully) rectified: the next deadline

    reinspection: Mapped[Reinspection] = relationship(back_populates="results")
    hazard: Mapped[Hazard] = relationship()


class Document(Base):
    """A numbered enforcement document, issued once: its number is never changed nor given again.

    A voided document stays, marked 作废 with its reason; issuing again gives a new number.
    """

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the issuing unit
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    year: Mapped[int]
    serial: Mapped[int]
    prefix: Mapped[str] = mapped_column(String(30))  # the unit's prefix when issued, so the number never changes
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    reinspection_id: Mapped[int | None] = mapped_column(ForeignKey("reinspection.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    void_reason: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Unit] = relationship()
    inspection: Mapped[Inspection] = relationship()
    reinspection: Mapped[Reinspection | None] = relationship()
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])

    @property
    def number(self) -> str:
        return f"{self.prefix}{self.kind.abbreviation}〔{self.year}〕第{self.serial:04d}号"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class DocumentSequence(Base):
    """The last serial given per issuing unit, kind and year: taken and raised in the issuing transaction, so
    numbers have no gap and no double (rules.documents.next_serial)."""

    __tablename__ = "document_sequence"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class ExtensionRequest(Base):
    """An enterprise's request for more time to rectify a hazard (延期申请) and the unit's decision."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    deadline_from: Mapped[date] = mapped_column(Date)  # the deadline when asked
    requested_deadline: Mapped[date] = mapped_column(Date)
    decision: Mapped[ExtensionDecision] = mapped_column(
        enum_column(ExtensionDecision), default=ExtensionDecision.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    hazard: Mapped[Hazard] = relationship(back_populates="extension_requests")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_pending(self) -> bool:
        return self.decision is ExtensionDecision.PENDING


# 员工隐患报告: anyone reports a hazard through the site's QR code, without logging in.
WORKER_REPORT_TEXT_MAX = 500  # characters of what was seen, and of a dismissal's reason
WORKER_REPORT_PLACE_MAX = 100  # characters of where
WORKER_REPORT_CONTACT_MAX = 60  # characters of the optional contact (a name, a phone number)


class WorkerReport(Base):
    """A hazard reported by anyone through an enterprise's QR code, in the queue of the unit that supervises the
    enterprise (else its county's committee office) until that unit turns it into a hazard or dismisses it.

    The reporter follows it with a code shown once; only the code's SHA-256 is kept. The contact is shown to those
    who decide on the report, never to the enterprise. No address of the reporter is kept with it.
    """

    __tablename__ = "worker_report"
    __table_args__ = (Index("ix_worker_report_unit_status", "unit_id", "status", "submitted_at"),)  # a unit's queue

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # made by the form: a retried post adds none
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the receiving unit: whose queue it is in
    description: Mapped[str] = mapped_column(Text)  # what was seen
    place: Mapped[str] = mapped_column(String(WORKER_REPORT_PLACE_MAX))  # where, at the enterprise
    contact: Mapped[str] = mapped_column(String(WORKER_REPORT_CONTACT_MAX), default="")
    status: Mapped[WorkerReportStatus] = mapped_column(
        enum_column(WorkerReportStatus), default=WorkerReportStatus.PENDING
    )
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    dismissal_reason: Mapped[str] = mapped_column(Text, default="")
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazard.id", ondelete="SET NULL"))  # once accepted

    enterprise: Mapped[Enterprise] = relationship()
    unit: Mapped[Unit] = relationship()
    decided_by: Mapped[User | None] = relationship()
    hazard: Mapped[Hazard | None] = relationship()
    photos: Mapped[list[Photo]] = relationship(back_populates="worker_report", order_by="Photo.id")

    @property
    def is_pending(self) -> bool:
        return self.status is WorkerReportStatus.PENDING
