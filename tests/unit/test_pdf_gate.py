"""The PDF gate: real parsing of pages and results, each known evasion refused, plain documents kept."""

from __future__ import annotations

import io
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from functions.core.domain import pdf as gate
from functions.core.domain.pdf import check_pdf
from functions.core.errors import UploadCorrupt, UploadTooLarge, UploadTypeNotAllowed
from tests.fixtures.pdfs import JS, assemble, document, link, stream

ANNOTS = b"/Annots [10 0 R]"


def refusal(data: bytes) -> tuple[type, dict]:
    """The typed error the gate raises for `data`, with its details."""
    with pytest.raises((UploadTypeNotAllowed, UploadCorrupt, UploadTooLarge)) as caught:
        check_pdf(data)
    return type(caught.value), caught.value.details


def active(found: str) -> tuple[type, dict]:
    return UploadTypeNotAllowed, {"reason": "pdf_active_content", "found": found}


def written(build) -> bytes:  # noqa: ANN001
    """A document made by pypdf's writer (a real producer's layout), after `build(writer)`."""
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(595, 842)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


HIDDEN_IN_OBJECT_STREAM = document(catalog=b"/OpenAction 10 0 R", extra={10: JS}, packed=(1, 10))
HIDDEN_ANNOTATION = document(page=ANNOTS, extra=link(b"<< /S /J#61vaScript /JS (app.alert(1)) >>"), packed=(3, 10))


def test_the_object_stream_samples_hide_their_names_from_a_byte_scan():
    for data in (HIDDEN_IN_OBJECT_STREAM, HIDDEN_ANNOTATION):
        assert b"JavaScript" not in data and b"OpenAction" not in data and b"Annots" not in data


