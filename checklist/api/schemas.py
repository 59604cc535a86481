"""The bodies of /api/v1, declared once as pydantic models: they validate the requests, shape the answers
and, with the routes' declarations (Operation), make the OpenAPI 3.1 document served at /openapi.json.

Parsing is the API's job, deciding is the rules': these models check types, lengths, formats and which
fields go together. What a rule function shares with the HTML form (a failed item's hazard, its
description and responsible person, a fine's amount, a signer's name, a self-inspection without
actions) the document states with ``RULE``/``decided_by_rules`` but the rule decides, so that the form
and the API refuse it with the same message; the schemathesis test checks that every request the
document allows is accepted.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    RootModel,
    StringConstraints,
    Tag,
    TypeAdapter,
)
from pydantic.json_schema import SkipJsonSchema

from checklist.clock import CHINA
from checklist.models import EnforcementKind, HazardLevel, InspectionMode, Role
from checklist.presence import MAX_ACCURACY_METRES
from checklist.read import offline

MAX_ID = 2**31 - 1
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
NO_NUL = r"^[^\x00]*$"  # PostgreSQL's text cannot hold one; a NUL in a path or query is a 400 (db.py)
# 10,000 yuan with at most two decimals, more than 0 and at most 100,000.
FINE_PATTERN = r"^([1-9]\d{0,4}(\.\d{1,2})?|0\.(0[1-9]|[1-9]\d?)|100000(\.00?)?)$"
# A text a rule requires (not blank): stated in the document, decided by the rule. A written character is
# neither NUL nor blank to Python's str.strip, which strips \x1c-\x1f and \x85 too (JSON Schema's \s does not).
RULE = {"minLength": 1, "pattern": r"^[^\x00]*[^\x00\s\x1c-\x1f\x85][^\x00]*$"}


def parse_moment(value: str) -> datetime:
    """Read an ISO 8601 time as stored naive UTC; a time without its zone is China Standard Time."""
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=CHINA)
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        raise ValueError("out of range") from None


def parse_fine(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def unique(values: list) -> list:
    if len(set(values)) != len(values):
        raise ValueError("repeated")
    return values


def Text(max_length: int, **rule) -> type[str]:  # noqa: N802 - a type
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL), Field(json_schema_extra=rule)]


def json_number(value: object) -> object:
    """A JSON number, and only that: not true, not "1" (an integer may be written 1.0, as JSON Schema says)."""
    if isinstance(value, bool | str):
        raise ValueError("not a number")
    return value


Id = Annotated[int, BeforeValidator(json_number), Field(ge=1, le=MAX_ID)]
Uuid = Annotated[str, StringConstraints(pattern=UUID_PATTERN), Field(json_schema_extra={"format": "uuid"}),
                 AfterValidator(str.lower)]
Moment = Annotated[str, StringConstraints(max_length=40), AfterValidator(parse_moment), Field(json_schema_extra={
    "format": "date-time", "description": "ISO 8601; without a zone it is China time"})]
Day = Annotated[str, StringConstraints(max_length=10), AfterValidator(date.fromisoformat),
                Field(json_schema_extra={"format": "date"})]
Fine = Annotated[str, StringConstraints(pattern=FINE_PATTERN), AfterValidator(parse_fine),
                 Field(description="10,000 yuan, two decimals")]


def decided_by_rules(*names: str):
    """Make the document require fields that the model lets through empty or null, for a rule to refuse."""
    def extra(schema: dict) -> None:
        for name in names:
            described = schema["properties"][name]
            described.pop("default", None)
            if "anyOf" in described:
                [kept] = [branch for branch in described.pop("anyOf") if branch != {"type": "null"}]
                described.update(kept)
        schema["required"] = [*schema.get("required", []), *names]
    return extra


def tagged(value: object, key: str, tags: dict[object, str], otherwise: str) -> str:
    """The variant of a union a body is read as, by one of its values."""
    tag = value.get(key) if isinstance(value, dict) else None
    return tags.get(tag, otherwise) if type(tag) in (str, bool) else otherwise


def Degrees(limit: int, json: bool = True, **extra) -> type[float]:  # noqa: N802 - a type
    """A latitude (limit 90) or longitude (180) in WGS-84 degrees: the range is stated here and decided by the
    rule (presence.check_fix), so that the form and the API refuse it alike. A JSON body's is a number."""
    return Annotated[float, *([BeforeValidator(json_number)] if json else []), Field(json_schema_extra={
        "minimum": -limit, "maximum": limit, **extra})]


