"""Does the PWA's photo pipeline keep documents readable? Prints bytes, time and OCR accuracy per page.

It draws N photo-like 12-megapixel shots of A4 pages of Vietnamese text (perspective, uneven light,
sensor noise, slight blur, EXIF with GPS, half of them stored sideways with an EXIF rotation, as phones
do), runs the real `pwa/js/photo/process.js` on each in headless Chromium (under the app's CSP, so the
module worker is really used), then OCRs the original and the upload with Tesseract and compares both
with the text that was drawn. Goals: <= 300 KB per page and >= 98 % of the original's OCR accuracy.

Run: .venv/bin/python bench/photo.py [--pages N] [--keep DIR]
Needs: apt-get install tesseract-ocr tesseract-ocr-vie
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from functions.local.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TARGET_BYTES = 300_000
MAX_EDGE = 2000
MIN_RATIO = 0.98
JPEG_QUALITY = 93  # what phone cameras use; gives 3-6 MB at 12 MP with sensor noise
TIMEOUT_MS = 120_000
# With its defaults Tesseract measures its own layout analysis more than the pixels: the global Otsu
# threshold wipes out text on the darker side of an unevenly lit page, and column detection cuts lines
# in two at random, so a lossless copy could score 10 points under a JPEG of it. Sauvola's local
# threshold, "one column of text of varying size" (a form) and a fixed resolution hint (the uploads
# carry none, and Tesseract's guess moves the layout) make the figure about legibility.
TESSERACT_LAYOUT = ["--psm", "4", "--dpi", "300", "-c", "thresholding_method=2"]
# The script, worker and image rules of the app's page policy (functions/core/http.py): the bench
# proves the pipeline runs under them (no inline script, no eval, no blob: worker).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'"
)
HARNESS_HTML = b"""<!doctype html><meta charset="utf-8"><title>photo bench</title>
<input type="file" id="file" accept="image/*"><script type="module" src="/__bench__/run.js"></script>"""
# Runs in the page: the real processPhoto on the picked file, timed, with the upload sent back as base64.
HARNESS_JS = b"""import { processPhoto } from '/js/photo/process.js';
window.benchRun = async (maxEdge, targetBytes) => {
  const file = document.getElementById('file').files[0];
  const started = performance.now();
  const result = await processPhoto(file, { maxEdge, targetBytes });
  const ms = performance.now() - started;
  const data = await new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.split(',')[1]);
    reader.readAsDataURL(result.blob);
  });
  const { blob, ...rest } = result;
  return { ...rest, ms, data };
};
window.benchReady = true;
"""


FONT_NAMES = {  # preferred first; fonts-noto-core where installed, else Debian's DejaVu
    False: ["NotoSerif-Regular.ttf", "NotoSans-Regular.ttf", "DejaVuSerif.ttf", "DejaVuSans.ttf"],
    True: ["NotoSerif-Bold.ttf", "NotoSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf"],
}
A4_300DPI = (2480, 3508)
MARGIN = 220
HEADER = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
TITLES = [
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "ĐƠN ĐỀ NGHỊ CHỨNG THỰC BẢN SAO",
    "TỜ KHAI ĐĂNG KÝ THƯỜNG TRÚ",
]
NAMES = [
    "Nguyễn Thị Hồng Nhung",
    "Trần Văn Đức",
    "Lê Hoàng Yến",
    "Phạm Quốc Việt",
    "Đặng Thùy Dương",
    "Vũ Minh Khôi",
    "Bùi Thị Ngọc Ánh",
    "Hoàng Đình Trọng",
]
PLACES = [
    "xã Đông Hưng, tỉnh Hưng Yên",
    "phường Hoàn Kiếm, thành phố Hà Nội",
    "xã Phú Mỹ, tỉnh Đồng Nai",
    "phường Thủy Xuân, thành phố Huế",
    "xã Ea Kly, tỉnh Đắk Lắk",
    "phường Ninh Kiều, thành phố Cần Thơ",
]
PARAGRAPHS = [
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật, được sự thỏa thuận nhất trí của các bên "
    "liên quan theo quy định pháp luật và chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của mình.",
    "Người yêu cầu nộp kèm theo tờ khai này bản sao giấy tờ tùy thân, giấy chứng sinh hoặc văn bản của người "
    "làm chứng xác nhận về việc sinh; trường hợp không có người làm chứng thì phải có giấy cam đoan.",
    "Ủy ban nhân dân cấp xã có trách nhiệm kiểm tra hồ sơ, nếu thấy thông tin đầy đủ và phù hợp thì công chức "
    "tư pháp hộ tịch ghi nội dung vào sổ hộ tịch, cập nhật vào cơ sở dữ liệu và báo cáo Chủ tịch ký cấp giấy.",
    "Trường hợp hồ sơ chưa đầy đủ, chưa hợp lệ thì người tiếp nhận phải hướng dẫn người nộp bổ sung, hoàn thiện "
    "theo quy định; việc hướng dẫn được lập thành văn bản, ghi rõ loại giấy tờ, nội dung cần bổ sung.",
    "Kết quả giải quyết thủ tục được trả trực tiếp tại bộ phận một cửa, qua dịch vụ bưu chính công ích hoặc "
    "bản điện tử gửi vào tài khoản của người dân trên Cổng dịch vụ công quốc gia.",
    "Lệ phí được nộp một lần khi nộp hồ sơ; người thuộc gia đình có công với cách mạng, người thuộc hộ nghèo, "
    "người khuyết tật được miễn lệ phí theo quy định của Hội đồng nhân dân cấp tỉnh.",
]
NOTES = [
    "Ghi chú: (1) Giấy tờ nộp kèm phải là bản chính hoặc bản sao có chứng thực; ảnh chụp phải rõ nét, đủ bốn góc.",
    "(2) Ghi rõ họ tên, chữ đệm theo giấy tờ tùy thân; không viết tắt, không tẩy xóa, không dùng mực đỏ.",
    "(3) Trường hợp ủy quyền thì phải có văn bản ủy quyền được chứng thực theo quy định của pháp luật.",
]


def find_font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """A TrueType font with Vietnamese glyphs at `size` px: Noto where installed, else DejaVu."""
    for name in FONT_NAMES[bold]:
        found = sorted(Path("/usr/share/fonts").rglob(name))
        if found:
            return ImageFont.truetype(str(found[0]), size)
    raise SystemExit("No Noto or DejaVu font: apt-get install fonts-noto-core (or fonts-dejavu-core)")


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap of `text` to lines at most `width` px wide."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def draw_page(number: int) -> tuple[Image.Image, str]:
    """A filled-in A4 form at 300 dpi, different for each `number`, and the text drawn on it."""
    rng = random.Random(number)
    page = Image.new("RGB", A4_300DPI, (250, 250, 246))
    draw = ImageDraw.Draw(page)
    bold, body, small = find_font(True, 46), find_font(False, 46), find_font(False, 36)
    width = A4_300DPI[0] - 2 * MARGIN
    truth: list[str] = []
    y = MARGIN

    def put(text: str, font: ImageFont.FreeTypeFont, centered: bool = False, gap: int = 20) -> None:
        nonlocal y
        for line in wrap(draw, text, font, width):
            x = (A4_300DPI[0] - draw.textlength(line, font=font)) / 2 if centered else MARGIN
            draw.text((x, y), line, font=font, fill=(28, 28, 36))
            truth.append(line)
            y += font.size + gap

    for line in HEADER:
        put(line, bold, centered=True)
    y += 70
    put(rng.choice(TITLES), bold, centered=True)
    y += 60
    name = rng.choice(NAMES)
    fields = [
        f"Họ, chữ đệm, tên người yêu cầu: {name}",
        f"Ngày, tháng, năm sinh: {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2005)}",
        f"Nơi cư trú: số {rng.randint(1, 199)}, thôn {rng.randint(1, 12)}, {rng.choice(PLACES)}",
        f"Số định danh cá nhân: 0{rng.randint(10, 99)}{rng.randint(100000000, 999999999)}",
        f"Số điện thoại: 09{rng.randint(10000000, 99999999)}",
        f"Quan hệ với người được cấp giấy: {rng.choice(['bản thân', 'cha', 'mẹ', 'con', 'người giám hộ'])}",
    ]
    for line in fields:
        put(line, body)
    y += 40
    for paragraph in rng.sample(PARAGRAPHS, len(PARAGRAPHS)):
        put(paragraph, body)
        y += 30
    put(f"Làm tại {rng.choice(PLACES)}, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm 2026", body)
    y += 40
    # Fine print, as at the foot of real forms: the hardest text to keep legible.
    for note in NOTES:
        put(note, small, gap=14)
    return page, "\n".join(truth)


@dataclass
class Row:
    """One page's figures."""

    page: int
    photo_size: tuple[int, int]
    original_bytes: int
    uploaded_bytes: int
    width: int
    height: int
    jpeg_quality: float
    ms: float
    via: str
    flags: str
    accuracy_original: float
    accuracy_compressed: float
    metadata_stripped: bool

    @property
    def ratio(self) -> float:
        """Compressed accuracy as a share of the original's."""
        return self.accuracy_compressed / self.accuracy_original if self.accuracy_original else 0.0


