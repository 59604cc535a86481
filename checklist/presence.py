"""Presence evidence: where the phone was when an inspection started and when each photo was taken, and what
that says against the enterprise's registered location and the server's clock.

Positions are WGS-84 decimal degrees, as the browser's Geolocation API gives them on every phone. Some Chinese
apps (maps, WeChat's own location picker) show GCJ-02, the "Mars" coordinates offset by a few hundred metres;
the browser API never does, and neither does the roster: its coordinates are asked for in WGS-84 too. Mixing the
two would put every inspector some 300 to 600 m off in Jinzhong, which is why the roster's guide says WGS-84.

Server time is what counts. The phone's clock is kept beside it: when the phone sent a record (`sent_at`, by its
clock) against when the server received it (`received_at`, by the server's), and a gap over CLOCK_GAP is flagged.
The fix's own time (`located_at`) is the phone's too: shown, never trusted.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from checklist.clock import CHINA
from checklist.extensions import lazy_gettext as _l
from checklist.refusal import Refused

# A position further than this from the registered location is flagged (not refused): 500 m holds a large
# plant's grounds or a construction site and the phone's error in a town, and is far less than the distance to
# the next village. A mine's portal may lie further from its registered office: the flag asks to look, no more.
FAR_METRES = 500
# A gap between the phone's clock and the server's above this is flagged: phones set their clocks from the
# network, so more than a few minutes means a clock set by hand.
CLOCK_GAP = timedelta(minutes=10)
# The largest accuracy radius kept: beyond it (a position from the cell tower of a whole district) a position
# says nothing about presence. The phone does not send such a position; the server refuses one.
MAX_ACCURACY_METRES = 5000
EARTH_RADIUS_METRES = 6_371_008.8  # the mean radius of the WGS-84 ellipsoid: distances within 0.5 %
# Mainland China, Hainan and Taiwan included, in WGS-84: a roster's coordinates outside it are a mistake (swapped
# columns, a zero, degrees-minutes written as decimals).
CHINA_LATITUDES = (3.8, 53.6)
CHINA_LONGITUDES = (73.5, 135.1)
FIELDS = ("latitude", "longitude", "accuracy", "located_at", "sent_at")


@dataclass(frozen=True)
class Fix:
    """A position the phone recorded: degrees, the accuracy radius in metres, when it was fixed and when the phone
    sent it (both by the phone's clock, naive UTC; None when it did not say)."""

    latitude: float
    longitude: float
    accuracy: float
    located_at: datetime | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Evidence:
    """What a record's position says: the fix, when the server received it, the distance from the registered
    location (None when the roster has none) and the two flags."""

    fix: Fix
    received_at: datetime | None
    distance: float | None  # metres
    clock_gap: timedelta | None  # the phone's clock minus the server's, when both are known

    @property
    def far(self) -> bool:
        return self.distance is not None and self.distance > FAR_METRES

    @property
    def clock_off(self) -> bool:
        return self.clock_gap is not None and abs(self.clock_gap) > CLOCK_GAP

    @property
    def coarse(self) -> bool:
        """Its accuracy radius is wider than the distance that is flagged: a fix that cannot tell."""
        return self.fix.accuracy > FAR_METRES

    @property
    def clock_gap_minutes(self) -> int:
        return round(abs(self.clock_gap).total_seconds() / 60) if self.clock_gap is not None else 0


def distance(latitude: float, longitude: float, other_latitude: float, other_longitude: float) -> float:
    """The great-circle distance in metres between two WGS-84 positions (haversine)."""
    phi1, phi2 = math.radians(latitude), math.radians(other_latitude)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(other_longitude - longitude) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


def evidence(fix: Fix | None, received_at: datetime | None, place) -> Evidence | None:
    """What a fix says against a place with `latitude` and `longitude` (an enterprise; None or a unit: no distance)."""
    if fix is None:
        return None
    latitude, longitude = getattr(place, "latitude", None), getattr(place, "longitude", None)
    meters = None if latitude is None or longitude is None else distance(fix.latitude, fix.longitude,
                                                                         latitude, longitude)
    gap = fix.sent_at - received_at if fix.sent_at is not None and received_at is not None else None
    return Evidence(fix=fix, received_at=received_at, distance=meters, clock_gap=gap)


# Checking what a phone sent: the form's hidden fields and the API's values meet the same rule.


def invalid(field: str) -> Refused:
    """The refusal of a value that is missing or cannot be read, as the API's parsing words it."""
    return Refused(_l("%(field)s: missing or not valid.", field=field), field=field, code="invalid")


def check_fix(fix: Fix, prefix: str = "position") -> Fix:
    """Refuse a position out of range: degrees beyond the globe, an accuracy not above 0 or wider than
    MAX_ACCURACY_METRES, a value that is not a finite number. A refusal names its field after `prefix`."""
    def field(name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        value = getattr(fix, name)
        if not isinstance(value, int | float) or not math.isfinite(value) or not low <= value <= high:
            raise Refused(_l("%(field)s: the position is not valid: the latitude lies between -90 and 90 degrees, "
                             "the longitude between -180 and 180.", field=field(name)),
                          field=field(name), code="invalid")
    accuracy = fix.accuracy
    if not isinstance(accuracy, int | float) or not math.isfinite(accuracy) or not 0 < accuracy <= MAX_ACCURACY_METRES:
        raise Refused(_l("%(field)s: the accuracy of a position is more than 0 and at most %(metres)d metres.",
                         field=field("accuracy"), metres=MAX_ACCURACY_METRES),
                      field=field("accuracy"), code="invalid")
    return fix


def _number(text: str, field: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise invalid(field) from None
    if not math.isfinite(value):
        raise invalid(field)
    return value


def parse_moment(text: str, field: str) -> datetime:
    """An ISO 8601 time as stored (naive UTC); without a zone it is China Standard Time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=CHINA)
        return moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise invalid(field) from None


def read_fix(values: Mapping[str, str], prefix: str = "position") -> Fix | None:
    """The position of a form's hidden fields (latitude, longitude, accuracy, located_at, sent_at), checked; None
    when the phone recorded none. Latitude, longitude and accuracy go together."""
    texts = {name: (values.get(name) or "").strip() for name in FIELDS}
    if not any(texts[name] for name in ("latitude", "longitude", "accuracy")):
        return None
    for name in FIELDS:
        if len(texts[name]) > 40 or (not texts[name] and name not in ("located_at", "sent_at")):
            raise invalid(f"{prefix}.{name}")
    numbers = {name: _number(texts[name], f"{prefix}.{name}") for name in ("latitude", "longitude", "accuracy")}
    moments = {name: parse_moment(texts[name], f"{prefix}.{name}") if texts[name] else None
               for name in ("located_at", "sent_at")}
    return check_fix(Fix(**numbers, **moments), prefix)


def fix_of(latitude: float | None, longitude: float | None, accuracy: float | None,
           located_at: datetime | None = None, sent_at: datetime | None = None, prefix: str = "") -> Fix | None:
    """The position of values parsed elsewhere (the API's), checked: None when none of the three is given."""
    values = {"latitude": latitude, "longitude": longitude, "accuracy": accuracy}
    if all(value is None for value in values.values()):
        return None
    for name, value in values.items():
        if value is None:
            raise invalid(f"{prefix}.{name}" if prefix else name)
    return check_fix(Fix(latitude, longitude, accuracy, located_at, sent_at), prefix)


# The roster's registered location (the import's columns 经度 and 纬度).


def coordinate_problem(text: str, longitude: bool):
    """Say what is wrong with a roster's longitude (or latitude) in decimal degrees within China, or None."""
    try:
        value = float(text)
    except ValueError:
        return _l("Write decimal degrees (WGS-84), e.g. 112.75321; not degrees, minutes and seconds.")
    low, high = CHINA_LONGITUDES if longitude else CHINA_LATITUDES
    if math.isfinite(value) and low <= value <= high:
        return None
    if longitude:
        return _l("In China the longitude lies between %(low)s and %(high)s degrees east; this is %(value)s. Are the "
                  "longitude and the latitude swapped?", low=low, high=high, value=text)
    return _l("In China the latitude lies between %(low)s and %(high)s degrees north; this is %(value)s. Are the "
              "longitude and the latitude swapped?", low=low, high=high, value=text)