def Accuracy(json: bool = True) -> type[float]:  # noqa: N802 - a type
    """The accuracy radius in metres, stated and decided as Degrees; a query's is text, a JSON body's a number."""
    return Annotated[float, *([BeforeValidator(json_number)] if json else []), Field(json_schema_extra={
        "exclusiveMinimum": 0, "maximum": MAX_ACCURACY_METRES, "description": "the radius in metres"})]


SentAt = Field(None, description="the phone's clock when it sent this (kept beside the server's time; a gap over "
                                 "10 minutes is flagged)")


# Requests.


class TokenRequest(BaseModel):
    username: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]
    password: Annotated[str, StringConstraints(max_length=200)]


class SitesQuery(BaseModel):
    county: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class OfflineSitesQuery(SitesQuery):
    since: Moment | None = Field(None, description="the cursor of the last answer: only the sites changed since")
    after: Annotated[int, Field(ge=0, le=MAX_ID)] = Field(
        0, description="the whole copy's part after this site id (the last answer's `next`); with `since`, unused:"
                       " the changes come in one answer")


class PhotoQuery(BaseModel):
    site: Annotated[str, StringConstraints(pattern=NO_NUL)] = Field(
        description="the QR token of the enterprise where it was taken")
    captured_at: Moment | None = Field(None, description="when it was taken, if the image itself does not say")
    latitude: Degrees(90, json=False, description="where the phone was (WGS-84), with longitude and accuracy") \
        | None = None
    longitude: Degrees(180, json=False) | None = None
    accuracy: Accuracy(json=False) | None = None
    located_at: Moment | None = Field(None, description="when the position was fixed, by the phone's clock")
    sent_at: Moment | None = SentAt
    marked_from: Uuid | None = Field(None, description="a marked copy: the UUID of its original, sent before it")


class SentQuery(BaseModel):
    sent_at: Moment | None = SentAt


class Position(BaseModel):
    """Where the phone was at the start of the inspection, if the inspector let it tell."""

    latitude: Degrees(90)
    longitude: Degrees(180)
    accuracy: Accuracy()
    located_at: Moment | None = Field(None, description="when the position was fixed, by the phone's clock")


class HazardBody(BaseModel, json_schema_extra=decided_by_rules("description", "responsible_person")):
    uuid: Uuid
    level: HazardLevel
    description: Text(1000, **RULE) = ""
    deadline: Day | None = Field(None, description="null: the default for the level")
    responsible_person: Text(40, **RULE) = ""


class ResultBody(BaseModel):
    item_code: Text(40)
    note: Text(1000) = ""
    photos: Annotated[list[Uuid], AfterValidator(unique)] = Field(
        [], max_length=100, json_schema_extra={"uniqueItems": True})


class FailedResult(ResultBody, json_schema_extra=decided_by_rules("hazard")):
    outcome: Literal["fail"]
    hazard: HazardBody | None = None


class AnsweredResult(ResultBody):
    outcome: Literal["pass", "na"]
    hazard: None = Field(None, description="a hazard only at a failed item")


Result = Annotated[
    Annotated[FailedResult, Tag("failed")] | Annotated[AnsweredResult, Tag("answered")],
    Discriminator(lambda value: tagged(value, "outcome", {"fail": "failed"}, "answered")),
]

FINE = EnforcementKind.FINE.value
OTHER_KINDS = tuple(kind.value for kind in EnforcementKind if kind is not EnforcementKind.FINE)


class ActionBody(BaseModel):
    document_number: Text(60) = ""
    note: Text(500) = ""


class FineAction(ActionBody, json_schema_extra=decided_by_rules("fine_wan")):
    kind: Literal[FINE]
    fine_wan: Fine | None = None


class OtherAction(ActionBody):
    kind: Literal[OTHER_KINDS]
    fine_wan: Fine | None = Field(None, description="only for a fine")


Action = Annotated[
    Annotated[FineAction, Tag("fine")] | Annotated[OtherAction, Tag("other")],
    Discriminator(lambda value: tagged(value, "kind", {FINE: "fine"}, "other")),
]


class Signed(BaseModel, json_schema_extra=decided_by_rules("signer_name")):
    signer_name: Text(40, **RULE) = ""
    png_base64: Annotated[str, StringConstraints(min_length=1, max_length=2_000_000), Field(json_schema_extra={
        "contentEncoding": "base64", "contentMediaType": "image/png"})]
    refused: Literal[False] = False


