"""Phones sending inspections with photos to /api/v1 the way the service worker's outbox does.

Each submission is a photo (PUT /api/v1/photos/<uuid>) and the inspection that declares it (PUT
/api/v1/inspections/<uuid>), in either order. Under faults (`retry=True`) a phone resends a step with the
same uuid until it is answered, as the outbox does after a dropped connection; any answer but a 2xx,
a 5xx included, is counted as a failure and not retried, so that no server error goes unseen.
"""

import http.client
import json
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from io import BytesIO

from PIL import Image, ImageChops, ImageDraw

RETRYABLE = (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError)


def call(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 120) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            raw = error.read()
        try:
            return error.code, json.loads(raw or b"{}")
        except ValueError:  # a proxy's or gunicorn's own error page
            return error.code, {"body": raw[:200].decode(errors="replace")}


def phone_jpeg(size: tuple[int, int] = (4000, 3000), seed: int = 7) -> bytes:
    """A phone-like JPEG: gradients, shapes and sensor noise, quality 90, EXIF with a 90° orientation."""
    rng = random.Random(seed)
    width, height = size
    channels = [Image.linear_gradient("L").rotate(angle, expand=False).resize(size) for angle in (0, 60, 150)]
    image = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(40, width // 4), rng.randrange(40, height // 4)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.choice((draw.rectangle, draw.ellipse))
        shape((x, y, x + w, y + h), fill=colour, outline=(0, 0, 0), width=rng.randrange(1, 12))
    for _ in range(200):
        draw.line([(rng.randrange(width), rng.randrange(height)) for _ in range(2)],
                  fill=tuple(rng.randrange(256) for _ in range(3)), width=rng.randrange(1, 6))
    noise = Image.effect_noise(size, 10).convert("RGB")
    image = ImageChops.add(image, noise, scale=1.0, offset=-128)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Bench", "Phone 12MP", 6  # make, model, orientation: 90° CW
    exif[0x0132] = "2021:10:08 10:24:00"
    exif.get_ifd(0x8769)[36867] = "2021:10:08 10:24:00"  # DateTimeOriginal
    output = BytesIO()
    image.save(output, "JPEG", quality=90, exif=exif.tobytes())
    return output.getvalue()


def log_in(base: str, username: str, password: str) -> str:
    status, answer = call("POST", f"{base}/api/v1/tokens", json.dumps({
        "username": username, "password": password,
    }).encode(), {"Content-Type": "application/json"})
    if status != 201:
        raise RuntimeError(f"{username} could not log in: {status} {answer}")
    return answer["token"]


@dataclass
class Sent:
    """One submission; `acknowledged_at` is when the second of its two PUTs was answered with 2xx."""

    inspection_uuid: str
    photo_uuid: str
    hazard_uuid: str
    sent_at: float
    acknowledged_at: float | None = None
    retries: int = 0

    @property
    def latency(self) -> float | None:
        return None if self.acknowledged_at is None else self.acknowledged_at - self.sent_at


@dataclass
class Seat:
    """What a phone needs to submit: who it is and which enterprise it inspects with which team."""

    token: str
    site: str
    team_id: int
    checklist: dict


def take_seat(base: str, username: str, password: str, sector: str | None = None, site: str | None = None) -> Seat:
    """Log in and pick, through the API as the app does, a team, an enterprise of the county and its checklist."""
    token = log_in(base, username, password)
    headers = {"Authorization": f"Bearer {token}"}
    status, me = call("GET", f"{base}/api/v1/me", headers=headers)
    assert status == 200 and me["teams"], (status, me)
    if site is None:
        status, sites = call("GET", f"{base}/api/v1/sites", headers=headers)
        assert status == 200 and sites, (status, sites)
        chosen = random.Random(username).choice(sites)
        site, sector = chosen["token"], chosen["sector_code"]
    status, checklist = call("GET", f"{base}/api/v1/checklists/{sector}", headers=headers)
    assert status == 200, (status, checklist)
    return Seat(token, site, me["teams"][0]["id"], checklist)


@dataclass(eq=False)  # a thread must stay hashable
class Phone(threading.Thread):
    """Sends submissions one after another until `halt` is set, and records which were acknowledged when."""

    base: str
    seat: Seat
    photo: bytes
    retry: bool = False
    limit: int = 100_000
    sent: list[Sent] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    halt: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        super().__init__(daemon=True)

    def body(self, sent: Sent) -> bytes:
        first, *others = self.seat.checklist["items"]
        return json.dumps({
            "site": self.seat.site, "mode": "county_full", "team_id": self.seat.team_id,
            "checklist_id": self.seat.checklist["id"], "started_at": "2026-11-20T08:30:00+08:00",
            "results": [
                {"item_code": first["code"], "outcome": "fail", "note": "", "photos": [sent.photo_uuid], "hazard": {
                    "uuid": sent.hazard_uuid, "level": "general", "description": "灭火器过期",
                    "responsible_person": "王经理",
                }},
                *({"item_code": item["code"], "outcome": "pass", "note": "", "photos": [], "hazard": None}
                  for item in others),
            ],
            "actions": [], "inspectors": [], "signature": {"refused": True, "signer_name": "王经理"},
        }).encode()

    def put(self, sent: Sent, what: str) -> int:
        headers = {"Authorization": f"Bearer {self.seat.token}"}
        if what == "photo":
            url = f"{self.base}/api/v1/photos/{sent.photo_uuid}?site={self.seat.site}"
            body, headers["Content-Type"] = self.photo, "image/jpeg"
        else:
            url = f"{self.base}/api/v1/inspections/{sent.inspection_uuid}"
            body, headers["Content-Type"] = self.body(sent), "application/json"
        while True:
            try:
                return call("PUT", url, body, headers)[0]
            except RETRYABLE:
                if not self.retry:
                    raise
            sent.retries += 1
            time.sleep(0.2 + random.random() * 0.3)

    def run(self) -> None:
        while not self.halt.is_set() and len(self.sent) < self.limit:
            sent = Sent(str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()), time.monotonic())
            self.sent.append(sent)
            # Half the photos arrive before their inspection, half after it (the outbox allows both).
            order = ("photo", "inspection") if len(self.sent) % 2 else ("inspection", "photo")
            try:
                statuses = [self.put(sent, what) for what in order]
            except RETRYABLE as error:
                self.failures.append(f"{sent.inspection_uuid}: {type(error).__name__}: {error}")
                continue
            if all(200 <= status < 300 for status in statuses):
                sent.acknowledged_at = time.monotonic()
            else:
                self.failures.append(f"{sent.inspection_uuid}: {statuses}")

    def acknowledged(self) -> list[Sent]:
        return [sent for sent in list(self.sent) if sent.acknowledged_at is not None]

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged()) < count:
            assert self.is_alive() and time.monotonic() < deadline, f"only {len(self.acknowledged())} acknowledged"
            time.sleep(0.05)
