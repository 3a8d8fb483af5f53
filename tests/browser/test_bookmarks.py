"""见习岗位录入及维护: an intern bookmarks three posts and meets the limit on the fourth;
a person who is not an intern browses and is told so on bookmarking."""

from playwright.sync_api import expect

from tests.browser.steps import audit, make_intern, post, register, sign_in, unique


def test_intern_bookmarks_three_and_meets_the_limit(browser, anon, reviewer):
    intern = make_intern(anon, reviewer)
    word = unique("收藏测试")
    titles = [post(reviewer, f"{word}岗位{n}")["title"] for n in range(4)]
    b = browser()
    page = sign_in(b, intern.person["username"], intern.person["password"], then="favorites")
    expect(page.get_by_text("业务办理属地：太原市 小店区")).to_be_visible()
    page.locator("[name=q]").fill(word)
    page.locator("[name=education]").select_option("不限")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table").last.locator("tbody tr")).to_have_count(4)
    audit(page)
    for title in sorted(titles)[:3]:
        page.get_by_role("button", name=f"收藏 {title}", exact=True).click()
        expect(page.get_by_role("status").filter(has_text=f"已收藏：{title}")).to_be_visible()
    expect(page.get_by_role("heading", name="我的收藏（3/3）")).to_be_visible()
    page.get_by_role("button", name=f"收藏 {sorted(titles)[3]}", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("3")
    expect(page.get_by_role("heading", name="我的收藏（3/3）")).to_be_visible()

    # A post's details from here: 取消收藏 there, and 返回 comes back to this list.
    listed = page.url
    page.get_by_role("link", name=sorted(titles)[0]).first.click()
    # The list's own 取消收藏 buttons stay until the details have replaced it.
    expect(page.get_by_role("heading", name="岗位描述")).to_be_visible()
    page.get_by_role("button", name="取消收藏").click()
    expect(page.get_by_role("status").filter(has_text="已取消收藏")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="返回", exact=True).click()
    expect(page).to_have_url(listed)
    expect(page.get_by_role("heading", name="我的收藏（2/3）")).to_be_visible()


def test_a_person_who_is_not_an_intern_browses_and_is_told_on_bookmarking(browser, anon, reviewer):
    person = register(anon)
    title = post(reviewer, unique("非见习"))["title"]
    b = browser()
    page = sign_in(b, person.person["username"], person.person["password"], then="favorites")
    expect(page.get_by_text("您还不是就业见习人员")).to_be_visible()
    page.locator("[name=q]").fill(title)
    page.get_by_role("button", name="查询").click()
    audit(page)
    page.get_by_role("button", name=f"收藏 {title}", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("该人员不是就业见习人员")
