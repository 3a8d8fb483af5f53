"""A person: register, sign in, apply with uploads, 未审核, withdraw with the dialog, apply again."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from common import clock
from common.validators import id_gender
from tests import factories
from tests.browser.steps import audit, files, sign_in


def fill_application(page, person, gender, image, document):
    form = page.locator("form")
    form.locator("[name=category]").select_option(label="离校2年内未就业高校毕业生")
    form.locator("[name=gender]").select_option(gender)
    form.locator("[name=education]").select_option("本科")
    form.locator("[name=school]").fill("山西大学")
    form.locator("[name=major]").fill("会计学")
    graduated = clock.today() - timedelta(days=200)
    picker = form.locator("[data-field='graduation_date'] select")
    picker.nth(0).select_option(str(graduated.year))
    picker.nth(1).select_option(f"{graduated.month:02d}")
    picker.nth(2).select_option(f"{graduated.day:02d}")
    form.locator("[name=household_address]").fill("山西省太原市小店区坞城路92号")
    form.locator("[name=current_address]").fill("山西省太原市小店区坞城路92号")
    form.locator("[name=phone]").fill(person["phone"])
    form.locator("[name=city]").select_option(label="太原市")
    form.locator("[name=county]").select_option(label="小店区")
    page.get_by_label("上传身份证").set_input_files(image)
    expect(page.locator(".slot.ok")).to_have_count(1)
    page.get_by_label("上传毕业证书").set_input_files(document)
    expect(page.locator(".slot.ok")).to_have_count(2)


def test_register_apply_withdraw_and_apply_again(browser):
    b = browser()
    person = factories.person(real_name="王小丽")
    page = b.go("register")
    audit(page)
    # Each field is judged as soon as it is left, with the server's own words.
    page.get_by_label("身份证号码").fill("14010519990101123")
    page.get_by_label("手机号码").focus()
    expect(page.locator("[data-field='id_number'] .field-error")).to_have_text(re.compile("身份证号码应为18位"))
    page.get_by_label("手机号码").fill("1380000")
    page.get_by_label("姓名").focus()
    expect(page.locator("[data-field='phone'] .field-error")).to_have_text("手机号码应为11位大陆手机号")
    for name in ("username", "password", "real_name", "id_number", "phone"):
        page.locator(f"[data-field='{name}'] input").fill(person[name])
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="个人中心")).to_be_visible()
    expect(page.locator("header .who")).to_contain_text("王小丽")
    expect(page.locator("header .who")).to_contain_text("申请人")
    audit(page)

    # Signed in in every tab of the browser; 退出 signs out everywhere.
    other = b.new_page()
    b.go("cases", other)
    expect(other.get_by_role("heading", name="我的办件")).to_be_visible()
    other.close()
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    page = sign_in(b, person["username"], person["password"], then="apply")
    expect(page.get_by_role("heading", name="就业见习人员申请")).to_be_visible()
    audit(page)

    # 失业登记证号 only for unemployed youth; 毕业院校 starred for graduates.
    unemployment = page.locator("[data-field='unemployment_registration_number']")
    expect(unemployment).to_be_hidden()
    page.locator("[name=category]").select_option("unemployed_youth")
    expect(unemployment).to_be_visible()
    expect(page.locator("[data-field='school'] .required")).to_be_hidden()
    page.locator("[name=category]").select_option("graduate")
    expect(unemployment).to_be_hidden()
    expect(page.locator("[data-field='school'] .required")).to_be_visible()

    # An empty form: a message at each field, in words a person uses.
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("[data-field='household_address'] .field-error")).to_have_text("请填写户籍地址")
    expect(page.locator("[data-field='jurisdiction.city_code'] .field-error")).to_have_text("请选择地市")
    expect(page.locator("[data-field='attachment_ids'] .field-error")).to_have_text("请上传身份证、毕业证书")
    expect(page.locator("[data-field='declaration_accepted'] .field-error")).to_have_text("请阅读并勾选承诺")

    image, document = files()
    wrong = "女" if id_gender(person["id_number"]) == "男" else "男"
    fill_application(page, person, wrong, image, document)
    # A file can be looked at and taken away again before submitting.
    page.get_by_role("button", name="预览 身份证").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("img")).to_be_visible()
    audit(page)
    dialog.get_by_role("button", name="关闭").click()
    page.get_by_role("button", name="删除 毕业证书").click()
    expect(page.locator(".slot.ok")).to_have_count(1)
    page.get_by_label("上传毕业证书").set_input_files(document)
    expect(page.locator(".slot.ok")).to_have_count(2)
    page.get_by_label("本人承诺").check()
    # The server's rule (gender against the ID number) lands next to its field.
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("[data-field='gender'] .field-error")).to_have_text("性别与身份证号码不符")
    page.locator("[name=gender]").select_option(id_gender(person["id_number"]))
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申报成功")).to_be_visible()
    case_number = page.locator(".success dd").first.inner_text()
    assert re.fullmatch(r"JX\d{14}", case_number)
    audit(page)

    # 个人中心 counts it under 未审核, and the form is not offered again meanwhile.
    b.go("me")
    expect(page.locator(".tiles li", has_text="未审核")).to_contain_text("1 件")
    page.get_by_role("link", name="未审核").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    b.go("apply")
    expect(page.get_by_text(f"您已有未审核的办件 {case_number}，不能重复申报。")).to_be_visible()
    expect(page.locator("form")).to_have_count(0)

    # 撤回 from the list row, after the dialog.
    b.go("cases")
    page.get_by_role("button", name=f"撤回 {case_number}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(case_number)
    audit(page)
    dialog.get_by_role("button", name="取消").click()
    expect(page.locator("tbody tr .status")).to_have_text("未审核")
    page.get_by_role("button", name=f"撤回 {case_number}").click()
    page.get_by_role("dialog").get_by_role("button", name="确定撤回").click()
    expect(page.get_by_role("status").filter(has_text="撤回成功")).to_be_visible()
    expect(page.locator("tbody tr .status")).to_have_text("已撤回")

    page.get_by_role("link", name=f"查看 {case_number}").click()
    expect(page.get_by_text("撤回时间")).to_be_visible()
    expect(page.get_by_text("审核时间")).to_have_count(0)
    audit(page)
    page.get_by_role("link", name="重新申请").click()
    fill_application(page, person, id_gender(person["id_number"]), image, document)
    page.get_by_label("本人承诺").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申报成功")).to_be_visible()
    assert page.locator(".success dd").first.inner_text() != case_number
