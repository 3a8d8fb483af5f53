"""What the browser tests share: data made through the API, so each test starts where its
story starts, and the steps every story takes (signing in, files to upload)."""

import json
import re
import tempfile
from pathlib import Path

from playwright.sync_api import expect

from common.validators import id_gender
from tests import factories
from tests.files import pdf, png
from tests.polling import wait_for

XIAODIAN = {"city_code": "140100", "county_code": "140105"}
PHONE = {"width": 375, "height": 812}
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def audit(page):
    """No serious or critical axe-core violation; at phone width no sideways scrolling."""
    page.wait_for_selector(".loading", state="detached")
    width = page.viewport_size["width"]
    if width <= PHONE["width"]:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{page.url} is {scroll}px wide at {width}px"
    shown = page.inner_text("main")
    assert not re.search(r"\b(null|undefined|NaN)\b|\[object ", shown), (
        f"{page.url} shows a program's value: {shown[:300]}"
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP (self-only scripts) stays as it is.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return r.violations.filter((v) => ["serious", "critical"].includes(v.impact))
            .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    }""")
    assert not result, f"{page.url}: " + json.dumps(result, ensure_ascii=False)


def register(anon):
    person = factories.person(real_name="李明")
    resp = anon.post("/api/v1/auth/register", json=person)
    assert resp.status_code == 201, resp.text
    client = anon.login(person["username"], person["password"])
    client.person = person
    return client


def upload(client, kind):
    resp = client.post("/api/v1/attachments", files={"file": (f"{kind}.png", png(), "image/png")}, data={"kind": kind})
    assert resp.status_code == 201, resp.text
    return resp.json()["attachment_id"]


def apply(client, jurisdiction=XIAODIAN):
    body = factories.application(
        client.person["phone"],
        jurisdiction,
        [upload(client, "id_card"), upload(client, "diploma")],
        gender=id_gender(client.person["id_number"]),
    )
    resp = client.post("/api/v1/applications", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def make_intern(anon, reviewer, jurisdiction=XIAODIAN):
    client = register(anon)
    case = apply(client, jurisdiction)
    resp = reviewer.post(f"/api/v1/review/applications/{case['application_id']}/approve", json={})
    assert resp.status_code == 200, resp.text
    wait_for(lambda: client.get("/api/v1/me").json()["intern"]["eligible"], timeout=15)
    return client


def post(reviewer, title, county="140105", city="140100"):
    resp = reviewer.post(
        "/api/v1/postings", json=factories.cashier_posting(title=title, city_code=city, county_code=county)
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def sign_in(b, username, password, then=None):
    page = b.go("login" + (f"?next=%23%2F{then}" if then else ""))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_be_attached()
    return page


def sign_out(page):
    """退出 from the header (on a phone, from the folded menu)."""
    menu = page.get_by_role("button", name="菜单")
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="退出").click()
    expect(page.locator("header .who")).not_to_be_attached()


def files():
    """Paths of a real PNG and PDF to upload through the file inputs."""
    folder = Path(tempfile.mkdtemp(prefix="jx-browser-files-"))
    (folder / "身份证.png").write_bytes(png(40, 30))
    (folder / "毕业证书.pdf").write_bytes(pdf("Diploma"))
    return folder / "身份证.png", folder / "毕业证书.pdf"


def unique(prefix):
    return prefix + re.sub(r"\D", "", factories.unique_username())
