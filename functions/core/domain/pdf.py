"""The PDF gate shared by citizens' pages and officers' electronic results. Pure.

A PDF is stored as it is (no PDF library ships in the zips), so it must be whole, unencrypted, and free of
anything that runs or carries other files when opened in a viewer.
"""

from __future__ import annotations

from functions.core.errors import UploadCorrupt, UploadTypeNotAllowed

MAGIC = b"%PDF-"
# Names that make a PDF run or carry something when opened; an officer's or citizen's viewer must not.
ACTIVE_NAMES = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")


def check_pdf(data: bytes) -> None:
    """Raise a typed upload error unless `data` is a whole, passive, unencrypted PDF."""
    if not data.startswith(MAGIC):
        raise UploadTypeNotAllowed(details={"reason": "not_pdf"})
    if b"%%EOF" not in data[-2048:]:
        raise UploadCorrupt(details={"reason": "pdf_truncated"})
    if b"/Encrypt" in data:
        raise UploadTypeNotAllowed(details={"reason": "pdf_encrypted"})
    if any(name in data for name in ACTIVE_NAMES):
        raise UploadTypeNotAllowed(details={"reason": "pdf_active_content"})