def perspective_coefficients(source: list[tuple[float, float]], target: list[tuple[float, float]]) -> list[float]:
    """Pillow PERSPECTIVE data mapping each `target` (output) corner back to its `source` (input) corner."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([u, v, 1, 0, 0, 0, -x * u, -x * v])
        rows.append([0, 0, 0, u, v, 1, -y * u, -y * v])
        rhs.extend([x, y])
    return solve(rows, rhs)


def solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8x8: no need for numpy)."""
    size = len(rhs)
    grid = [row[:] + [value] for row, value in zip(matrix, rhs, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(grid[r][col]))
        grid[col], grid[pivot] = grid[pivot], grid[col]
        for r in range(size):
            if r != col:
                factor = grid[r][col] / grid[col][col]
                grid[r] = [a - factor * b for a, b in zip(grid[r], grid[col], strict=True)]
    return [grid[r][size] / grid[r][r] for r in range(size)]


def smooth_field(size: tuple[int, int], values: list[list[float]]) -> Image.Image:
    """An 'L' image of `size` interpolated smoothly from a small grid of 0-255 values."""
    small = Image.new("L", (len(values[0]), len(values)))
    small.putdata([max(0, min(255, round(v))) for row in values for v in row])
    return small.resize(size, Image.Resampling.BICUBIC)


def photograph(page: Image.Image, seed: int) -> tuple[bytes, tuple[int, int]]:
    """A phone-camera JPEG of `page` lying on a desk; every other one is stored sideways + EXIF rotation."""
    rng = random.Random(seed)
    width, height = 3000, 4000
    # Keystone from a tilted phone, plus a little rotation: Tesseract itself fails on pages skewed
    # by more than a degree or two, which would measure Tesseract rather than the upload.
    jitter = lambda: rng.uniform(-35, 35)  # noqa: E731
    keystone = rng.uniform(40, 160)
    corners = [
        (240 + keystone + jitter(), 260 + jitter()),
        (2760 - keystone + jitter(), 260 + jitter()),
        (2800 + jitter(), 3740 + jitter()),
        (200 + jitter(), 3740 + jitter()),
    ]
    page_corners = [(0, 0), (page.width, 0), (page.width, page.height), (0, page.height)]
    coefficients = perspective_coefficients(page_corners, corners)
    warped = page.transform((width, height), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).transform(
        (width, height), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
    )

    desk_tone = [[rng.uniform(0.8, 1.1) for _ in range(8)] for _ in range(6)]
    desk = Image.merge(
        "RGB", [smooth_field((width, height), [[c * t for t in row] for row in desk_tone]) for c in (128, 96, 66)]
    )
    shot = Image.composite(warped, desk, mask)

    # Light from one side, falling off towards the corners: a lamp or a window.
    light_x, light_y = rng.uniform(0, 1), rng.uniform(0, 0.5)
    falloff = rng.uniform(0.3, 0.55)
    grid = [
        [255 * (1.0 - falloff * ((x / 15 - light_x) ** 2 + (y / 20 - light_y) ** 2) ** 0.5) for x in range(16)]
        for y in range(21)
    ]
    light = smooth_field((width, height), grid)
    warm = Image.new("RGB", (width, height), (255, 246, 228))
    shot = ImageChops.multiply(ImageChops.multiply(shot, Image.merge("RGB", (light, light, light))), warm)

    shot = shot.filter(ImageFilter.GaussianBlur(rng.uniform(0.9, 1.6)))  # focus and hand shake
    sigma = rng.uniform(5, 9)
    noise = Image.merge("RGB", [Image.effect_noise((width, height), sigma) for _ in range(3)])
    shot = ImageChops.add(shot, noise, 1.0, -128)

    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "BenchPhone", "BP-12"
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 42.5), 3: "E", 4: (105.0, 51.0, 12.3)}  # GPS: must not leave the phone
    if seed % 2:
        shot = shot.transpose(Image.Transpose.ROTATE_90)  # sensor-native landscape ...
        exif[0x0112] = 6  # ... shown upright by rotating 90 degrees clockwise
    out = io.BytesIO()
    shot.save(out, "JPEG", quality=JPEG_QUALITY, exif=exif.tobytes())
    return out.getvalue(), shot.size


