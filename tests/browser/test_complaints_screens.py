"""The complaint loop ("phản ánh, kiến nghị") on 360 px phones: the inbox reminds once to rate a settled
application, the citizen rates it, files a complaint about it with a photo and gets the receipt; the commune's
officer answers with a PDF; the citizen reopens it once; late and unanswered, the sweep escalates it to the
commune's supervisor, who answers; the citizen accepts. A second test files a complaint to a commune from the
general entry, through the commune picker.

Time is moved the way test_feedback_screens moves it: the complaint's due moment is set in the past in the
stack's emulated table. The escalation sweep (functions.status.complaints.escalate_due) runs in a child
process bound to the same emulator, as the local notifier runs it every minute; while the overdue mark is
checked, the complaint is kept out of the sweep's index so the notifier cannot escalate it early.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from playwright.sync_api import Browser, Page, expect
from pynamodb.attributes import UTCDateTimeAttribute

from tests.browser.test_citizen_status import submit_by_api
from tests.browser.test_feedback_screens import officer_page  # noqa: F401 (a module fixture used below)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
STATUS = "/api/status/applications"
FEEDBACK = "/api/status/feedback"
REGION = "ap-southeast-1"
COMPLAINTS_TABLE = "motcua-local-complaints"
COMMUNE = "13075"
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
TIMEOUT_MS = 30_000
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
COMPLAINT = "Tôi chờ đã lâu mà chưa ai gọi điện hẹn ngày nhận kết quả."
ANSWER = "Xã đã gọi lại cho bạn và hẹn nhận kết quả vào thứ Hai."
REASON = "Chưa ai gọi cho tôi cả."
FINAL = "Lãnh đạo xã đã kiểm tra và sẽ trả kết quả tận nhà."
DAY = re.compile(r"Hạn trả lời: \d{2}/\d{2}/\d{4}")


def table():  # noqa: ANN201
    return boto3.client("dynamodb", endpoint_url=EMULATOR["url"], region_name=REGION,
                        aws_access_key_id="local", aws_secret_access_key="local")


EMULATOR: dict[str, str] = {}


def make_overdue(code: str, *, sweepable: bool) -> None:
    """Move the complaint's due moment to yesterday; unless `sweepable`, keep it out of the sweep's index."""
    due_at = datetime.now(UTC) - timedelta(days=1)
    values = {":at": {"S": UTCDateTimeAttribute().serialize(due_at)}, ":day": {"S": due_at.date().isoformat()}}
    update = "SET due_at = :at, due_date = :day"
    if sweepable:
        update += ", waiting = :waiting"
        values[":waiting"] = {"S": "waiting"}
    else:
        update += " REMOVE waiting"
    table().update_item(TableName=COMPLAINTS_TABLE, Key={"complaint_id": {"S": code}}, UpdateExpression=update,
                        ExpressionAttributeValues=values)


def in_stack(script: str) -> str:
    """Run `script` in a child process bound to the stack's emulated AWS (as the local notifier is)."""
    env = {"AWS_ENDPOINT_URL": EMULATOR["url"], "MOTCUA_STAGE": "local", "AWS_ACCESS_KEY_ID": "local",
           "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": REGION, "PATH": "/usr/bin:/bin"}
    prelude = ("from functions.core import config, models\n"
               "from functions.core.adapters.clock import SystemClock\n"
               "cfg = config.load()\nmodels.bind(cfg)\nnow = SystemClock().now()\n")
    done = subprocess.run([sys.executable, "-c", prelude + script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module", autouse=True)
def emulator(emulator_url: str) -> None:
    EMULATOR["url"] = emulator_url


@pytest.fixture(scope="module")
def supervisor_page(browser: Browser, stack_url: str, sms_codes: Callable[[str], list[str]],
                    latest_code: Callable[..., str], api: Callable[..., dict]) -> Iterator[Page]:
    """A new supervisor of commune 13075 (made as `flask create-supervisor` does), signed in on a third phone."""
    digits = f"{random.randrange(10_000_000):07d}"
    phone = f"+8493{digits[:-2]}{random.randrange(10, 98)}"
    in_stack(f"from functions.account import users\nusers.upsert_staff({phone!r}, 'supervisor', [{COMMUNE!r}], now)")
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.goto(f"{stack_url}/")
    sent = api(page, "POST", "/api/account/otp", {"phone": phone})
    assert sent["status"] == 202, sent
    verified = api(page, "POST", "/api/account/otp/verify", {"phone": phone, "code": latest_code(phone, 1)})
    assert verified["status"] == 200 and verified["body"]["role"] == "supervisor", verified
    yield page
    ctx.close()


def settled_application(page: Page, api: Callable[..., dict]) -> str:
    """A citizen's application, withdrawn (so it is settled and may be rated)."""
    code = submit_by_api(page, api)["code"]
    version = api(page, "GET", f"{STATUS}/{code}")["body"]["version"]
    withdrawn = api(page, "POST", f"{STATUS}/{code}/actions", {"action": "withdraw", "version": version})
    assert withdrawn["status"] == 200, withdrawn
    return code


def rate_from_the_inbox_once(page: Page, stack_url: str, code: str) -> None:
    """The inbox shows one reminder to rate; it leads to the rating card; the next visit shows none."""
    page.goto(f"{stack_url}/inbox")
    reminder = page.locator(f'.inbox__reminder[data-code="{code}"]')
    expect(reminder).to_contain_text(f"Mời bạn đánh giá hồ sơ {code}")
    expect(page.locator(".inbox__reminder")).to_have_count(1)
    reminder.click()
    card = page.locator(".case-rate")
    card.get_by_label("Bình thường", exact=True).check()
    card.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".case-rate__level")).to_have_text("Bạn đã chọn: Bình thường")
    page.goto(f"{stack_url}/inbox")
    expect(page.locator(".inbox__item").first).to_be_visible()
    expect(page.locator(".inbox__reminder")).to_have_count(0)


