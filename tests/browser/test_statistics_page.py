"""The statistics page "/thong-ke" and the officer console's statistics screen, on the real local stack.

Counter cells are written straight into the stack's emulated `stats` table, in commune 11953 (Phường Phố
Hiến), where no other test files applications, so the figures are this module's own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser

VIETNAM = timezone(timedelta(hours=7))
REGION = "ap-southeast-1"
STATS_TABLE = "motcua-local-stats"
USERS_TABLE = "motcua-local-users"
COMMUNE, PROVINCE = "11953", "33"
STATS_CACHED_JS = """async () => {
  const cache = await caches.open('motcua-stats-v1');
  return (await cache.keys()).map((request) => new URL(request.url).search);
}"""


def dynamodb(emulator_url: str):  # noqa: ANN201
    return boto3.client("dynamodb", endpoint_url=emulator_url, region_name=REGION, aws_access_key_id="testing",
                        aws_secret_access_key="testing")  # noqa: S106 (the emulator's dummy keys)


@pytest.fixture(scope="module")
def month(emulator_url: str, stack_url: str) -> str:  # noqa: ARG001 (the stack must be up)
    """This month's cell of the commune: 10 received (8 online), 6 decided (5 on time), 6 payments, 5 ratings,
    3 complaints (2 answered on time)."""
    current = datetime.now(VIETNAM).strftime("%Y-%m")
    counts = {"received_online": 8, "received_counter": 2, "decided": 6, "on_time": 5, "late": 1, "fee_bearing": 6,
              "paid_online": 2, "paid_counter": 4, "rating_5": 4, "rating_3": 1, "decision_working_days": 18,
              "complaints_received": 3, "complaints_answered_on_time": 2}
    item = {"scope": {"S": f"province#{PROVINCE}"}, "cell": {"S": f"{current}#{COMMUNE}#certified-copy"},
            "province_code": {"S": PROVINCE}, "commune_code": {"S": COMMUNE}, "procedure_id": {"S": "certified-copy"},
            "month": {"S": current}, **{name: {"N": str(value)} for name, value in counts.items()}}
    dynamodb(emulator_url).put_item(TableName=STATS_TABLE, Item=item)
    return current


def test_the_public_page_draws_the_targets_at_360_px_and_works_offline_from_the_last_visit(
        page: Page, context: BrowserContext, stack_url: str, month: str,
        assert_fits_small_screen: Callable[[Page], None]) -> None:
    page.goto(f"{stack_url}/thong-ke?commune={COMMUNE}")
    expect(page.get_by_role("heading", name="Thống kê dịch vụ công")).to_be_visible()
    targets = page.locator(".stat-target")
    expect(targets).to_have_count(6)
    expect(page.locator('[data-rate="satisfied"] .stat-target__value')).to_have_text("80%")
    expect(page.locator('[data-rate="satisfied"]')).to_contain_text("Mục tiêu: trên 90%")
    expect(page.locator('[data-rate="paid_online"] .stat-target__value')).to_have_text("33,3%")
    expect(page.locator('[data-rate="fully_online"] .stat-target__value')).to_have_text("80%")
    expect(page.locator('[data-rate="on_time"] .stat-target__value')).to_have_text("83,3%")
    expect(page.locator('[data-rate="average_decision_days"] .stat-target__value')).to_have_text("3 ngày làm việc")
    expect(page.locator('[data-count="received"] dd')).to_have_text("10")
    expect(page.locator('[data-count="complaints_received"]')).to_contain_text("Phản ánh, kiến nghị đã nhận3")
    expect(page.locator('[data-count="complaints_answered_on_time"] dd')).to_have_text("2")
    rows = page.locator(".stat-table tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.last.locator("th")).to_have_text(month)
    expect(page.get_by_label("Xã/phường")).to_have_value(COMMUNE)
    # Each procedure's processing time, with the shorter online one where the catalog declares it.
    expect(page.locator('[data-procedure="marital-status-certificate"] dd')).to_have_text(
        "3 ngày làm việc tại quầy; 2 ngày nếu nộp trực tuyến")
    expect(page.locator('[data-procedure="certified-copy"] dd')).to_have_text("1 ngày làm việc")
    assert_fits_small_screen(page)

    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(targets).to_have_count(6)
    page.wait_for_function(f"({STATS_CACHED_JS})().then((keys) => keys.length === 1)")
    context.set_offline(True)
    page.reload()
    expect(page.locator(".stats-offline")).to_be_visible()
    expect(page.locator('[data-rate="satisfied"] .stat-target__value')).to_have_text("80%")
    expect(page.locator(".stat-table tbody tr")).to_have_count(12)


def test_an_officer_sees_the_charts_their_communes_work_and_the_csv_link(
        page: Page, stack_url: str, emulator_url: str, month: str,  # noqa: ARG001
        sign_in: Callable[..., None], new_phone) -> None:  # noqa: ANN001
    sign_in(page, new_phone)
    user_id = dynamodb(emulator_url).query(
        TableName=USERS_TABLE, IndexName="by_phone", KeyConditionExpression="phone = :p",
        ExpressionAttributeValues={":p": {"S": new_phone.e164}})["Items"][0]["user_id"]["S"]
    dynamodb(emulator_url).update_item(
        TableName=USERS_TABLE, Key={"user_id": {"S": user_id}}, UpdateExpression="SET #r = :r, communes = :c",
        ExpressionAttributeNames={"#r": "role"},
        ExpressionAttributeValues={":r": {"S": "officer"}, ":c": {"SS": [COMMUNE]}})
    page.goto(f"{stack_url}/officer")
    page.get_by_role("link", name="Thống kê").click()
    expect(page).to_have_url(f"{stack_url}/officer/thong-ke")
    expect(page.locator(".stat-table--work tbody tr")).to_have_count(1)
    expect(page.locator(".stat-table--work tbody th")).to_have_text("Phường Phố Hiến")
    expect(page.locator(".stat-target")).to_have_count(6)
    expect(page.locator('[data-count="received"] dd')).to_have_text("10")
    csv = page.get_by_role("link", name="Tải về tệp CSV")
    expect(csv).to_have_attribute("href", "/api/status/officer/statistics?format=csv")
    answer = page.evaluate("fetch('/api/status/officer/statistics?format=csv').then(async (r) => "
                           "[r.headers.get('content-type'), await r.text()])")
    assert answer[0] == "text/csv; charset=utf-8"
    assert "Phường Phố Hiến" in answer[1] and answer[1].lstrip("\ufeff").startswith("month,commune_code")
