"""A case's attachments are previewed and downloaded through the gateway with the caller's
token, by the owner and by a reviewer."""

import re

from playwright.sync_api import expect

from tests.browser.steps import apply, audit, register, sign_in
from tests.e2e.conftest import DEMO_PASSWORD

CONTENT = re.compile(r"/api/v1/attachments/[^/]+/content$")


def test_owner_and_reviewer_preview_and_download_attachments(browser, anon):
    person = register(anon)
    case = apply(person)
    b = browser()
    page = sign_in(b, person.person["username"], person.person["password"], then=f"cases%2F{case['application_id']}")
    with page.expect_response(CONTENT) as answer:
        page.get_by_role("button", name="预览 id_card.png").click()
    assert answer.value.status == 200
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("img")).to_be_visible()
    audit(page)
    dialog.get_by_role("button", name="关闭").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 diploma.png").click()
    assert download.value.suggested_filename == "diploma.png"

    staff = browser()
    review = sign_in(staff, "demo_reviewer", DEMO_PASSWORD, then=f"review%2F{case['application_id']}")
    with review.expect_response(CONTENT) as answer:
        review.get_by_role("button", name="预览 diploma.png").click()
    assert answer.value.status == 200
    expect(review.get_by_role("dialog").locator("img")).to_be_visible()
