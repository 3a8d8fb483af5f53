"""Real tiny PDF, PNG and JPEG files for attachment tests and benchmarks.

The builders produce structurally valid files (not just magic numbers), so the
tests exercise the type check the way a real scan or photo would.
"""

import struct
import zlib


def pdf(text="Diploma"):
    """A one-page PDF 1.4 with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png(width=2, height=2, seed=0):
    """An RGB PNG with real IHDR/IDAT/IEND chunks and CRCs."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(
        b"\x00" + bytes((x * 40 + y * 70 + seed) % 256 for x in range(width) for _ in range(3)) for y in range(height)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg():
    """A baseline 1x1 grey JFIF: quantisation and Huffman tables, one scan, one block."""

    def segment(marker, data):
        return b"\xff" + marker + struct.pack(">H", len(data) + 2) + data

    return (
        b"\xff\xd8"
        + segment(b"\xe0", b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(b"\xdb", b"\x00" + b"\x01" * 64)
        + segment(b"\xc0", b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
        # DC table 0 and AC table 0: one 1-bit code each (DC category 0, AC end-of-block)
        + segment(b"\xc4", b"\x00\x01" + b"\x00" * 15 + b"\x00")
        + segment(b"\xc4", b"\x10\x01" + b"\x00" * 15 + b"\x00")
        + segment(b"\xda", b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # bits 0 (DC diff 0), 0 (EOB), padded with ones
        + b"\xff\xd9"
    )


def padded_pdf(size):
    """A PDF of exactly `size` bytes (a comment after %%EOF pads it)."""
    body = pdf()
    return body + b"%" + b"0" * (size - len(body) - 1)
