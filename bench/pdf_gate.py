"""Cost of the PDF gate (`functions/core/domain/pdf.py`) on large plain documents and on hostile files
built to make a parser spin, with the answer each gets. Prints figures; asserts nothing about time.
CPU seconds are the figure to compare: a Lambda of 512 MB has about 0.3 of a vCPU.

Usage: .venv/bin/python bench/pdf_gate.py [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfWriter  # noqa: E402

from functions.core.domain.pdf import check_pdf  # noqa: E402
from functions.core.errors import AppError  # noqa: E402
from tests.fixtures.pdfs import assemble, document, stream  # noqa: E402


def scanned(pages: int, image_bytes: int) -> bytes:
    """A scan-like document: each page shows one opaque JPEG-sized image."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    kids = []
    for n in range(pages):
        page, content, image = 10 + 3 * n, 11 + 3 * n, 12 + 3 * n
        kids.append(b"%d 0 R" % page)
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                         b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (content, image))
        objects[content] = stream(b"", b"q 595 0 0 842 0 0 cm /Im0 Do Q")
        objects[image] = stream(b"/Type /XObject /Subtype /Image /Width 1240 /Height 1754 /ColorSpace /DeviceGray "
                                b"/BitsPerComponent 8 /Filter /DCTDecode", os.urandom(image_bytes))
    objects[2] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    return assemble(objects)


def written(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def samples() -> dict[str, bytes]:
    inside = b"".join(b"%d 0 obj << /Length 999999 0 R >> stream\n" % n for n in range(20, 20_020))
    return {
        "plain: 300 scanned pages (~9.6 MB)": scanned(300, 32_000),
        "plain: 1,000 pages written by pypdf": written(1000),
        "plain: 2,000 pages in object streams": document(pages=2000, packed=tuple(range(100, 2099))),
        "hostile: 25,000 objects (the limit)": assemble({1: b"<< /Type /Catalog >>",
                                                         **{n: b"[1 2 3]" for n in range(2, 25_001)}}),
        "hostile: 25,000 objects of 60 tokens": assemble({1: b"<< /Type /Catalog >>",
                                                          **{n: b"[" + b"1 " * 60 + b"]" for n in range(2, 25_001)}}),
        "hostile: 20,000 headers inside a 9 MB stream": document(extra={10: stream(b"", inside + b"x" * 8_000_000)}),
        "hostile: 1 GB of zeros in an object stream": document(extra={10: stream(
            b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", zlib.compress(b"1 0 " + bytes(1 << 30), 9))}),
        "hostile: arrays nested 100,000 deep": document(extra={10: b"[" * 100_000 + b"]" * 100_000}),
        "hostile: a 9 MB string": document(extra={10: b"(" + b"a" * 9_000_000 + b")"}),
    }


def answer(data: bytes) -> str:
    try:
        check_pdf(data)
    except AppError as exc:
        return f"{exc.status} {exc.code} {exc.details}"
    return "accepted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print(f"{'sample':48} {'bytes':>10} {'cpu s':>7} {'wall s':>7}  answer (median of {runs} runs)")
    for name, data in samples().items():
        cpu, wall = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = answer(data)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start)
        print(f"{name:48} {len(data):>10,} {statistics.median(cpu):>7.2f} {statistics.median(wall):>7.2f}  {result}")


if __name__ == "__main__":
    main()
