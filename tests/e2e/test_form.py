"""The printable application form (打印报表) and its verification, through the running gateway:
the text extracts (poppler's pdftotext), every font is embedded (pdffonts), and the QR code
decodes (zbarimg) to the verification URL, which answers."""

import re
import subprocess
import uuid

import pytest
import requests

from tests.e2e.conftest import assert_error, create_staff
from tests.e2e.test_applications import register, submit


@pytest.fixture(scope="module")
def outsider(admin, anon):
    """A reviewer of 大同市, outside the case's jurisdiction (太原市小店区)."""
    return create_staff(admin, anon, ["reviewer"], {"city_code": "140200", "county_code": None})


@pytest.fixture(scope="module")
def printed(anon, tmp_path_factory):
    """A case returned for correction, and its form as the owner downloads it."""
    applicant = register(anon)
    case = submit(applicant)
    return applicant, case, tmp_path_factory.mktemp("form")


def fetch_form(client, case, directory):
    resp = client.get(f"/api/v1/applications/{case['application_id']}/form.pdf")
    assert resp.status_code == 200, resp.text
    path = directory / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(resp.content)
    return resp, path


def run(*command):
    """poppler-utils and zbar-tools are in debian-packages.txt, which `make test` installs."""
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def test_the_form_is_a_pdf_with_real_chinese_text(printed, reviewer):
    applicant, case, directory = printed
    reviewer.post(
        f"/api/v1/review/applications/{case['application_id']}/return",
        json={"reason": "毕业证书照片不清晰", "items": ["重新上传毕业证书"]},
    )
    resp, path = fetch_form(applicant, case, directory)
    assert resp.headers["Content-Type"] == "application/pdf" and resp.content.startswith(b"%PDF-")
    assert resp.headers["Cache-Control"] == "no-store"
    assert "attachment" not in resp.headers["Content-Disposition"]
    text = run("pdftotext", "-layout", str(path), "-")
    detail = applicant.get(f"/api/v1/applications/{case['application_id']}").json()
    for expected in (
        "就业见习人员申请表",
        case["case_number"],
        detail["real_name"],
        "退回补正",
        detail["id_number_masked"],
        detail["phone_masked"],
        "离校2年内未就业高校毕业生",
        "毕业证书照片不清晰",
        "重新上传毕业证书",
        detail["verification_code"],
        "申请人（签字）",
        "提交申请",
    ):
        assert expected in text, expected
    assert applicant.person["id_number"] not in text and applicant.person["phone"] not in text


def test_every_font_is_embedded(printed):
    applicant, case, directory = printed
    _, path = fetch_form(applicant, case, directory)
    rows = run("pdffonts", str(path)).splitlines()[2:]
    assert rows, "the form has fonts"
    for row in rows:
        assert re.search(r"\byes\s+yes\s+yes\b", row), row  # embedded, subset, with a Unicode map


def test_the_qr_code_decodes_to_the_verification_url_which_answers(printed, anon):
    applicant, case, directory = printed
    _, path = fetch_form(applicant, case, directory)
    run("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(directory / "page"))
    [image] = directory.glob("page*.png")
    decoded = run("zbarimg", "--quiet", "--raw", str(image)).strip()
    code = applicant.get(f"/api/v1/applications/{case['application_id']}").json()["verification_code"]
    assert decoded == f"{anon.base_url}/api/v1/verify/{case['case_number']}?code={code}"
    answer = requests.get(decoded, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["case_number"] == case["case_number"] and answer.json()["status"] == "returned"


def test_reviewers_of_the_jurisdiction_print_it_everyone_else_gets_404(printed, reviewer, outsider, anon, admin):
    applicant, case, directory = printed
    fetch_form(reviewer, case, directory)
    audit = admin.get(
        "/api/v1/admin/audit", params={"action": "form_printed", "application_id": case["application_id"]}
    ).json()
    assert {item["case_number"] for item in audit["items"]} == {case["case_number"]}
    path = f"/api/v1/applications/{case['application_id']}/form.pdf"
    assert_error(anon.get(path), 401, "UNAUTHENTICATED")
    assert_error(outsider.get(path), 404, "NOT_FOUND")
    assert_error(register(anon).get(path), 404, "NOT_FOUND")
    assert_error(applicant.get(f"/api/v1/applications/{uuid.uuid4()}/form.pdf"), 404, "NOT_FOUND")