class RefusedToSign(BaseModel):
    refused: Literal[True]
    signer_name: Text(40) = ""


Signature = Annotated[
    Annotated[Signed, Tag("signed")] | Annotated[RefusedToSign, Tag("refusal")],
    Discriminator(lambda value: tagged(value, "refused", {True: "refusal"}, "signed")),
]


class SubmissionBody(BaseModel):
    site: str = Field(description="the enterprise's QR token")
    team_id: Id | None = None
    started_at: Moment | None = None
    checklist_id: Id = Field(description="the checklist version worked with; it is kept")
    results: list[Result] = Field(max_length=1000, description="one for every item of the checklist version")
    inspectors: list[Id] = Field([], max_length=100, description="members of the team")
    signature: Signature | None = None
    position: Position | None = None


class SelfInspection(SubmissionBody):
    mode: Literal[InspectionMode.SELF_CHECK.value]
    actions: list[Action] = Field([], json_schema_extra={"maxItems": 0, "description": "none in a self-inspection"})


class TeamInspection(SubmissionBody):
    mode: Literal[tuple(mode.value for mode in InspectionMode
                        if mode not in (InspectionMode.SELF_CHECK, InspectionMode.REPORT))]
    actions: list[Action] = Field([], max_length=100)


Submission = Annotated[
    Annotated[SelfInspection, Tag("self")] | Annotated[TeamInspection, Tag("team")],
    Discriminator(lambda value: tagged(value, "mode", {InspectionMode.SELF_CHECK.value: "self"}, "team")),
]
SUBMISSION = TypeAdapter(Submission)
UNION_TAGS = {"failed", "answered", "fine", "other", "signed", "refusal", "self", "team"}  # in errors' paths


# Answers.


class Token(BaseModel):
    token: str
    expires_at: str = Field(json_schema_extra={"format": "date-time"})


class UnitRef(BaseModel):
    id: int
    name: str
    county_id: int | None


class TeamRef(BaseModel):
    id: int
    name: str


class Me(BaseModel):
    id: int
    name: str
    role: Role
    unit: UnitRef | None
    teams: list[TeamRef]
    modes: list[InspectionMode]


class Site(BaseModel):
    token: str = Field(description="the QR code's token")
    name: str
    county: str = Field(description="the county's name")
    county_id: int
    sector_code: str
    sector_name: str
    address: str


Sites = RootModel[list[Site]]


class OfflineSites(BaseModel):
    """A phone's offline copy of its sites (read.offline): columns, not objects, a county's thousands in one answer."""

    cursor: str = Field(description="ask with it as `since` next time (ISO 8601, UTC)")
    complete: bool = Field(description="every site and hazard (of a part: ask for the next one); else only those"
                                       " changed since")
    after: int = Field(description="the part's first site follows this id: 0 for the first part")
    next: int | None = Field(description="ask with it as `after` for the whole copy's next part; null: the last")
    counties: dict[str, str] = Field(description="the counties' names by id")
    sectors: dict[str, str] = Field(description="the sectors' names by code")
    units: dict[str, str] = Field(description="the supervising units' names by id")
    site_ids: list[int] = Field(description="with `since`, the id of every site of the scope now: the phone drops the"
                                " others")
    sites: dict[str, list[Any]] = Field(
        description=f"the sites, a list of values for each field: {', '.join(offline.SITE_FIELDS)}")
    hazards: dict[str, list[Any]] = Field(
        description=f"the hazards not closed, a list of values for each field: {', '.join(offline.HAZARD_FIELDS)}"
                    " (the deadline in days since 1 January 1970)")
    closed: list[int] = Field(description="hazards closed since: the phone drops them")


class ChecklistItem(BaseModel):
    id: int
    code: str
    section: Literal["common", "sector"]
    text: str
    basis: str
    guidance: str
    criterion: str  # 重大事故隐患判定标准: a hazard at this item is major by default


class Checklist(BaseModel):
    id: int
    version: int
    sector_code: str
    sector_name: str
    items: list[ChecklistItem]


class PhotoReceipt(BaseModel):
    uuid: str
    id: int
    sha256: str = Field(description="of the bytes as sent")
    attached: bool = Field(description="whether an inspection has declared it yet")


