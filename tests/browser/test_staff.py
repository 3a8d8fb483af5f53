"""Reviewers decide cases and maintain posts; admins create staff accounts."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from common import clock
from tests import factories
from tests.browser.steps import apply, audit, register, sign_in, unique
from tests.e2e.conftest import DEMO_PASSWORD


def test_reviewer_approves_and_rejects_after_confirming(browser, anon):
    first, second = register(anon), register(anon)
    approved, rejected = apply(first), apply(second)
    b = browser()
    page = sign_in(b, "demo_reviewer", DEMO_PASSWORD, then="review")
    expect(page.get_by_role("heading", name="申请审核")).to_be_visible()
    audit(page)
    page.get_by_role("link", name=f"审核 {approved['case_number']}").click()
    expect(page.get_by_role("heading", name="审核办件")).to_be_visible()
    audit(page)
    page.get_by_label("审核意见（选填）").fill("材料齐全，符合条件")
    page.get_by_role("button", name="通过", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(approved["case_number"])
    dialog.get_by_role("button", name="取消").click()
    expect(page.locator(".facts .status")).to_have_text("未审核")
    page.get_by_role("button", name="通过", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="确认通过").click()
    expect(page.get_by_role("status").filter(has_text="已审核通过")).to_be_visible()
    expect(page.locator(".facts .status")).to_have_text("审核通过")
    expect(page.get_by_text("材料齐全，符合条件").first).to_be_visible()

    b.go("review?status=pending")
    page.get_by_role("link", name=f"审核 {rejected['case_number']}").click()
    reject = page.locator("form", has=page.get_by_role("heading", name="审核不通过"))
    reject.get_by_role("button", name="不通过", exact=True).click()
    expect(reject.locator("[data-field='reason'] .field-error")).to_have_text("请填写不通过原因")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_label("不通过原因").fill("毕业证书照片不清晰")
    page.get_by_role("button", name="不通过", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="确认不通过").click()
    expect(page.locator(".facts .status")).to_have_text("审核不通过")
    expect(page.get_by_text("毕业证书照片不清晰").first).to_be_visible()


def test_reviewer_creates_edits_and_closes_a_post(browser):
    title = unique("会计见习")
    b = browser()
    page = sign_in(b, "demo_reviewer", DEMO_PASSWORD, then="manage")
    expect(page.get_by_role("heading", name="见习岗位管理")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="发布新岗位").click()
    audit(page)
    form = page.locator("form.form")
    form.locator("[name=title]").fill(title)
    form.locator("[name=employer_name]").fill("太原晋阳会计服务有限公司")
    form.locator("[name=employer_credit_code]").fill("91140100ABCDEFGHJ0")
    form.locator("[name=employer_name]").focus()
    expect(page.locator("[data-field='employer_credit_code'] .field-error")).to_have_text(re.compile("校验位"))
    form.locator("[name=employer_credit_code]").fill(factories.credit_code())
    form.locator("[name=city_code]").select_option(label="太原市")
    form.locator("[name=county_code]").select_option(label="小店区")
    form.locator("[name=industry]").select_option("租赁和商务服务业")
    form.locator("[name=headcount]").fill("2")
    form.locator("[name=education_requirement]").select_option("不限")
    form.locator("[name=duration_months]").fill("6")
    form.locator("[name=monthly_subsidy]").fill("1800")
    form.locator("[name=address]").fill("太原市小店区长风街1号")
    form.locator("[name=contact_name]").fill("王伟")
    form.locator("[name=contact_phone]").fill("0351-5551234")
    form.locator("[name=description]").fill("现金收付、票据整理与日常账务协助。")
    deadline = clock.today() + timedelta(days=40)
    picker = form.locator("[data-field='deadline'] select")
    picker.nth(0).select_option(str(deadline.year))
    picker.nth(1).select_option(f"{deadline.month:02d}")
    picker.nth(2).select_option(f"{deadline.day:02d}")
    form.get_by_role("button", name="发布岗位").click()
    expect(page.get_by_role("status").filter(has_text="岗位已发布")).to_be_visible()

    page.locator("[name=q]").fill(title)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name=f"修改 {title}").click()
    expect(page.locator("[name=title]")).to_have_value(title)
    page.locator("[name=monthly_subsidy]").fill("2000")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_role("status").filter(has_text="岗位已修改")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)

    page.get_by_role("button", name=f"关闭 {title}").click()
    page.get_by_role("dialog").get_by_role("button", name="确定关闭").click()
    expect(page.get_by_role("status").filter(has_text="岗位已关闭")).to_be_visible()
    expect(page.locator("tbody tr .status")).to_have_text("已结束")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_text("2000 元")).to_be_visible()


def test_admin_creates_a_staff_account(browser, anon):
    username = unique("staff_")
    b = browser()
    page = sign_in(b, "demo_admin", DEMO_PASSWORD, then="admin")
    expect(page.get_by_role("heading", name="工作人员账号", exact=True)).to_be_visible()
    audit(page)
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill("short")
    page.locator("[name=real_name]").focus()
    expect(page.locator("[data-field='password'] .field-error")).to_have_text("密码长度应为8到128个字符")
    page.locator("[name=password]").fill(DEMO_PASSWORD)
    page.locator("[name=real_name]").fill("赵审核")
    page.locator("[name=city]").select_option(label="太原市")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_role("status").filter(has_text="账号已创建")).to_be_visible()
    expect(page.locator("tbody tr", has_text=username)).to_contain_text("太原市 市本级")
    staff = anon.login(username, DEMO_PASSWORD)
    assert staff.get("/api/v1/me").json()["roles"] == ["reviewer"]
