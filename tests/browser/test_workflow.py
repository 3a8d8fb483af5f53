"""退回补正 → 消息提醒 → 修改后重新提交 → 审核通过, and 打印申请表."""

import re

from playwright.sync_api import expect

from tests.browser.steps import apply, audit, register, sign_in
from tests.e2e.conftest import DEMO_PASSWORD


def test_return_notification_resubmit_approve(browser, anon):
    person = register(anon)
    case = apply(person)
    staff = browser()
    review = sign_in(staff, "demo_reviewer", DEMO_PASSWORD, then="review")
    review.get_by_label("办件编号或姓名").fill(case["case_number"])
    review.get_by_role("button", name="查询").click()
    expect(review.locator("tbody tr")).to_have_count(1)
    review.get_by_role("link", name=f"审核 {case['case_number']}").click()
    returned = review.locator("form", has=review.get_by_role("heading", name="退回补正"))
    returned.get_by_label("退回原因").fill("毕业证书照片不清晰")
    returned.get_by_label("需补正的事项（选填，每行一项）").fill("重新上传毕业证书\n补充所学专业全称")
    returned.get_by_role("button", name="退回补正").click()
    review.get_by_role("dialog").get_by_role("button", name="确认退回").click()
    expect(review.get_by_role("status").filter(has_text="已退回补正")).to_be_visible()
    expect(review.locator(".facts .status")).to_have_text("退回补正")

    b = browser()
    page = sign_in(b, person.person["username"], person.person["password"], then="me")
    bell = page.locator("header a.bell")
    expect(bell).to_have_attribute("aria-label", "消息，1 条未读")
    bell.click()
    message = page.locator(".messages li").first
    expect(message).to_contain_text(case["case_number"])
    expect(message).to_contain_text("毕业证书照片不清晰")
    expect(message).to_contain_text("重新上传毕业证书")
    audit(page)
    message.get_by_role("link", name=re.compile("查看办件")).click()
    expect(page.get_by_text("需补正的事项")).to_be_visible()
    expect(page.get_by_text("补充所学专业全称")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="修改后重新提交").click()
    form = page.locator("form.form")
    expect(form.locator("[name=school]")).to_have_value("山西大学")
    expect(page.locator(".slot.ok")).to_have_count(2)
    form.locator("[name=major]").fill("会计学（财务会计方向）")
    form.locator("[name=phone]").fill(person.person["phone"])
    page.get_by_label("本人承诺").check()
    audit(page)
    form.get_by_role("button", name="重新提交").click()
    expect(page.get_by_role("status").filter(has_text="已重新提交")).to_be_visible()
    expect(page.locator(".facts .status")).to_have_text("未审核")
    expect(page.get_by_text("会计学（财务会计方向）")).to_be_visible()

    staff.go(f"review/{case['application_id']}", review)
    review.get_by_role("button", name="通过", exact=True).click()
    review.get_by_role("dialog").get_by_role("button", name="确认通过").click()
    expect(review.locator(".facts .status")).to_have_text("审核通过")

    b.go("messages")
    expect(page.locator(".messages li")).to_have_count(2)
    expect(page.locator(".messages li").first).to_contain_text("审核通过")
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.get_by_role("status").filter(has_text="全部消息已标为已读")).to_be_visible()
    expect(page.locator("header a.bell")).to_have_attribute("aria-label", "消息，没有未读")


def test_print_the_application_form(browser, anon):
    person = register(anon)
    case = apply(person)
    b = browser()
    page = sign_in(b, person.person["username"], person.person["password"], then=f"cases%2F{case['application_id']}")
    with page.expect_response(re.compile(r"/form\.pdf$")) as answer:
        page.get_by_role("button", name="打印申请表").click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("application/pdf")
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("iframe")).to_be_attached()
    expect(dialog.get_by_role("link", name="下载")).to_have_attribute(
        "download", f"就业见习人员申请表-{case['case_number']}.pdf"
    )
    dialog.get_by_role("button", name="关闭").click()

    staff = browser()
    review = sign_in(staff, "demo_reviewer", DEMO_PASSWORD, then=f"review%2F{case['application_id']}")
    with review.expect_response(re.compile(r"/form\.pdf$")) as answer:
        review.get_by_role("button", name="打印申请表").click()
    assert answer.value.status == 200