def levenshtein(a: str, b: str) -> int:
    """Edit distance by Hyyrö's bit-parallel algorithm: Python's big ints make it one pass over `b`."""
    if not a:
        return len(b)
    full = (1 << len(a)) - 1
    last = 1 << (len(a) - 1)
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    plus, minus, score = full, 0, len(a)
    for char in b:
        eq = masks.get(char, 0)
        xv = eq | minus
        xh = ((((eq & plus) + plus) & full) ^ plus) | eq
        hp = (minus | ~(xh | plus)) & full
        hm = plus & xh
        if hp & last:
            score += 1
        elif hm & last:
            score -= 1
        hp = ((hp << 1) | 1) & full
        hm = (hm << 1) & full
        plus = (hm | ~(xv | hp)) & full
        minus = hp & xv
    return score


def normalized(text: str) -> str:
    """NFC with every run of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def accuracy(truth: str, ocr: str) -> float:
    """Character accuracy: 1 - edit distance / length of the truth, never below 0."""
    truth, ocr = normalized(truth), normalized(ocr)
    return max(0.0, 1.0 - levenshtein(truth, ocr) / len(truth))


def ocr(path: Path) -> str:
    """Tesseract's Vietnamese reading of an image file."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # the pool below parallelises across pages instead
    done = subprocess.run(
        ["tesseract", str(path), "-", "-l", "vie", *TESSERACT_LAYOUT],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout


class BenchHandler(SimpleHTTPRequestHandler):
    """Serves pwa/ plus the harness under /__bench__/, every answer with the app's CSP."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        extra = {"/__bench__/": (HARNESS_HTML, "text/html"), "/__bench__/run.js": (HARNESS_JS, "text/javascript")}
        if self.path in extra:
            body, kind = extra[self.path]
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


def serve_pwa() -> tuple[ThreadingHTTPServer, str]:
    """A static server for pwa/ on a free loopback port, running in a thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(BenchHandler, directory=str(ROOT / "pwa")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def run_browser(base_url: str, photos: list[Path], out_dir: Path) -> list[dict]:
    """processPhoto on every photo in headless Chromium; writes each upload next to its photo."""
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{base_url}/__bench__/")
        page.wait_for_function("window.benchReady === true")
        for photo in photos:
            page.set_input_files("#file", str(photo))
            result = page.evaluate("([edge, bytes]) => window.benchRun(edge, bytes)", [MAX_EDGE, TARGET_BYTES])
            upload = out_dir / f"{photo.stem}-upload.jpg"
            upload.write_bytes(base64.b64decode(result.pop("data")))
            results.append({**result, "path": upload})
        browser.close()
    return results


def upright_copy(photo: Path) -> Path:
    """The photo as the phone shows it (EXIF rotation applied), losslessly, for Tesseract (which ignores EXIF)."""
    with Image.open(photo) as image:
        if image.getexif().get(0x0112, 1) == 1:
            return photo
        target = photo.with_name(f"{photo.stem}-upright.png")
        ImageOps.exif_transpose(image).save(target, compress_level=1)
        return target


def has_metadata(path: Path) -> bool:
    """True when the JPEG still carries EXIF (GPS, camera, time)."""
    with Image.open(path) as image:
        return bool(image.getexif()) or b"Exif\x00\x00" in path.read_bytes()[:65536]


def main() -> int:
    """Generate, process, OCR and print the table; 0 even when a goal is missed (it is a bench, not a test)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="how many pages to generate (default 6)")
    parser.add_argument("--keep", type=Path, help="keep the generated photos and uploads in this folder")
    args = parser.parse_args()
    if not shutil.which("tesseract") or "vie" not in tesseract_languages():
        print("Tesseract with Vietnamese is missing: apt-get install tesseract-ocr tesseract-ocr-vie", file=sys.stderr)
        return 2

    work = args.keep or Path(tempfile.mkdtemp(prefix="motcua-photo-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"Generating {args.pages} photos in {work} ...", flush=True)
        truths, photos, sizes = [], [], []
        for number in range(1, args.pages + 1):
            page, truth = draw_page(number)
            data, size = photograph(page, number)
            photo = work / f"page{number}.jpg"
            photo.write_bytes(data)
            truths.append(truth)
            photos.append(photo)
            sizes.append(size)

        server, base_url = serve_pwa()
        try:
            print("Processing in Chromium ...", flush=True)
            results = run_browser(base_url, photos, work)
        finally:
            server.shutdown()

        print("OCR ...", flush=True)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            originals = list(pool.map(lambda p: ocr(upright_copy(p)), photos))
            compressed = list(pool.map(lambda r: ocr(r["path"]), results))

        rows = [
            table_row(i, photos[i], sizes[i], results[i], truths[i], originals[i], compressed[i])
            for i in range(len(photos))
        ]
        print_table(rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def tesseract_languages() -> list[str]:
    """Languages the installed Tesseract can read."""
    done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    return done.stdout.split()


def table_row(
    index: int, photo: Path, size: tuple[int, int], result: dict, truth: str, ocr_original: str, ocr_compressed: str
) -> Row:
    """Collect one page's figures."""
    quality = result.get("quality") or {}
    flags = ",".join(name for name in ("dark", "blurry") if quality.get(name)) or "ok"
    flags += f" b{quality.get('brightness', 0):.0f}/s{quality.get('sharpness', 0):.0f}"
    return Row(
        page=index + 1,
        photo_size=size,
        original_bytes=photo.stat().st_size,
        uploaded_bytes=result["bytes"],
        width=result.get("width", 0),
        height=result.get("height", 0),
        jpeg_quality=result.get("jpegQuality", 0),
        ms=result["ms"],
        via=result.get("via", "passthrough"),
        flags=flags,
        accuracy_original=accuracy(truth, ocr_original),
        accuracy_compressed=accuracy(truth, ocr_compressed),
        metadata_stripped=not has_metadata(result["path"]),
    )


def print_table(rows: list[Row]) -> None:
    """The per-page table, the summary line and the verdict on both goals."""
    print()
    print(
        f"{'page':>4} {'photo':>9} {'orig B':>9} {'upload B':>9} {'upload px':>10} {'q':>5} {'ms':>6} "
        f"{'via':>6} {'acc orig':>8} {'acc comp':>8} {'ratio':>6}  exif  check (brightness/sharpness)"
    )
    for row in rows:
        print(
            f"{row.page:>4} {row.photo_size[0]:>4}x{row.photo_size[1]:<4} {row.original_bytes:>9,} "
            f"{row.uploaded_bytes:>9,} {row.width:>4}x{row.height:<5} {row.jpeg_quality:>5.2f} {row.ms:>6.0f} "
            f"{row.via:>6} {row.accuracy_original:>8.2%} {row.accuracy_compressed:>8.2%} {row.ratio:>6.1%}  "
            f"{'gone' if row.metadata_stripped else 'KEPT'}  {row.flags}"
        )
    sizes = [row.uploaded_bytes for row in rows]
    min_ratio = min(row.ratio for row in rows)
    print(
        f"\nuploads: median {statistics.median(sizes):,.0f} B, max {max(sizes):,} B; "
        f"min accuracy ratio {min_ratio:.1%}; median browser time {statistics.median(r.ms for r in rows):.0f} ms"
    )
    bytes_ok = max(sizes) <= TARGET_BYTES
    ratio_ok = min_ratio >= MIN_RATIO
    print(
        f"goal <= {TARGET_BYTES:,} B per page: {'met' if bytes_ok else 'MISSED'}; "
        f"goal >= {MIN_RATIO:.0%} of the original's OCR accuracy: {'met' if ratio_ok else 'MISSED'}; "
        f"EXIF stripped: {'yes' if all(r.metadata_stripped for r in rows) else 'NO'}; "
        f"worker used: {'yes' if all(r.via == 'worker' for r in rows) else 'NO'}"
    )


if __name__ == "__main__":
    sys.exit(main())