class InspectionReceipt(BaseModel):
    id: int
    uuid: str
    status: Literal["complete", "incomplete"] = Field(description="incomplete while a declared photo has not arrived")
    missing_photos: list[str]
    problem_list_url: str


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, for machines: invalid, conflict, not_image, ...")
    message: str = Field(description="for people, in the user's language")
    field: str | SkipJsonSchema[None] = Field(None, description="the refused value, as a dotted path")
    missing_items: list[str] | SkipJsonSchema[None] = Field(None, description="items without result")


class Error(BaseModel):
    error: ErrorDetail


OpenApiDocument = dict[str, object]


# The document.

ERROR_MEANINGS = {
    400: "malformed JSON or query, or a cookie-authenticated change without a valid X-CSRFToken header (csrf_failed)",
    401: "not logged in, or the token is invalid or expired",
    403: "the user may not do this",
    404: "not found, or not the user's to see",
    409: "this UUID was already used for something different; the stored record is unchanged",
    413: "the body is too large",
    415: "the content type is not accepted",
    422: "a value was refused; error.field names it",
    429: "too many failed logins: wait and try again",
}
PUBLIC: list = []
READ = [{"bearer": []}, {"cookie": []}]
WRITE = [{"bearer": []}, {"cookie": [], "csrfToken": []}]
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
PATH_PARAMETERS = {
    "client_uuid": {"name": "client_uuid", "in": "path", "required": True, "description": "made by the client",
             "schema": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN}},
    "sector_code": {"name": "sector_code", "in": "path", "required": True,
                    "schema": {"type": "string", "pattern": NO_NUL}},
}


@dataclass(frozen=True)
class Operation:
    """One route of the API as the document describes it: what it takes, what it answers, who may call it."""

    method: str
    path: str  # as in the document: /inspections/{client_uuid}
    operation_id: str
    summary: str
    security: list
    answers: dict[int, tuple[str, type]]  # status: (meaning, body model)
    errors: tuple[int, ...]
    body: object = None  # a model or an annotated union, or "photo" for the image's bytes
    query: type[BaseModel] | None = None
    description: str = ""
    parameters: list = field(default_factory=list)


def _operation(operation: Operation, schemas: dict) -> dict:
    described = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "security": operation.security,
    }
    if operation.description:
        described["description"] = operation.description
    parameters = [PATH_PARAMETERS[name] for name in PATH_PARAMETERS if f"{{{name}}}" in operation.path]
    if operation.query is not None:
        query = operation.query.model_json_schema()
        parameters += [
            {"name": name, "in": "query", "required": name in query.get("required", []), "schema": schema}
            for name, schema in query["properties"].items()
        ]
    if parameters:
        described["parameters"] = parameters
    if operation.body == "photo":
        described["requestBody"] = {"required": True, "content": {
            media: {"schema": {"type": "string", "format": "binary"}} for media in PHOTO_TYPES
        }}
    elif operation.body is not None:
        described["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": schemas[("request", operation.body)]}
        }}
    responses = {
        str(status): {"description": meaning, "content": {"application/json": {"schema": schemas[("answer", model)]}}}
        for status, (meaning, model) in operation.answers.items()
    }
    for status in operation.errors:
        responses[str(status)] = {
            "description": ERROR_MEANINGS[status],
            "content": {"application/json": {"schema": schemas[("answer", Error)]}},
        }
    described["responses"] = responses
    return described


def document(operations: list[Operation]) -> dict:
    """The OpenAPI 3.1 document: the models' JSON Schema as components, the paths from the operations."""
    bodies = [("request", operation.body) for operation in operations if operation.body not in (None, "photo")]
    answers = [("answer", model) for operation in operations for _meaning, model in operation.answers.values()]
    keys = list(dict.fromkeys([*bodies, *answers, ("answer", Error)]))
    references, definitions = TypeAdapter.json_schemas(
        [(key, "validation" if key[0] == "request" else "serialization", TypeAdapter(key[1])) for key in keys],
        ref_template="#/components/schemas/{model}",
    )
    schemas = {key: references[(key, mode)] for key, mode in references}
    paths: dict = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method] = _operation(operation, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Safety inspection outbox API",
            "version": "1.0.0",
            "description": (
                "What a phone sends when it has a signal again: photos and whole inspections, each under a "
                "UUID the phone made, idempotent. Errors are always JSON with a machine code and a message "
                "in the user's language."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "a token from POST /tokens"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session",
                           "description": "the session cookie of the normal login"},
                "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                              "description": "the page's csrf_token(), with the cookie on every PUT and POST"},
            },
        },
        "paths": paths,
    }
