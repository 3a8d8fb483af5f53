"""Anyone: the public post search, city → county → details → 返回 to the same results."""

import re

from playwright.sync_api import expect

from tests.browser.steps import audit


def test_search_by_city_and_county_then_details_and_back(browser):
    b = browser()
    page = b.go("postings")
    audit(page)
    page.get_by_label("地市").select_option(label="太原市")
    page.get_by_label("区县").select_option(label="小店区")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"#/postings\?city=140100&county=140105&"))
    results = page.locator("table tbody tr")
    expect(results.first).to_be_visible()
    for region in results.locator("td[data-label='地区']").all_inner_texts():
        assert region == "太原市 小店区"
    searched = page.url
    title = results.first.locator("a").inner_text()
    results.first.locator("a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    audit(page)
    page.get_by_role("link", name="返回", exact=True).click()
    expect(page).to_have_url(searched)
    expect(page.get_by_label("区县")).to_have_value("140105")
    expect(results.first).to_be_visible()


def test_industry_is_chosen_from_the_list(browser):
    page = browser().go("postings?city=140100")
    page.get_by_label("行业").select_option(label="制造业")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile("industry="))
    industries = page.locator("td[data-label='行业']")
    expect(industries.first).to_be_visible()
    assert set(industries.all_inner_texts()) == {"制造业"}


def test_a_page_beyond_the_last_shows_the_last(browser):
    b = browser()
    page = b.go("postings?city=140100&county=140105&page=999")
    status = page.get_by_role("navigation", name="分页").get_by_role("status")
    expect(status).to_have_text(re.compile(r"^第 (\d+) / \1 页"))
    assert "page=999" not in page.url
