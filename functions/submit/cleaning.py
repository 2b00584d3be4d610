"""The real gate for uploaded files: sniff the bytes, decode them, and keep only a clean copy.

Presigned-POST conditions are a first filter that moto does not even enforce; this module decides.
The declared content type is never trusted. Pictures are decoded with Pillow behind a pixel limit
(decompression bombs) and re-encoded, which drops EXIF, GPS, maker notes, XMP and ICC data.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from functions.core.domain.pdf import check_pdf
from functions.core.errors import UploadCorrupt, UploadTooLarge, UploadTypeNotAllowed

JPEG, PNG, HEIC, PDF = "image/jpeg", "image/png", "image/heic", "application/pdf"
# ISO-BMFF brands of HEIF stills (iPhone photos are `heic`; `mif1` is the generic one).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanFile:
    """What is stored: the clean bytes and what they are."""

    data: bytes
    content_type: str
    width: int | None = None
    height: int | None = None

    @property
    def extension(self) -> str:
        """File extension for the stored object's key."""
        return {JPEG: "jpg", PNG: "png", PDF: "pdf"}[self.content_type]


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among the kinds we know, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    if data[4:8] == b"ftyp":
        box_end = min(int.from_bytes(data[:4], "big"), 64)
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, max(16, box_end), 4)}
        if brands & _HEIF_BRANDS:
            return HEIC
    return None


def clean(data: bytes, accept: tuple[str, ...], *, max_pixels: int, max_edge: int) -> CleanFile:
    """Check `data` against a slot's accepted kinds and return the copy to store, or raise a typed error."""
    kind = sniff(data)
    if kind is None or kind not in accept:
        raise UploadTypeNotAllowed(details={"detected": kind, "accepted": list(accept)})
    if kind == PDF:
        return _checked_pdf(data)
    return _reencoded_image(data, kind, max_pixels=max_pixels, max_edge=max_edge)


def _checked_pdf(data: bytes) -> CleanFile:
    check_pdf(data)
    return CleanFile(data, PDF)


def _open_image(data: bytes, kind: str, max_pixels: int):  # noqa: ANN202 (PIL types stay local)
    from PIL import Image

    if kind == HEIC:
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            # The header alone gives the size: refuse before allocating pixels.
            if image.width * image.height > max_pixels:
                raise UploadTooLarge(details={"limit": "pixels", "max_pixels": max_pixels})
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadTooLarge(details={"limit": "pixels", "max_pixels": max_pixels}) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UploadCorrupt(details={"detected": kind}) from exc
    return image


def _reencoded_image(data: bytes, kind: str, *, max_pixels: int, max_edge: int) -> CleanFile:
    from PIL import Image, ImageOps

    source = _open_image(data, kind, max_pixels)
    # Turn the pixels upright first: the orientation tag goes away with the rest of the metadata.
    image = ImageOps.exif_transpose(source)
    if max(image.size) > max_edge:
        image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    for picture in (source, image):
        # Savers fall back to `info` for comments, ICC and XMP: keep only what pixels need.
        picture.info = {key: value for key, value in picture.info.items() if key == "transparency"}
    if kind == PNG:
        image = image if image.mode in ("1", "L", "P", "RGB", "RGBA") else image.convert("RGBA")
        image.save(out, "PNG")  # no pnginfo/exif/icc arguments: only pixels are written
        return CleanFile(out.getvalue(), PNG, image.width, image.height)
    if image.mode != "RGB":
        image = _flatten(image)
    unchanged = kind == JPEG and image.size == source.size and source.getexif().get(0x0112, 1) == 1
    if unchanged:
        # Same pixels, same quantisation tables: a metadata-free copy without a second generation loss.
        source.save(out, "JPEG", quality="keep", subsampling="keep")
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanFile(out.getvalue(), JPEG, image.width, image.height)


def _flatten(image):  # noqa: ANN001, ANN202
    """RGB on white: a transparent or greyscale-with-alpha picture must not turn black."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
