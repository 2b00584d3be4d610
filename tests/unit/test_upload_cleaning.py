"""The server's gate for uploaded bytes: sniffing, decoding with a pixel limit, and metadata removal."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms

from functions.core.errors import UploadCorrupt, UploadTooLarge, UploadTypeNotAllowed
from functions.submit.cleaning import HEIC, JPEG, PDF, PNG, clean, sniff

ALL = (JPEG, PNG, HEIC, PDF)
LIMITS = {"max_pixels": 50_000_000, "max_edge": 2000}


def picture(fmt: str, size=(800, 600), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    Image.new(mode, size, "white").save(out, fmt, **save)
    return out.getvalue()


def exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)}
    return exif.tobytes()


PDF_OK = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.parametrize(("data", "kind"), [
    (picture("JPEG"), JPEG), (picture("PNG"), PNG), (picture("HEIF"), HEIC), (PDF_OK, PDF),
    (b"GIF89a....", None), (b"<html>not a photo</html>", None), (b"", None),
])
def test_the_kind_comes_from_the_bytes(data, kind):
    assert sniff(data) == kind


def test_jpeg_loses_exif_gps_comment_and_icc():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = picture("JPEG", exif=exif_with_gps(), icc_profile=icc, comment=b"taken at home")
    assert b"PhoneMaker" in data
    cleaned = clean(data, ALL, **LIMITS)
    again = Image.open(io.BytesIO(cleaned.data))
    assert cleaned.content_type == JPEG and not again.getexif() and "icc_profile" not in again.info
    assert b"PhoneMaker" not in cleaned.data and b"taken at home" not in cleaned.data


def test_the_orientation_tag_is_applied_to_the_pixels_before_it_is_dropped():
    cleaned = clean(picture("JPEG", size=(400, 300), exif=exif_with_gps(orientation=6)), ALL, **LIMITS)
    assert (cleaned.width, cleaned.height) == (300, 400)
    assert not Image.open(io.BytesIO(cleaned.data)).getexif()


def test_png_stays_png_without_metadata_chunks():
    data = picture("PNG", exif=exif_with_gps())
    cleaned = clean(data, ALL, **LIMITS)
    assert cleaned.content_type == PNG and b"eXIf" not in cleaned.data and b"PhoneMaker" not in cleaned.data


def test_transparent_pictures_are_flattened_on_white_when_they_become_jpeg():
    out = io.BytesIO()
    import pillow_heif

    pillow_heif.register_heif_opener()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(out, "HEIF")
    cleaned = clean(out.getvalue(), ALL, **LIMITS)
    assert Image.open(io.BytesIO(cleaned.data)).getpixel((32, 32))[0] > 200


def test_heic_is_decoded_and_stored_as_jpeg():
    cleaned = clean(picture("HEIF", size=(640, 480), exif=exif_with_gps()), ALL, **LIMITS)
    assert cleaned.content_type == JPEG and (cleaned.width, cleaned.height) == (640, 480)
    assert b"PhoneMaker" not in cleaned.data


def test_large_pictures_are_shrunk_to_the_long_edge():
    cleaned = clean(picture("JPEG", size=(4000, 3000)), ALL, max_pixels=50_000_000, max_edge=2000)
    assert (cleaned.width, cleaned.height) == (2000, 1500)


def test_a_fake_jpeg_is_refused_by_its_bytes():
    with pytest.raises(UploadTypeNotAllowed):
        clean(b"MZ\x90\x00 this is an executable renamed .jpg", ALL, **LIMITS)


def test_a_kind_the_slot_does_not_accept_is_refused():
    with pytest.raises(UploadTypeNotAllowed):
        clean(PDF_OK, (JPEG, PNG), **LIMITS)


def test_a_truncated_jpeg_is_corrupt():
    data = picture("JPEG", size=(800, 600))
    with pytest.raises(UploadCorrupt):
        clean(data[:200], ALL, **LIMITS)


def test_a_decompression_bomb_is_refused_before_its_pixels_are_allocated():
    bomb = picture("PNG", size=(20_000, 20_000), mode="1")  # 400 MP; a few dozen KB on disk
    assert len(bomb) < 200_000
    with pytest.raises(UploadTooLarge) as raised:
        clean(bomb, ALL, **LIMITS)
    assert raised.value.details["limit"] == "pixels"


@pytest.mark.parametrize(("pdf", "error"), [
    (PDF_OK.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
     UploadTypeNotAllowed),
    (PDF_OK.replace(b"trailer<<", b"trailer<</Encrypt 5 0 R"), UploadTypeNotAllowed),
    (PDF_OK[:-7], UploadCorrupt),
])
def test_pdfs_with_active_content_encryption_or_no_end_are_refused(pdf, error):
    with pytest.raises(error):
        clean(pdf, ALL, **LIMITS)


def test_a_plain_pdf_is_kept_as_it_is():
    assert clean(PDF_OK, ALL, **LIMITS).data == PDF_OK