def file_with_a_photo(page: Page, stack_url: str, application: str, document_page: Path,
                      fits: Callable[[Page], None]) -> str:
    """From the application's screen: text (with its counter), a category, one photo; returns the receipt code."""
    page.goto(f"{stack_url}/application?code={application}")
    page.get_by_role("link", name="Gửi phản ánh, kiến nghị về hồ sơ này").click()
    expect(page.get_by_text("Bước 1/3")).to_be_visible()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator('[data-field="text"] .field__error')).to_have_text("Vui lòng viết nội dung phản ánh.")
    page.get_by_label("Nội dung phản ánh").fill(COMPLAINT)
    expect(page.locator(".complaint-counter")).to_have_text(f"{len(COMPLAINT)}/2000 ký tự")
    fits(page)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Bước 2/3")).to_be_visible()
    page.get_by_label("Chậm trễ").check()
    fits(page)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Bước 3/3")).to_be_visible()
    page.locator('.slot input[type="file"][multiple]').set_input_files(document_page)
    expect(page.locator('.page[data-upload="done"]')).to_have_count(1)
    fits(page)
    page.get_by_role("button", name="Gửi phản ánh").click()
    expect(page.get_by_role("heading", name="Đã gửi phản ánh")).to_be_visible()
    expect(page.locator(".complaint-receipt__due")).to_have_text(DAY)
    fits(page)
    code = page.locator(".complaint-receipt__code").inner_text()
    assert re.fullmatch(r"PA-\d{4}-[0-9A-Z]+", code), code
    return code


