"""The web UI row of the Operations table: GET / and its static files through the gateway,
and the UI's API calls checked against the OpenAPI document."""

import http.client
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import assert_error

WEB_DIR = Path(__file__).resolve().parents[2] / "gateway" / "web"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
# An api("METHOD", "/api/v1/...") call; the path may be a template literal with ${...}.
API_CALL = re.compile(r"""api\(\s*"(GET|POST|PUT|PATCH|DELETE)",\s*(["`])(/api/v1[^"`?]*)\2""")
API_LITERAL = re.compile(r"""["'`]/api/v1""")
MODULE_IMPORT = re.compile(r"""^import\s[^;]*?from\s+"\./([\w-]+\.js)";""", re.M | re.S)


class References(HTMLParser):
    """Every script src and stylesheet href of a page."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])


def page_references(anon):
    parser = References()
    parser.feed(anon.get("/").text)
    return parser


def raw_get(system, path):
    """A GET with the path sent exactly as written (requests would resolve the dot segments)."""
    url = urlsplit(system.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type"), resp.read()
    finally:
        conn.close()


def test_index_is_the_chinese_page_with_its_module(anon):
    resp = anon.get("/")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "no-cache" in resp.headers["Cache-Control"] and resp.headers["ETag"]
    assert "就业见习" in resp.text and 'lang="zh-CN"' in resp.text
    assert {"type": "module", "src": "/static/app.js"} in page_references(anon).scripts


def test_every_referenced_file_is_served_with_its_type(anon):
    refs = page_references(anon)
    paths = [s["src"] for s in refs.scripts] + refs.styles
    # The modules app.js imports, and theirs, load from the same folder.
    for source in WEB_DIR.glob("*.js"):
        paths += ["/static/" + name for name in MODULE_IMPORT.findall(source.read_text(encoding="utf-8"))]
    assert "/static/style.css" in paths and "/static/api.js" in paths
    for path in sorted(set(paths)):
        resp = anon.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["Content-Type"] == CONTENT_TYPES[Path(path).suffix] + "; charset=utf-8", path
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.content == (WEB_DIR / Path(path).name).read_bytes(), path


def test_unchanged_file_revalidates_as_304(anon):
    first = anon.get("/static/app.js")
    again = anon.get("/static/app.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.content


@pytest.mark.parametrize(
    "path",
    [
        "/static/../service.py",
        "/static/../routes/web.py",
        "/static/%2e%2e/service.py",
        "/static/..%2fservice.py",
        "/static/../../common/config.py",
        "/static/nope.js",
        "/static/app.py",
        "/static/",
    ],
)
def test_traversal_and_unknown_files_are_json_404(system, path):
    status, content_type, body = raw_get(system, path)
    assert status == 404, (path, body[:200])
    assert content_type.startswith("application/json")
    assert b'"NOT_FOUND"' in body and b"def " not in body


def test_unknown_file_error_has_the_contract_shape(anon):
    assert_error(anon.get("/static/missing.css"), 404, "NOT_FOUND")


def test_ui_calls_only_documented_endpoints(anon):
    operations = {}
    for path, methods in anon.get("/api/openapi.json").json()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")
        operations[pattern] = {m.upper() for m in methods}
    calls = []
    for source in sorted(WEB_DIR.glob("*.js")):
        text = source.read_text(encoding="utf-8")
        found = API_CALL.findall(text)
        # Every /api/v1 literal sits in an api(...) call, so none escapes the check.
        assert len(found) == len(API_LITERAL.findall(text)), source.name
        calls += [(source.name, method, re.sub(r"\$\{[^}]*\}", "X", path)) for method, _, path in found]
    assert len(calls) >= 15
    for name, method, path in calls:
        documented = [methods for pattern, methods in operations.items() if pattern.match(path)]
        assert documented, f"{name}: {path} is not in the OpenAPI document"
        assert method in documented[0], f"{name}: {method} {path} is not in the OpenAPI document"
    # Every flow of the contract is reachable from the page.
    used = {(m, p) for _, m, p in calls}
    for expected in [
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/auth/login"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/attachments"),
        ("POST", "/api/v1/applications"),
        ("POST", "/api/v1/applications/X/withdraw"),
        ("GET", "/api/v1/postings"),
        ("PUT", "/api/v1/favorites/X"),
        ("DELETE", "/api/v1/favorites/X"),
        ("POST", "/api/v1/review/applications/X/approve"),
        ("POST", "/api/v1/review/applications/X/reject"),
        ("GET", "/api/v1/vocabulary"),
        ("POST", "/api/v1/postings"),
        ("PATCH", "/api/v1/postings/X"),
        ("POST", "/api/v1/postings/X/close"),
        ("POST", "/api/v1/admin/users"),
        ("POST", "/api/v1/review/applications/X/return"),
        ("POST", "/api/v1/applications/X/resubmit"),
        ("GET", "/api/v1/notifications"),
        ("POST", "/api/v1/notifications/X/read"),
        ("POST", "/api/v1/notifications/read-all"),
        ("GET", "/api/v1/applications/X/form.pdf"),
        ("GET", "/api/v1/attachments/X/content"),
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/me/password"),
        ("GET", "/api/v1/admin/users"),
        ("POST", "/api/v1/admin/users/X/disable"),
        ("POST", "/api/v1/admin/users/X/enable"),
        ("GET", "/api/v1/admin/audit"),
    ]:
        assert expected in used, expected
