"""Every page at phone size (375 × 812: nothing scrolls sideways, the menu folds away,
tables are cards) and at desktop size, each checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.steps import PHONE, apply, audit, make_intern, register, sign_in, sign_out
from tests.e2e.conftest import DEMO_PASSWORD


def walk(b, routes):
    for route in routes:
        page = b.go(route)
        page.wait_for_selector("main h1")
        audit(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_fits_and_passes_axe(browser, anon, reviewer, viewport):
    intern = make_intern(anon, reviewer)
    case = intern.get("/api/v1/applications").json()["items"][0]
    posting = anon.get("/api/v1/postings", params={"city": "140100"}).json()["items"][0]

    b = browser(viewport)
    walk(
        b,
        [
            "",
            "postings",
            "postings?city=140100&county=140105",
            f"postings/{posting['posting_id']}",
            "login",
            "register",
            "nope",
        ],
    )
    if viewport == PHONE:
        page = b.page
        menu = page.get_by_role("button", name="菜单")
        expect(page.get_by_role("link", name="见习岗位查询")).to_be_hidden()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        page.get_by_role("link", name="见习岗位查询").click()
        expect(page.get_by_role("link", name="见习岗位查询")).to_be_hidden()

    sign_in(b, intern.person["username"], intern.person["password"])
    walk(
        b,
        [
            "me",
            "apply",
            "cases",
            f"cases/{case['application_id']}",
            "favorites",
            "messages",
            "password",
            f"postings/{posting['posting_id']}?from=favorites",
        ],
    )
    sign_out(b.page)

    sign_in(b, "demo_reviewer", DEMO_PASSWORD)
    pending = apply(register(anon))
    walk(
        b,
        [
            "review",
            f"review/{pending['application_id']}",
            f"review/{case['application_id']}",
            "manage",
            "manage/new",
            f"manage/{posting['posting_id']}",
        ],
    )
    sign_out(b.page)

    sign_in(b, "demo_admin", DEMO_PASSWORD)
    walk(b, ["admin", "admin/audit", "me"])
