"""The test files really are the types they claim, and the gateway's filename cleaning."""

import struct

import filetype

from gateway.routes.applications import clean_filename
from tests.files import jpeg, padded_pdf, pdf, png


def test_builders_make_files_their_type_is_judged_by_content():
    assert filetype.guess(pdf()).mime == "application/pdf"
    assert filetype.guess(png()).mime == "image/png"
    assert filetype.guess(jpeg()).mime == "image/jpeg"
    assert filetype.guess(b"just some text, named diploma.pdf") is None
    assert len(padded_pdf(4096)) == 4096


def test_png_and_pdf_structure():
    data = png(3, 2)
    assert data[12:16] == b"IHDR" and struct.unpack(">II", data[16:24]) == (3, 2)
    assert data.endswith(b"IEND\xaeB`\x82")
    doc = pdf()
    xref = int(doc.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert doc[xref : xref + 4] == b"xref"


def test_clean_filename_drops_paths_and_control_characters():
    assert clean_filename("C:\\Users\\张三\\毕业证.pdf") == "毕业证.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b\nc.png") == "abc.png"
    assert clean_filename("") == "upload" and clean_filename(None) == "upload"
    assert len(clean_filename("x" * 300 + ".pdf")) == 255