def test_the_whole_loop_rate_complain_answer_reopen_escalate_answer_accept(
    page: Page, officer_page: Page, supervisor_page: Page,  # noqa: F811
    stack_url: str, citizen: Callable[[Page], object], api: Callable[..., dict], document_page: Path,
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    fits = assert_fits_small_screen
    citizen(page)
    application = settled_application(page, api)
    rate_from_the_inbox_once(page, stack_url, application)
    code = file_with_a_photo(page, stack_url, application, document_page, fits)
    filed = api(page, "GET", f"{FEEDBACK}/{code}")["body"]
    assert (filed["application_code"], filed["category"], len(filed["photos"])) == (application, "delay", 1), filed

    # The commune's officer: the console's "Phản ánh" queue, the complaint, the answer with a PDF.
    officer = officer_page
    officer.goto(f"{stack_url}/officer")
    # The console's link (the home screen, hidden here, has one of the same name).
    officer.locator("#screen").get_by_role("link", name="Phản ánh, kiến nghị").click()
    row = officer.locator(f'.complaint-card[data-code="{code}"]')
    expect(row).to_contain_text(COMPLAINT)
    fits(officer)
    row.click()
    form = officer.locator('form[data-form="answer"]')
    form.get_by_role("button", name="Gửi trả lời").click()
    expect(form.locator('[data-field="text"] .field__error')).to_have_text("Vui lòng viết nội dung trả lời.")
    form.get_by_label("Nội dung trả lời").fill(ANSWER)
    form.get_by_label("Văn bản trả lời (PDF, không bắt buộc)").set_input_files(
        {"name": "tra-loi.pdf", "mimeType": "application/pdf", "buffer": PDF})
    fits(officer)
    form.get_by_role("button", name="Gửi trả lời").click()
    expect(officer.get_by_text("Đã gửi trả lời cho người dân.")).to_be_visible()
    expect(officer.locator(".complaint-answer")).to_contain_text(ANSWER)

    # The citizen reads the answer and its PDF, and sends it back once with a reason.
    page.goto(f"{stack_url}/feedback?code={code}")
    expect(page.locator(".complaint-state__name")).to_have_text("Đã có trả lời")
    expect(page.locator(".complaint-answer")).to_contain_text(ANSWER)
    expect(page.get_by_role("link", name="Xem văn bản trả lời (PDF)")).to_be_visible()
    fits(page)
    page.get_by_role("button", name="Chưa đồng ý — gửi lại").click()
    page.get_by_role("button", name="Gửi lại phản ánh").click()
    expect(page.locator('[data-field="reason"] .field__error')).to_have_text("Vui lòng ghi lý do.")
    page.get_by_label("Vì sao bạn chưa đồng ý?").fill(REASON)
    page.get_by_role("button", name="Gửi lại phản ánh").click()
    expect(page.get_by_text("Đã gửi lại. Cơ quan sẽ trả lời trước hạn mới.")).to_be_visible()
    expect(page.locator(".complaint-state__name")).to_have_text("Đang xem xét lại")
    expect(page.locator('.timeline__item[data-kind="feedback_reopened"]')).to_contain_text(REASON)

    # Past its due date: marked in the officer's queue, then the sweep passes it up to the supervisor.
    make_overdue(code, sweepable=False)
    officer.goto(f"{stack_url}/officer/feedback")
    late = officer.locator(f'.complaint-card[data-code="{code}"]')
    expect(late.locator(".complaint-card__overdue")).to_have_text("Quá hạn")
    expect(officer.locator(".complaint-card").first).to_have_attribute("data-overdue", "true")
    make_overdue(code, sweepable=True)
    in_stack("from functions.status.complaints import escalate_due\nprint(escalate_due(cfg, now))")
    level = api(page, "GET", f"{FEEDBACK}/{code}")["body"]["level"]
    assert level == "supervisor", level

    page.reload()
    escalated = page.locator('.timeline__item[data-kind="feedback_escalated"]')
    expect(escalated).to_contain_text("Quá hạn: chuyển lên Lãnh đạo UBND xã, phường")
    expect(escalated.locator(".timeline__detail")).to_have_text(re.compile(r"Hạn trả lời mới: \d{2}/\d{2}/\d{4}"))
    expect(page.locator(".complaint-state__level")).to_have_text("Người xử lý: Lãnh đạo UBND xã, phường")
    officer.goto(f"{stack_url}/officer/feedback/item?code={code}")
    expect(officer.get_by_text("Phản ánh này không chờ bạn trả lời.")).to_be_visible()

    # The supervisor's console: only complaints; it answers.
    boss = supervisor_page
    boss.goto(f"{stack_url}/")
    boss.get_by_role("link", name="Tài khoản").click()
    expect(boss).to_have_url(f"{stack_url}/officer")
    boss.locator("#screen").get_by_role("link", name="Phản ánh, kiến nghị").click()
    expect(boss.locator(".complaint-queue__level")).to_have_text("Cấp của bạn: Lãnh đạo UBND xã, phường")
    boss.locator(f'.complaint-card[data-code="{code}"]').click()
    boss.get_by_label("Nội dung trả lời").fill(FINAL)
    fits(boss)
    boss.get_by_role("button", name="Gửi trả lời").click()
    expect(boss.get_by_text("Đã gửi trả lời cho người dân.")).to_be_visible()

    # The citizen accepts; sending it back again is no longer offered.
    page.reload()
    expect(page.locator(".complaint-answer")).to_contain_text(FINAL)
    expect(page.get_by_role("button", name="Chưa đồng ý — gửi lại")).to_have_count(0)
    page.get_by_role("button", name="Đồng ý với trả lời").click()
    expect(page.get_by_text("Cảm ơn bạn. Phản ánh đã kết thúc.")).to_be_visible()
    expect(page.locator(".complaint-state__name")).to_have_text("Đã đồng ý, kết thúc")
    kinds = [e.get_attribute("data-kind") for e in page.locator(".timeline__item").all()]
    assert kinds == ["feedback_filed", "feedback_answered", "feedback_reopened", "feedback_escalated",
                     "feedback_answered", "feedback_accepted"], kinds
    fits(page)
    page.goto(f"{stack_url}/feedback/mine")
    expect(page.locator(f'.complaint-card[data-code="{code}"]')).to_contain_text("Đã đồng ý, kết thúc")


def test_a_complaint_to_a_commune_from_the_general_entry_in_english_too(
    page: Page, stack_url: str, citizen: Callable[[Page], object], api: Callable[..., dict],
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    citizen(page)
    page.goto(f"{stack_url}/")
    page.locator("#home-view").get_by_role("link", name="Phản ánh, kiến nghị").click()
    expect(page.get_by_text("Bạn chưa gửi phản ánh nào.")).to_be_visible()
    page.get_by_role("link", name="Gửi phản ánh mới").click()
    expect(page.get_by_text("Bước 1/4")).to_be_visible()
    # The profile's commune is offered first; another can be searched.
    expect(page.get_by_label("Xã/phường")).to_have_value(re.compile("Kiến Xương"))
    assert_fits_small_screen(page)
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Nội dung phản ánh").fill("Nhà vệ sinh ở bộ phận một cửa bị hỏng.")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("button", name="Gửi phản ánh").click()
    expect(page.locator(".complaint-receipt__due")).to_have_text(DAY)
    code = page.locator(".complaint-receipt__code").inner_text()
    saved = api(page, "GET", f"{FEEDBACK}/{code}")["body"]
    assert (saved["commune_code"], saved["application_code"], saved["category"], saved["photos"]) == (
        COMMUNE, None, None, []), saved

    page.get_by_role("link", name="Xem phản ánh").click()
    expect(page.locator(".complaint-state__name")).to_have_text("Đang chờ trả lời")
    page.get_by_role("button", name="English").click()
    expect(page.locator(".complaint-state__name")).to_have_text("Waiting for an answer")
    expect(page.locator(".complaint-due")).to_have_text(re.compile(r"Answer due by: \d{2}/\d{2}/\d{4}"))
    assert_fits_small_screen(page)
