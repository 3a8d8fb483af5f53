"""Accounts and sessions: 退出 ends the token, 修改密码, an admin disables and enables a staff
account, and reads the audit trail."""

from playwright.sync_api import expect

from tests.browser.steps import audit, register, sign_in, sign_out, unique
from tests.e2e.conftest import DEMO_PASSWORD


def test_logout_ends_the_session_on_the_server(browser, anon):
    person = register(anon)
    b = browser()
    page = sign_in(b, person.person["username"], person.person["password"], then="me")
    token = page.evaluate("localStorage.getItem('jx.token')")
    sign_out(page)
    assert page.evaluate("localStorage.getItem('jx.token')") is None
    anon.token = token
    try:
        assert anon.get("/api/v1/me").status_code == 401
    finally:
        anon.token = None


def test_password_change_then_sign_in_with_the_new_one(browser, anon):
    person = register(anon)
    b = browser()
    page = sign_in(b, person.person["username"], person.person["password"], then="me")
    page.get_by_role("link", name="修改密码").click()
    audit(page)
    page.locator("[name=current_password]").fill("Wrong-pass-1")
    page.locator("[name=new_password]").fill("Newpass-2027")
    page.locator("[name=confirm]").fill("Newpass-2028")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("[data-field='confirm'] .field-error")).to_have_text("两次输入的新密码不一致")
    page.locator("[name=confirm]").fill("Newpass-2027")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("[data-field='current_password'] .field-error")).to_be_visible()
    page.locator("[name=current_password]").fill(person.person["password"])
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("status").filter(has_text="密码已修改")).to_be_visible()
    page = sign_in(b, person.person["username"], "Newpass-2027", then="me")
    expect(page.get_by_role("heading", name="个人中心")).to_be_visible()


def test_admin_disables_and_enables_a_staff_account_and_reads_the_audit(browser, anon, admin):
    username = unique("staff_")
    resp = admin.post(
        "/api/v1/admin/users",
        json={
            "username": username,
            "password": DEMO_PASSWORD,
            "real_name": "钱审核",
            "roles": ["reviewer"],
            "jurisdiction": {"city_code": "140100", "county_code": None},
        },
    )
    assert resp.status_code == 201, resp.text
    b = browser()
    page = sign_in(b, "demo_admin", DEMO_PASSWORD, then="admin%3Frole%3Dreviewer")
    row = page.locator("tbody tr", has_text=username)
    expect(row).to_contain_text("太原市 市本级")
    expect(row).to_contain_text("正常")
    audit(page)
    page.get_by_role("button", name=f"停用 {username}").click()
    page.get_by_role("dialog").get_by_role("button", name="确定停用").click()
    expect(page.get_by_role("status").filter(has_text="账号已停用")).to_be_visible()
    expect(page.locator("tbody tr", has_text=username)).to_contain_text("已停用")
    login = anon.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert login.status_code == 401, login.text
    page.get_by_role("button", name=f"启用 {username}").click()
    page.get_by_role("dialog").get_by_role("button", name="确定启用").click()
    expect(page.locator("tbody tr", has_text=username)).to_contain_text("正常")
    assert anon.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}).status_code == 200

    page.get_by_role("link", name="查看操作日志").click()
    page.get_by_label("操作").select_option("user_disabled")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("tbody tr").first).to_contain_text("停用账号")
    expect(page.locator("tbody tr").first).to_contain_text("demo_admin")
    audit(page)
