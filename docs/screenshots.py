"""Screenshots of the web UI's main pages, desktop and phone, into docs/screenshots/.

    .venv/bin/python -m docs.screenshots

Starts a throwaway system with the demo data (as the browser tests do), makes a few
people and cases through the API, and photographs each page with Debian's Chromium.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from deploy import seed
from deploy.system import Throwaway
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD
from tests.browser.steps import apply, make_intern, post, register, sign_in
from tests.e2e.conftest import Client
from tests.polling import wait_for

OUT = Path(__file__).resolve().parent / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 375, "height": 812}}


class Shooter:
    def __init__(self, browser, base_url, size):
        self.context = browser.new_context(
            viewport=SIZES[size], locale="zh-CN", timezone_id="Asia/Shanghai", device_scale_factor=1
        )
        self.page = self.context.new_page()
        self.base_url = base_url
        self.size = size

    def go(self, route):
        self.page.goto(f"{self.base_url}/#/{route}")
        return self.page

    def shoot(self, name, route):
        page = self.go(route)
        page.wait_for_selector("main h1")
        page.wait_for_selector(".loading", state="detached")
        page.screenshot(path=OUT / f"{name}-{self.size}.png", full_page=self.size == "desktop")
        print(f"{name}-{self.size}.png")


def main():
    OUT.mkdir(exist_ok=True)
    with Throwaway("shots") as system:
        seed.run(PASSWORD)
        anon = Client(system.base_url)
        reviewer = anon.login("demo_reviewer", PASSWORD)
        intern = make_intern(anon, reviewer)
        for n in range(2):
            posting = post(reviewer, f"财务助理见习岗位{n + 1}")
            intern.put(f"/api/v1/favorites/{posting['posting_id']}")
        applicant = register(anon)
        case = apply(applicant)
        fresh = register(anon)
        corrected = register(anon)
        returned = apply(corrected)
        resp = reviewer.post(
            f"/api/v1/review/applications/{returned['application_id']}/return",
            json={"reason": "毕业证书照片不清晰，请重新上传", "items": ["重新上传毕业证书", "补充所学专业全称"]},
        )
        assert resp.status_code == 200, resp.text
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size in SIZES:
                shots = Shooter(browser, system.base_url, size)
                shots.shoot("home", "")
                shots.shoot("postings", "postings?city=140100&county=140105")
                sign_in(shots, fresh.person["username"], fresh.person["password"])
                shots.shoot("apply", "apply")
                shots.context.close()
                shots = Shooter(browser, system.base_url, size)
                sign_in(shots, applicant.person["username"], applicant.person["password"])
                shots.shoot("me", "me")
                shots.shoot("cases", "cases")
                shots.shoot("case", f"cases/{case['application_id']}")
                shots.context.close()
                shots = Shooter(browser, system.base_url, size)
                sign_in(shots, corrected.person["username"], corrected.person["password"])
                wait_for(lambda: corrected.get("/api/v1/notifications").json()["unread"])
                shots.shoot("messages", "messages")
                shots.shoot("case-returned", f"cases/{returned['application_id']}")
                shots.shoot("resubmit", f"cases/{returned['application_id']}/resubmit")
                shots.context.close()
                shots = Shooter(browser, system.base_url, size)
                sign_in(shots, intern.person["username"], intern.person["password"])
                shots.shoot("favorites", "favorites")
                shots.context.close()
                shots = Shooter(browser, system.base_url, size)
                sign_in(shots, "demo_reviewer", PASSWORD)
                shots.shoot("review", "review")
                shots.shoot("review-case", f"review/{case['application_id']}")
                shots.shoot("manage", "manage")
                shots.shoot("posting-form", "manage/new")
                shots.context.close()
                shots = Shooter(browser, system.base_url, size)
                sign_in(shots, "demo_admin", PASSWORD)
                shots.shoot("admin", "admin")
                shots.context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
