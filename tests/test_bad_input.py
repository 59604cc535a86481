"""Bad input gets a clear error in Chinese and leaves nothing stored."""

import gc
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from checklist import create_app
from checklist.models import Hazard, Inspection, ItemResult, Photo
from checklist.rules.definitions import ChecklistFileError

from .helpers import fail_item, inspection_id, jpeg_bytes, start


def hundred_megapixel_png() -> bytes:
    output = BytesIO()
    Image.new("L", (10000, 10000), 200).save(output, "PNG")
    return output.getvalue()


BAD_UPLOADS = {
    "corrupt": (jpeg_bytes((1200, 900))[:3000], "图片已损坏"),
    "100 megapixels": (hundred_megapixel_png(), "像素"),
    "30 MB": (b"\xff\xd8" + b"\0" * (30 * 1024 * 1024), "20"),
    "not an image": (b"%PDF-1.4 not a photo", "图片"),
}


@pytest.fixture
def large_request_bodies():
    """Werkzeug's test client spools big request bodies to a temporary file it never closes."""
    yield
    gc.collect()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("case", BAD_UPLOADS)
@pytest.mark.usefixtures("large_request_bodies")
def test_a_bad_photo_is_refused_and_nothing_is_stored(login, world, db, app, case):
    data, expected = BAD_UPLOADS[case]
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = db.get(Inspection, number).checklist.items[3]
    response = fail_item(inspector, number, item, photos=[jpeg_bytes(), data])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert expected in page, page[:2000]
    for model in (Photo, Hazard, ItemResult):
        assert db.scalar(select(func.count(model.id))) == 0
    uploads = Path(app.config["UPLOAD_DIR"])
    assert not uploads.exists() or not any(path.is_file() for path in uploads.rglob("*"))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.usefixtures("large_request_bodies")
def test_a_request_over_the_size_limit_gets_a_clear_page(login, world, db, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = db.get(Inspection, number).checklist.items[3]
    response = fail_item(inspector, number, item, photos=[b"\0" * (2 * 1024 * 1024)])
    assert response.status_code == 413
    assert "太大" in response.get_data(as_text=True)


def test_a_broken_checklist_file_stops_start_up_naming_file_and_item(tmp_path):
    folder = tmp_path / "checklists"
    folder.mkdir()
    source = Path(__file__).parent.parent / "checklists"
    for path in source.glob("*.toml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    broken = (folder / "gas.toml").read_text(encoding="utf-8").replace('code = "GAS-03"', 'code = "GAS-02"', 1)
    (folder / "gas.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(ChecklistFileError, match=r"gas\.toml, item 3 \(GAS-02\): duplicate code"):
        create_app({"TESTING": True, "CHECKLIST_DIR": str(folder), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


@pytest.mark.parametrize("damage, message", [
    (lambda text: text.replace("[[items]]", "[[items]]\nsurprise = 1", 1), "unknown keys"),
    (lambda text: text + "\n[[items]]\ncode = 'X-1'\n", "'text' is missing"),
    (lambda text: text.replace("code = ", "code == ", 1), "gas.toml"),
])
def test_other_faults_in_a_checklist_file_name_the_file(tmp_path, damage, message):
    folder = tmp_path / "checklists"
    folder.mkdir()
    for path in (Path(__file__).parent.parent / "checklists").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        (folder / path.name).write_text(damage(text) if path.name == "gas.toml" else text, encoding="utf-8")
    with pytest.raises(ChecklistFileError, match=message):
        create_app({"TESTING": True, "CHECKLIST_DIR": str(folder), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