@pytest.mark.parametrize(("data", "found"), [
    (document(page=ANNOTS, extra=link(b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>")), "JavaScript"),
    (document(page=ANNOTS, extra=link(b"<< /S /L#61unch /F (cmd.exe) >>")), "Launch"),
    (document(page=ANNOTS, extra=link(b"<< /S /#4c#61#75#6e#63#68 /F (cmd.exe) >>")), "Launch"),
    (document(page=ANNOTS, extra=link(b"<< /S /URI /URI (https://x.example) /J#53 (app.alert(1)) >>")), "JS"),
    (HIDDEN_IN_OBJECT_STREAM, "OpenAction"),
    (HIDDEN_ANNOTATION, "JavaScript"),
    (document(catalog=b"/OpenAction " + JS), "OpenAction"),
    (document(catalog=b"/OpenAction 10 0 R", extra={10: b"<< /S /Launch /F (cmd.exe) >>"}), "OpenAction"),
    (document(catalog=b"/OpenAction << /S /URI /URI (https://tracker.example) >>"), "OpenAction"),
    (document(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 10 0 R >>",
              extra={10: b"<< /S /URI /URI (https://tracker.example) >>"}), "OpenAction"),
    (document(catalog=b"/AA << /WC << /S /URI /URI (https://x.example) >> >>"), "AA"),
    (document(page=b"/AA << /O " + JS + b" >>"), "AA"),
    (document(page=ANNOTS, extra={10: b"<< /Type /Annot /Subtype /Widget /Rect [0 0 9 9] /AA << /E 11 0 R >> >>",
                                  11: JS}), "AA"),
    (document(catalog=b"/AcroForm << /Fields [10 0 R] >>",
              extra={10: b"<< /FT /Tx /T (ho_ten) /AA << /K 11 0 R >> >>", 11: JS}), "AA"),
    (document(catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) 10 0 R] >> >>",
              extra={10: b"<< /Type /Filespec /F (a.exe) /EF << /F 11 0 R >> >>",
                     11: stream(b"/Type /EmbeddedFile", b"MZ")}), "EmbeddedFiles"),
    (document(page=ANNOTS, extra={10: b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS 11 0 R >>",
                                  11: b"<< /Type /Filespec /F (a.exe) >>"}), "FileAttachment"),
    (document(page=ANNOTS, extra={10: b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"}), "RichMedia"),
    (document(catalog=b"/AcroForm << /Fields [] /XFA 10 0 R >>", extra={10: stream(b"", b"<xdp:xdp/>")}), "XFA"),
    (document(catalog=b"/Names << /JavaScript 10 0 R >>", extra={10: b"<< /Names [(a) 11 0 R] >>", 11: JS}),
     "JavaScript"),
    (document(page=ANNOTS, extra=link(b"<< /S /GoTo /D [3 0 R /Fit] /Next [<< /S /URI /URI (https://x.example) >> "
                                      b"<< /S /GoTo /D [3 0 R /Fit] /Next << /S /SubmitForm /F (x) >> >>] >>")),
     "SubmitForm"),
    (document(page=ANNOTS, extra=link(b"<< /S /ImportData /F (data.fdf) >>")), "ImportData"),
    (document(page=ANNOTS, extra=link(b"<< /S /GoToE /T << /R /C /N (a.pdf) >> >>")), "GoToE"),
], ids=["name-escape-javascript", "name-escape-launch", "name-all-escaped", "escaped-js-key", "object-stream-open",
        "object-stream-annotation", "open-javascript", "open-indirect-launch", "open-uri", "open-goto-then-uri",
        "catalog-aa", "page-aa", "annotation-aa", "form-field-aa", "embedded-files", "file-attachment",
        "rich-media", "xfa", "javascript-name-tree", "nested-next", "import-data", "goto-embedded"])
def test_active_content_is_refused_wherever_it_hides(data, found):
    assert refusal(data) == active(found)


@pytest.mark.parametrize("extra", [
    {10: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 11 0 R >>", 11: b"<< /S 12 0 R /JS 13 0 R >>",
     12: b"/J#61vaScript", 13: b"(app.alert(1))"},
    {10: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 11 0 R >>", 11: b"<< /S 12 0 R >>",
     12: b"13 0 R", 13: b"/Launch"},
    {10: b"<< /Type /Annot /Subtype 11 0 R /Rect [0 0 9 9] >>", 11: b"/FileAttachment"},
], ids=["indirect-name", "reference-to-a-reference", "indirect-subtype"])
def test_names_reached_through_references_are_resolved(extra):
    status, details = refusal(document(page=ANNOTS, extra=extra))
    assert (status, details["reason"]) == (UploadTypeNotAllowed, "pdf_active_content")


def test_a_reference_cycle_ends_and_what_it_hides_is_found():
    cycle = {10: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 11 0 R >>",
             11: b"<< /S /GoTo /D [3 0 R /Fit] /Next 12 0 R >>",
             12: b"<< /S /GoTo /D [3 0 R /Fit] /Next 11 0 R /S2 13 0 R >>", 13: b"13 0 R"}
    check_pdf(document(page=ANNOTS, extra=cycle))  # GoTo actions chained in a loop are harmless
    cycle[12] = b"<< /S /GoTo /D [3 0 R /Fit] /Next [11 0 R << /S 13 0 R >> " + JS + b"] >>"
    assert refusal(document(page=ANNOTS, extra=cycle)) == active("JavaScript")


def test_an_object_the_catalog_does_not_reach_is_checked_too():
    assert refusal(document(extra={40: JS})) == active("JavaScript")


def test_an_object_missing_from_the_cross_reference_table_is_found_by_its_header():
    data = document(page=ANNOTS, extra=link(b"11 0 R"))
    data = data.replace(b"xref\n", b"11 0 obj\n" + JS + b"\nendobj\nxref\n")  # after the body, in no table
    assert refusal(data) == active("JavaScript")


def test_a_repeated_key_is_unreadable_rather_than_guessed():
    data = document(page=ANNOTS, extra=link(b"<< /S /GoTo /D [3 0 R /Fit] /S /JavaScript /JS (x) >>"))
    assert refusal(data) == (UploadCorrupt, {"reason": "pdf_unreadable"})


@pytest.mark.parametrize(("build", "found"), [
    (lambda w: w.add_open_action(JavaScript("app.alert('hi');")), {"JavaScript"}),
    (lambda w: w.add_attachment("run.exe", b"MZ"), {"EmbeddedFile", "EmbeddedFiles", "EF"}),
], ids=["add_open_action", "add_attachment"])
def test_what_a_real_writer_makes_active_is_refused(build, found):
    status, details = refusal(written(build))
    assert (status, details["reason"]) == (UploadTypeNotAllowed, "pdf_active_content") and details["found"] in found


@pytest.mark.parametrize("data", [
    document(content=b"BT /F1 12 Tf 72 720 Td (JavaScript /JavaScript /Launch /AA /OpenAction) Tj ET"),
    document(content=zlib.compress(b"BT /F1 12 Tf 72 720 Td (Enable JavaScript) Tj ET")).replace(
        b"<<  /Length", b"<< /Filter /FlateDecode /Length"),
    document(page=ANNOTS, extra=link(b"<< /S /URI /URI (https://dichvucong.gov.vn) >>")),
    document(pages=3, catalog=b"/OpenAction [3 0 R /XYZ null null 0] /PageMode /UseNone"),
    document(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"),
    document(pages=2, packed=(1, 2, 3, 5)),
    written(lambda w: w.add_metadata({"/Title": "JavaScript for beginners"})),
    b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
], ids=["text-saying-javascript", "compressed-text", "uri-link", "three-pages-open-at-page-one", "open-goto",
        "object-stream", "written-by-pypdf", "no-xref-table"])
def test_plain_documents_pass(data):
    check_pdf(data)


def test_an_encrypted_pdf_is_refused():
    def encrypt(writer: PdfWriter) -> None:
        writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")

    assert refusal(written(encrypt)) == (UploadTypeNotAllowed, {"reason": "pdf_encrypted"})
    plain = document()
    assert refusal(plain.replace(b"/Root 1 0 R >>\nstartxref", b"/Root 1 0 R /Encrypt 9 0 R >>\nstartxref")) == (
        UploadTypeNotAllowed, {"reason": "pdf_encrypted"})


@pytest.mark.parametrize(("data", "details"), [
    (document()[: len(document()) // 2], {"reason": "pdf_truncated"}),
    (document()[:-30] + b"%%EOF\n", {"reason": "pdf_unreadable"}),
    (b"%PDF-1.7\nthis is no document at all\n%%EOF\n", {"reason": "pdf_unreadable"}),
    (document(extra={10: stream(b"/Type /ObjStm /N 1 /First 5 /Filter /FlateDecode",
                                zlib.compress(b"11 0 << /S /GoTo /D [3 0 R"))}), {"reason": "pdf_unreadable"}),
], ids=["cut-in-half", "cut-then-ended", "garbage", "broken-object-stream"])
def test_a_truncated_or_unreadable_pdf_is_corrupt(data, details):
    assert refusal(data) == (UploadCorrupt, details)


def test_not_a_pdf_is_refused_as_a_type():
    assert refusal(b"<html>%PDF-1.4</html>\n%%EOF") == (UploadTypeNotAllowed, {"reason": "not_pdf"})


def test_too_many_objects_stop_before_parsing():
    body = b"".join(b"%d 0 obj null endobj\n" % n for n in range(1, gate.MAX_OBJECTS + 2))
    assert refusal(assemble({1: b"<< /Type /Catalog >>"}).replace(b"xref\n", body + b"xref\n")) == (
        UploadTooLarge, {"limit": "pdf_structure"})


def test_deep_nesting_stops_at_the_depth_bound():
    deep = b"[" * (gate.MAX_DEPTH + 5) + b"]" * (gate.MAX_DEPTH + 5)
    assert refusal(document(extra={10: deep})) == (UploadTooLarge, {"limit": "pdf_structure"})


def test_a_decompression_bomb_in_an_object_stream_stops_at_the_budget(monkeypatch):
    monkeypatch.setattr(gate, "MAX_DECODED", 1024 * 1024)
    bomb = zlib.compress(b"1 0 " + b" " * (4 * 1024 * 1024))
    data = document(extra={10: stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", bomb)})
    assert refusal(data) == (UploadTooLarge, {"limit": "pdf_structure"})


def test_objects_inside_a_stream_that_each_read_to_its_end_stop_at_the_work_bound():
    # Each fake header inside the stream starts a stream of unknown length, read up to the next `endstream`:
    # 2,000 of them over 1 MB would be quadratic work without the bound.
    inside = b"".join(b"%d 0 obj << /Length 99999 0 R >> stream\n" % n for n in range(20, 2020))
    data = document(extra={10: stream(b"", inside + b"x" * 1_000_000)})
    assert refusal(data) == (UploadTooLarge, {"limit": "pdf_structure"})


def test_a_long_literal_string_stops_at_the_read_bound(monkeypatch):
    # pypdf reads a literal string one byte per call: a file-long string would cost seconds of CPU.
    monkeypatch.setattr(gate, "MAX_READS", 10_000)
    assert refusal(document(extra={10: b"(" + b"a" * 20_000 + b")"})) == (UploadTooLarge, {"limit": "pdf_structure"})
    check_pdf(document(extra={10: b"(" + b"a" * 2_000 + b")"}))


def test_an_object_whose_header_holds_comments_is_still_found():
    data = document(page=ANNOTS, extra=link(b"11 0 R"))
    data = data.replace(b"xref\n", b"11 %a comment\n 0 %another\r obj\n" + JS + b"\nendobj\nxref\n")
    assert refusal(data) == active("JavaScript")
