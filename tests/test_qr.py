"""QR codes: one per enterprise, an A4 label sheet per county from the pages and from the shell."""

from io import BytesIO

from PIL import Image

from checklist.sheets.labels import COLUMNS, ROWS, label_sheet_pdf


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
    assert ours.size == reference.make_image().get_image().size


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
