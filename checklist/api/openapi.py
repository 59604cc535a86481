"""The OpenAPI 3.0.3 description of /api/v1, served at /api/v1/openapi.json."""

from copy import deepcopy

UUID = {"type": "string", "format": "uuid", "pattern": "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
DATE_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601; without a zone it is China time"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def text(max_length: int, **extra) -> dict:
    return {"type": "string", "maxLength": max_length, **extra}


def nullable(schema: dict) -> dict:
    return {**deepcopy(schema), "nullable": True}


SCHEMAS = {
    "Error": obj({
        "error": obj({
            "code": {"type": "string", "description": "stable, for machines: invalid, conflict, not_image, ..."},
            "message": {"type": "string", "description": "for people, in the user's language"},
            "field": {"type": "string", "description": "the field that was refused, when there is one"},
            "missing_items": {"type": "array", "items": {"type": "string"}, "description": "items without result"},
        }, ["code", "message"]),
    }, ["error"]),
    "TokenRequest": obj({"username": text(40, minLength=1), "password": text(200)}, ["username", "password"]),
    "Token": obj({"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}},
                 ["token", "expires_at"]),
    "Me": obj({
        "id": ID,
        "name": {"type": "string"},
        "role": {"type": "string", "enum": ["inspector", "enterprise", "county_admin", "city_admin"]},
        "unit": nullable(obj({"id": ID, "name": {"type": "string"}, "county_id": nullable(ID)},
                             ["id", "name", "county_id"])),
        "teams": {"type": "array", "items": obj({"id": ID, "name": {"type": "string"}}, ["id", "name"])},
        "modes": {"type": "array", "items": ref("Mode")},
    }, ["id", "name", "role", "unit", "teams", "modes"]),
    "Mode": {"type": "string", "enum": ["self_check", "county_full", "city_spot", "surprise", "video", "cross"]},
    "Site": obj({
        "token": {"type": "string", "description": "the QR code's token"},
        "name": {"type": "string"},
        "county": {"type": "string", "description": "the county's name"},
        "county_id": ID,
        "sector_code": {"type": "string"},
        "sector_name": {"type": "string"},
        "address": {"type": "string"},
    }, ["token", "name", "county", "sector_code", "sector_name", "address"]),
    "Checklist": obj({
        "id": ID,
        "version": {"type": "integer"},
        "sector_code": {"type": "string"},
        "sector_name": {"type": "string"},
        "items": {"type": "array", "items": obj({
            "id": ID,
            "code": {"type": "string"},
            "section": {"type": "string", "enum": ["common", "sector"]},
            "text": {"type": "string"},
            "basis": {"type": "string"},
            "guidance": {"type": "string"},
        }, ["id", "code", "section", "text", "basis", "guidance"])},
    }, ["id", "version", "sector_code", "sector_name", "items"]),
    "PhotoReceipt": obj({
        "uuid": UUID,
        "id": ID,
        "sha256": {"type": "string", "description": "of the bytes as sent"},
        "attached": {"type": "boolean", "description": "whether an inspection has declared it yet"},
    }, ["uuid", "id", "sha256", "attached"]),
    "Hazard": obj({
        "uuid": UUID,
        "level": {"type": "string", "enum": ["general", "major"]},
        "description": text(1000, minLength=1),
        "deadline": nullable({"type": "string", "format": "date", "description": "null: the default for the level"}),
        "responsible_person": text(40),
    }, ["uuid", "level", "description"]),
    "Result": obj({
        "item_code": {"type": "string"},
        "outcome": {"type": "string", "enum": ["pass", "fail", "na"]},
        "note": text(1000),
        "photos": {"type": "array", "maxItems": 100, "items": UUID, "uniqueItems": True},
        "hazard": {"allOf": [ref("Hazard")], "nullable": True, "description": "required when failed, else null"},
    }, ["item_code", "outcome"]),
    "Action": obj({
        "kind": {"type": "string", "enum": ["document", "suspension", "fine", "licence", "closure", "other"]},
        "document_number": text(60),
        "fine_wan": nullable({"type": "string", "pattern": r"^\d{1,10}(\.\d{1,2})?$",
                              "description": "10,000 yuan, two decimals; required for a fine"}),
        "note": text(500),
    }, ["kind"]),
    "Signature": {"oneOf": [
        obj({"signer_name": text(40, minLength=1), "png_base64": {"type": "string", "format": "byte"}},
            ["signer_name", "png_base64"]),
        obj({"refused": {"type": "boolean", "enum": [True]}, "signer_name": text(40)}, ["refused"]),
    ]},
    "InspectionSubmission": obj({
        "site": {"type": "string", "description": "the enterprise's QR token"},
        "mode": ref("Mode"),
        "team_id": nullable(ID),
        "started_at": nullable(DATE_TIME),
        "checklist_id": {**ID, "description": "the checklist version worked with; it is kept"},
        "results": {"type": "array", "maxItems": 1000, "items": ref("Result"),
                    "description": "one for every item of the checklist version"},
        "actions": {"type": "array", "maxItems": 100, "items": ref("Action")},
        "inspectors": {"type": "array", "maxItems": 100, "items": ID, "description": "members of the team"},
        "signature": {"allOf": [ref("Signature")], "nullable": True},
    }, ["site", "mode", "checklist_id", "results"]),
    "InspectionReceipt": obj({
        "id": ID,
        "uuid": UUID,
        "status": {"type": "string", "enum": ["complete", "incomplete"],
                   "description": "incomplete while a declared photo has not arrived"},
        "missing_photos": {"type": "array", "items": UUID},
        "problem_list_url": {"type": "string"},
    }, ["id", "uuid", "status", "missing_photos", "problem_list_url"]),
}

ERROR_MEANINGS = {
    "400": "malformed JSON, or a cookie-authenticated change without a valid X-CSRFToken header (csrf_failed)",
    "401": "not logged in, or the token is invalid or expired",
    "403": "the user may not do this",
    "404": "not found, or not the user's to see",
    "409": "this UUID was already used for something different; the stored record is unchanged",
    "413": "the body is too large",
    "415": "the content type is not accepted",
    "422": "a value was refused; error.field names it",
    "429": "too many failed logins: wait and try again",
}


def ok(status: str, description: str, schema: dict | None) -> dict:
    response = {"description": description}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return {status: response}


def errors(*statuses: int) -> dict:
    return {
        str(status): {
            "description": ERROR_MEANINGS[str(status)],
            "content": {"application/json": {"schema": ref("Error")}},
        }
        for status in statuses
    }


READ = [{"bearer": []}, {"cookie": []}]
WRITE = [{"bearer": []}, {"cookie": [], "csrfToken": []}]
UUID_PARAMETER = {"name": "uuid", "in": "path", "required": True, "schema": UUID, "description": "made by the client"}


def document() -> dict:
    """Return the OpenAPI document of the outbox API."""
    return {
        "openapi": "3.0.3",
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
            "schemas": deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "a token from POST /tokens"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session",
                           "description": "the session cookie of the normal login"},
                "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                              "description": "the page's csrf_token(), with the cookie on every PUT and POST"},
            },
        },
        "paths": {
            "/tokens": {"post": {
                "operationId": "createToken",
                "summary": "Exchange a user name and password for a bearer token valid 30 days",
                "security": [],
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref("TokenRequest")}}},
                "responses": {**ok("201", "the token", ref("Token")), **errors(400, 401, 413, 415, 422, 429)},
            }},
            "/me": {"get": {
                "operationId": "getMe",
                "summary": "The user, their unit, the teams they may inspect with and the modes they may start",
                "security": READ,
                "responses": {**ok("200", "the user", ref("Me")), **errors(401)},
            }},
            "/sites": {"get": {
                "operationId": "listSites",
                "summary": "The enterprises the user may inspect: their county's, or for the city a county's or all;"
                           " those their own unit supervises first",
                "security": READ,
                "parameters": [{"name": "county", "in": "query", "required": False, "schema": ID}],
                "responses": {
                    **ok("200", "the sites", {"type": "array", "items": ref("Site")}), **errors(401, 403, 404, 422),
                },
            }},
            "/checklists/{sector_code}": {"get": {
                "operationId": "getChecklist",
                "summary": "The current checklist version of a sector",
                "security": READ,
                "parameters": [{"name": "sector_code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {**ok("200", "the checklist", ref("Checklist")), **errors(401, 404)},
            }},
            "/photos/{uuid}": {"put": {
                "operationId": "putPhoto",
                "summary": "Send a photo, before or after the inspection that declares it",
                "description": (
                    "Stamped and re-encoded like an upload. The same bytes again: 200 and the stored photo; "
                    "other bytes under the same UUID: 409."
                ),
                "security": WRITE,
                "parameters": [
                    UUID_PARAMETER,
                    {"name": "site", "in": "query", "required": True, "schema": {"type": "string"},
                     "description": "the QR token of the enterprise where it was taken"},
                    {"name": "captured_at", "in": "query", "required": False, "schema": DATE_TIME,
                     "description": "when it was taken, if the image itself does not say"},
                ],
                "requestBody": {"required": True, "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in ("image/jpeg", "image/png", "image/webp")
                }},
                "responses": {
                    **ok("201", "stored", ref("PhotoReceipt")),
                    **ok("200", "stored before, with these bytes", ref("PhotoReceipt")),
                    **errors(400, 401, 403, 404, 409, 413, 415, 422),
                },
            }},
            "/inspections/{uuid}": {
                "put": {
                    "operationId": "putInspection",
                    "summary": "Send a whole inspection: results, hazards, actions, inspectors, signature",
                    "description": (
                        "One transaction: the inspection is started, every item answered, submitted and signed. "
                        "The same body again: 200 and the stored inspection; another body under the same UUID: "
                        "409. Photo UUIDs are declared; the photos that already arrived are attached at once."
                    ),
                    "security": WRITE,
                    "parameters": [UUID_PARAMETER],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": ref("InspectionSubmission")},
                    }},
                    "responses": {
                        **ok("201", "created", ref("InspectionReceipt")),
                        **ok("200", "received before, with this body", ref("InspectionReceipt")),
                        **errors(400, 401, 403, 404, 409, 413, 415, 422),
                    },
                },
                "get": {
                    "operationId": "getInspection",
                    "summary": "What became of an inspection sent earlier",
                    "security": READ,
                    "parameters": [UUID_PARAMETER],
                    "responses": {**ok("200", "the inspection", ref("InspectionReceipt")), **errors(401, 404)},
                },
            },
            "/openapi.json": {"get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "security": [],
                "responses": ok("200", "the OpenAPI document", {"type": "object"}),
            }},
        },
    }
