"""The PDF gate for files from outside: citizens' pages and officers' electronic results. Pure.

A PDF is stored as it is, so it must be whole (a trailer whose /Root is a dictionary), unencrypted and
passive. The gate reads it with pypdf's object parser, which decodes names (`/J#61vaScript` is
`/JavaScript`) and streams, and checks every object in the file, not only those the catalog reaches: each
`N G obj` found by scanning the bytes (so every object a cross-reference table lists, older revisions, and
objects only a viewer's repair would find), each object inside every object stream, and every trailer. A
walk from the trailer reaches a subset of these; the cross-reference tables are not needed, so pypdf's
slow rebuild of a broken one never runs. References are not followed, so cycles cannot loop; the values
checked through a reference (/S, /Type, /Subtype, /OpenAction) are resolved against every definition of
that object number, at most MAX_HOPS deep. Objects are parsed strictly (a repeated key or a wrong stream
length is an error): where pypdf would guess, a viewer might guess otherwise. The reading lives in
`pdf_objects`, imported on first use: pypdf takes as long to import as Flask, and a cold start of a
function that never sees a PDF should not pay for it.

Refused as 415 `upload_type_not_allowed`, `reason: pdf_active_content`, `found: <name>`:
- keys anywhere: JS, JavaScript (name tree), AA (additional actions of the catalog, pages, annotations,
  widgets and form fields), EmbeddedFiles (name tree), EF (embedded file), XFA (XFA forms),
  RichMediaContent, RichMediaSettings;
- actions (/S): JavaScript, Launch, ImportData, SubmitForm, GoToR, GoToE, Rendition, Movie, Sound,
  RichMediaExecute, GoTo3DView;
- /Type EmbeddedFile or 3D; /Subtype FileAttachment, RichMedia, Screen, Movie, Sound or 3D;
- an OpenAction that is an action other than one GoTo; an "open at page 1" destination (what LibreOffice
  writes) passes.
Allowed: URI links and the GoTo, GoToDp, Named, Thread, Hide, ResetForm, SetOCGState and Trans actions;
text that says "JavaScript" (content streams hold no objects).

Otherwise: 415 `not_pdf` or `pdf_encrypted`; 422 `upload_corrupt` (`pdf_truncated`, `pdf_unreadable`);
413 `upload_too_large` with `limit: pdf_structure` past the work bounds below.
"""

from __future__ import annotations

from functions.core.errors import UploadCorrupt, UploadTooLarge, UploadTypeNotAllowed

MAGIC = b"%PDF-"
# Work bounds. A plain document needs about 70-100 parser reads, 15 tokens and 10 values per object (a
# 300-page, 9.6 MB scan: 900 objects, 66,000 reads; 2,000 pages in object streams: 208,000 reads). A read
# costs about 2 µs of CPU all in, so these cap what a hostile file can take at about a second of CPU
# (bench/pdf_gate.py prints the figures); a document past them is answered 413, like an oversized photo.
MAX_OBJECTS = 25_000  # object definitions (headers found, object-stream members)
MAX_READS = 600_000  # reads by pypdf's parser, which takes a literal string one byte per read
MAX_TOKENS = 300_000  # tokens parsed (dictionary entries, array items), all objects together
MAX_NODES = 600_000  # values visited by the check
MAX_DEPTH = 100  # arrays and dictionaries nested inside one object
MAX_HOPS = 8  # references followed to resolve one checked value
MAX_DECODED = 64 * 1024 * 1024  # bytes of object streams decompressed, all together
WORK_FACTOR = 8  # bytes parsed, at most this many times the file (objects overlap only in hostile files)

BAD_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent",
                      "/RichMediaSettings"})
BAD_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToR", "/GoToE",
                         "/Rendition", "/Movie", "/Sound", "/RichMediaExecute", "/GoTo3DView"})
BAD_TYPES = frozenset({"/EmbeddedFile", "/3D"})
BAD_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
ENCRYPTED = "Encrypt"  # what `pdf_objects.inspect` answers for an encrypted file


def check_pdf(data: bytes) -> None:
    """Raise a typed upload error unless `data` is a whole, passive, unencrypted PDF."""
    if not data.startswith(MAGIC):
        raise UploadTypeNotAllowed(details={"reason": "not_pdf"})
    if b"%%EOF" not in data[-2048:]:
        raise UploadCorrupt(details={"reason": "pdf_truncated"})
    from functions.core.domain import pdf_objects

    try:
        found = pdf_objects.inspect(data)
    except pdf_objects.TooComplex as exc:
        raise UploadTooLarge(details={"limit": "pdf_structure"}) from exc
    except Exception as exc:  # noqa: BLE001 (pypdf raises many types on hostile input; each means unreadable)
        raise UploadCorrupt(details={"reason": "pdf_unreadable"}) from exc
    if found == ENCRYPTED:
        raise UploadTypeNotAllowed(details={"reason": "pdf_encrypted"})
    if found:
        raise UploadTypeNotAllowed(details={"reason": "pdf_active_content", "found": found})
