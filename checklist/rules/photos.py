"""Photos: one way from the upload to the stored file and its row, for item photos, proof of a fix, the phone's
photos and workers' reports' photos alike.

`accept` checks, stamps and re-encodes the uploads outside the write transaction (checklist.imaging does the
Pillow part); a rule then stores each with `store`, files first and the row that points at them after.
"""

import base64
import binascii
import os
import tempfile
import uuid
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from checklist.clock import to_local
from checklist.db import released
from checklist.imaging import PhotoError, ProcessedPhoto, open_checked, process_photo
from checklist.models import ChecklistItem, Enterprise, Hazard, Inspection, Photo, Unit, User, WorkerReport, utcnow
from checklist.presence import Fix, check_fix

__all__ = ["PhotoError", "accept", "signature_png", "store"]

SIGNATURE_MAX_PIXELS = 4_000_000  # a signature pad is the width of a screen
WORKER_REPORT = _l("Worker report")  # who a worker's report's photo is stamped as taken by


def stamp_lines(place: Enterprise | Unit, user: User | None) -> list[str]:
    """The text burnt into a photo: when it was received, where (the enterprise or the unit inspected) and by whom
    (a worker's report's: nobody named)."""
    return [to_local(utcnow()).strftime("%Y-%m-%d %H:%M"), place.name, user.name if user else str(WORKER_REPORT)]


def accept(session: Session, uploads: list[bytes], place: Enterprise | Unit, user: User | None, limits: Mapping,
           held: tuple = ()) -> list[ProcessedPhoto]:
    """Check, stamp and re-encode every upload first, so that one bad file stores none of them.

    The re-encoding runs between two transactions (`db.released`): the request must not have changed
    anything yet, and the `held` entities are read again, locked, afterwards. `limits` are the settings
    PHOTO_MAX_BYTES and PHOTO_MAX_PIXELS.
    """
    if not uploads:
        return []
    lines = stamp_lines(place, user)
    with released(session, *held):
        return [
            process_photo(data, lines, max_bytes=limits["PHOTO_MAX_BYTES"], max_pixels=limits["PHOTO_MAX_PIXELS"])
            for data in uploads
        ]


def _write(folder: Path, relative: str, data: bytes) -> None:
    """Write a file atomically: a server killed mid-write leaves no half file behind."""
    target = folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store(
    session: Session,
    upload_dir: str,
    processed: ProcessedPhoto,
    user: User | None,
    inspection: Inspection | None = None,
    item: ChecklistItem | None = None,
    hazard: Hazard | None = None,
    *,
    enterprise: Enterprise | None = None,
    client_uuid: str | None = None,
    worker_report: WorkerReport | None = None,
    fix: Fix | None = None,
    marked_from: Photo | None = None,
) -> Photo:
    """Write the files, then add the row that points at them (the caller commits).

    A photo sent ahead of its inspection has none yet: it then needs the enterprise it was taken at. A worker's
    report's photo has its report and its enterprise, and no uploader. `fix` is where the phone was (checked here);
    `marked_from` the original of a marked copy.
    """
    if (user is None) != (worker_report is not None):
        raise ValueError("a photo has its uploader, unless it is a worker's report's")
    if fix is not None:
        check_fix(fix)
    if inspection is None and enterprise is None:
        raise ValueError("a photo needs its inspection or its enterprise")
    name = uuid.uuid4().hex
    relative = f"{processed.sha256[:2]}/{name}.jpg"
    thumbnail = f"{processed.sha256[:2]}/{name}.thumb.jpg"
    folder = Path(upload_dir)
    _write(folder, relative, processed.image)
    _write(folder, thumbnail, processed.thumbnail)
    photo = Photo(
        inspection=inspection,
        enterprise_id=enterprise.id if enterprise is not None else inspection.enterprise_id,
        uuid=client_uuid,
        item_id=item.id if item else None,
        hazard=hazard,
        sha256=processed.sha256,
        path=relative,
        thumbnail_path=thumbnail,
        width=processed.width,
        height=processed.height,
        captured_at=processed.captured_at,
        uploaded_by=user,
        worker_report=worker_report,
        marked_from_id=marked_from.id if marked_from is not None else None,
    )
    photo.fix = fix
    session.add(photo)
    session.flush()
    return photo


def signature_png(data_url: str) -> bytes:
    """Decode the signature pad's PNG data URL, re-encoded; raise PhotoError if it is not one."""
    prefix = "data:image/png;base64,"
    error = PhotoError("not_image", _l("The signature could not be read. Please sign again."))
    if not data_url.startswith(prefix) or len(data_url) > 2_000_000:
        raise error
    try:
        # The photo pipeline's checks first: a picture of 20,000 x 20,000 pixels is refused unread.
        with open_checked(base64.b64decode(data_url[len(prefix):], validate=True), SIGNATURE_MAX_PIXELS,
                          formats=("PNG",)) as image:
            output = BytesIO()
            image.convert("LA").save(output, "PNG", optimize=True)
    except (binascii.Error, OSError, ValueError) as failure:  # PhotoError is a ValueError
        raise error from failure
    return output.getvalue()
