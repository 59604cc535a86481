"""QR codes: one per enterprise, an A4 label sheet per county from the pages (in parts) and from the shell."""

import random
import re
from io import BytesIO
from urllib.parse import unquote

import pytest
from PIL import Image
from sqlalchemy import select

from checklist import credit_code
from checklist.models import Sector
from checklist.read.enterprises import county_enterprises, county_labels
from checklist.sheets.labels import COLUMNS, LABELS_PER_PART, ROWS, label_parts, label_sheet_pdf

from .factories import add_enterprise


def decode_qr_grid(png: bytes) -> Image.Image:
    image = Image.open(BytesIO(png))
    image.load()
    return image


def test_an_enterprise_qr_code_is_a_png_for_its_site_page(login, world):
    response = login("admin_a").get(f"/enterprises/{world.enterprise_a.id}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = decode_qr_grid(response.data)
    assert image.width == image.height and image.width >= 200


def test_the_qr_code_encodes_the_site_url(app, world):
    import qrcode

    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    reference.add_data(f"http://testserver/s/{world.enterprise_a.qr_token}")
    reference.make(fit=True)
    from checklist.sheets.labels import qr_image, site_url

    ours = qr_image(site_url(app.config["BASE_URL"], world.enterprise_a))
    theirs = reference.make_image().get_image().convert("L")
    # qrcode's version and mask, module for module
    assert ours.size == theirs.size and ours.tobytes() == theirs.tobytes()


def test_a_county_supervisor_downloads_the_label_sheet(login, world):
    response = login("admin_a").get(f"/counties/{world.county_a.id}/qr-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and b"/Count 1" in response.data


def test_the_sheet_has_one_page_per_twelve_labels(world):
    enterprises = [world.enterprise_a] * (COLUMNS * ROWS + 1)
    pdf = label_sheet_pdf(enterprises, "http://x", "榆次区")
    assert b"/Count 2" in pdf


def test_the_cli_writes_the_sheet_for_a_county(app, world, tmp_path):
    output = tmp_path / "labels.pdf"
    result = app.test_cli_runner().invoke(args=["qr-sheet", "--county", "榆次区", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "2 labels" in result.output
    assert output.read_bytes().startswith(b"%PDF")


def test_the_cli_names_an_unknown_county(app, world, tmp_path):
    result = app.test_cli_runner().invoke(args=["qr-sheet", "--county", "不存在县", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "不存在县" in result.output


# A county's sheet in parts of LABELS_PER_PART labels: county_a has 2 enterprises, and gets LABELS_PER_PART + 3 more.


@pytest.fixture
def big_county(world, db):
    construction = db.scalars(select(Sector).where(Sector.code == "construction")).one()
    for number in range(LABELS_PER_PART + 3):
        add_enterprise(db, f"榆次第{number:03d}建筑有限公司", world.county_a, construction,
                       credit_code.generate(world.county_a.code, random.Random(number)))
    db.commit()
    return LABELS_PER_PART + 5


def pages(pdf: bytes) -> int:
    return int(re.search(rb"/Count (\d+)", pdf).group(1))


def download_name(response) -> str:
    return unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])


def test_the_parts_of_a_sheet_cover_every_label_once():
    assert label_parts(0) == []
    assert [(part.number, part.first, part.last) for part in label_parts(2 * LABELS_PER_PART + 1)] == [
        (1, 1, LABELS_PER_PART), (2, LABELS_PER_PART + 1, 2 * LABELS_PER_PART),
        (3, 2 * LABELS_PER_PART + 1, 2 * LABELS_PER_PART + 1)]
    assert LABELS_PER_PART % (COLUMNS * ROWS) == 0  # a part fills its pages


def test_the_parts_follow_the_label_order_namesakes_included(world, db, big_county):
    add_enterprise(db, world.enterprise_a.name, world.county_a, world.enterprise_a.sector,
                   credit_code.generate(world.county_a.code, random.Random(10_000)))  # a namesake
    db.commit()
    whole = county_enterprises(db, world.county_a)
    in_parts = [enterprise for part in label_parts(len(whole))
                for enterprise in county_labels(db, world.county_a, None, part.first, LABELS_PER_PART)]
    assert [enterprise.id for enterprise in in_parts] == [enterprise.id for enterprise in whole]
    assert len(whole) == big_county + 1


def test_the_first_part_holds_a_full_run_of_labels_and_names_its_range(login, world, big_county):
    response = login("admin_a").english().get(f"/counties/{world.county_a.id}/qr-sheet.pdf?part=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert pages(response.data) == LABELS_PER_PART // (COLUMNS * ROWS)
    assert download_name(response) == f"榆次区 part 1 (labels 1–{LABELS_PER_PART}).pdf"


def test_the_last_part_holds_the_rest(login, world, big_county):
    response = login("city").english().get(f"/counties/{world.county_a.id}/qr-sheet.pdf?part=2")
    assert response.status_code == 200 and pages(response.data) == 1
    assert download_name(response) == f"榆次区 part 2 (labels {LABELS_PER_PART + 1}–{big_county}).pdf"


def test_a_part_beyond_the_last_is_not_found(login, world, big_county):
    admin = login("admin_a")
    assert admin.get(f"/counties/{world.county_a.id}/qr-sheet.pdf?part=3").status_code == 404
    assert admin.get(f"/counties/{world.county_b.id}/qr-sheet.pdf?part=2").status_code == 403  # not admin_a's
    assert login("admin_b").get(f"/counties/{world.county_b.id}/qr-sheet.pdf?part=2").status_code == 404


@pytest.mark.parametrize("asked", ["", "?part=abc", "?part=0", "?part=-2"])
def test_a_missing_or_bad_part_number_is_the_first_part_as_a_bad_page_number_is(login, world, big_county, asked):
    response = login("admin_a").english().get(f"/counties/{world.county_a.id}/qr-sheet.pdf{asked}")
    assert response.status_code == 200 and download_name(response).startswith("榆次区 part 1 ")


def test_another_countys_admin_cannot_print_any_part(login, world, big_county):
    for part in (1, 2, 3):
        assert login("admin_b").get(f"/counties/{world.county_a.id}/qr-sheet.pdf?part={part}").status_code == 403


def test_a_sheet_of_one_sector(login, world, db, big_county):
    coal = world.enterprise_a2.sector
    admin = login("admin_a").english()
    response = admin.get(f"/counties/{world.county_a.id}/qr-sheet.pdf?sector={coal.id}")
    assert response.status_code == 200 and pages(response.data) == 1
    assert download_name(response) == f"榆次区 {coal.name} part 1 (labels 1–1).pdf"
    assert admin.get(f"/counties/{world.county_a.id}/qr-sheet.pdf?sector={coal.id}&part=2").status_code == 404
    assert admin.get(f"/counties/{world.county_a.id}/qr-sheet.pdf?sector=99999").status_code == 404


def test_the_enterprises_page_offers_the_parts_of_the_county(login, world, big_county):
    page = login("admin_a").english().get("/enterprises").get_data(as_text=True)
    first = f'href="/counties/{world.county_a.id}/qr-sheet.pdf?part=1"'
    last = f'href="/counties/{world.county_a.id}/qr-sheet.pdf?part=2"'
    assert first in page and last in page and "?part=3" not in page
    assert f'title="Labels {LABELS_PER_PART + 1}–{big_county}">Part 2</a>' in page


def test_the_city_chooses_a_county_before_its_parts(login, world, big_county):
    city = login("city")
    page = city.get("/enterprises").get_data(as_text=True)
    assert "qr-sheet.pdf" not in page
    assert f'href="/enterprises?county={world.county_a.id}"' in page
    page = city.get(f"/enterprises?county={world.county_b.id}").get_data(as_text=True)
    assert f'href="/counties/{world.county_b.id}/qr-sheet.pdf?part=1"' in page and "?part=2" not in page
    coal = world.enterprise_a2.sector.id
    page = city.get(f"/enterprises?county={world.county_a.id}&sector={coal}").get_data(as_text=True)
    assert f'/counties/{world.county_a.id}/qr-sheet.pdf?part=1&amp;sector={coal}"' in page and "?part=2" not in page
