"""The printable application form (打印报表): 就业见习人员申请表 as a PDF, laid out like a
government form, from a case's detail.

reportlab lays it out and embeds a subset of a TrueType CJK font (WenQuanYi Micro Hei
from Debian's fonts-wqy-microhei; reportlab embeds TrueType outlines, not the CFF-based
Noto CJK), so the text is real, extractable and prints the same everywhere. The QR code
(reportlab's own widget) holds the public verification URL.
"""

import io
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, urlencode

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from common import clock, config
from contracts.vocabulary import ATTACHMENT_KINDS, EVENT_LABELS

FONT = "WenQuanYiMicroHei"
DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TITLE = "就业见习人员申请表"
PAGE_WIDTH = A4[0] - 36 * mm
QR_SIZE = 30 * mm
GAP = "&nbsp;" * 4  # Paragraph collapses runs of spaces


@lru_cache(maxsize=1)
def font():
    """Register the CJK font once per process (`FORM_FONT_PATH` may point at another TrueType file)."""
    pdfmetrics.registerFont(TTFont(FONT, config.env("FORM_FONT_PATH", DEFAULT_FONT_PATH), subfontIndex=0))
    return FONT


def verification_url(case_number, code):
    """The public check of a printed form (GET /api/v1/verify/{case_number}?code=...)."""
    base = config.env("PUBLIC_BASE_URL", f"http://127.0.0.1:{config.gateway_port()}").rstrip("/")
    return f"{base}/api/v1/verify/{quote(case_number)}?{urlencode({'code': code})}"


def _styles():
    name = font()
    base = {"fontName": name, "bulletFontName": name}
    return {
        "title": ParagraphStyle("title", **base, fontSize=20, leading=28, alignment=TA_CENTER),
        "meta": ParagraphStyle("meta", **base, fontSize=9.5, leading=14),
        "section": ParagraphStyle("section", **base, fontSize=11.5, leading=18, spaceBefore=6),
        "cell": ParagraphStyle("cell", **base, fontSize=9.5, leading=13),
        "label": ParagraphStyle("label", **base, fontSize=9.5, leading=13, alignment=TA_CENTER),
        "small": ParagraphStyle("small", **base, fontSize=8.5, leading=12),
    }


def _text(value):
    """Cell text: XML-escaped for Paragraph, blanks shown as a dash, newlines kept."""
    if value in (None, ""):
        return "—"
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def _when(instant):
    """An ISO instant as a Shanghai date and minute."""
    if not instant:
        return None
    return datetime.fromisoformat(instant).astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _jurisdiction(jurisdiction):
    return (jurisdiction.get("city_name") or "") + (jurisdiction.get("county_name") or "（市本级）")


def _grid(rows, widths, style, header=False):
    table = Table([[Paragraph(_text(cell), style) for cell in row] for row in rows], colWidths=widths)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), font()),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)))
    table.setStyle(TableStyle(commands))
    return table


def _labelled(pairs, styles):
    """A four-column form grid: label, value, label, value (label cells shaded)."""
    label, cell = styles["label"], styles["cell"]
    shade = colors.Color(0.94, 0.94, 0.94)
    rows, cells = [], []
    for i, pair in enumerate(pairs):
        if len(pair) == 2:  # one field across the whole row
            rows.append([Paragraph(_text(pair[0]), label), Paragraph(_text(pair[1]), cell), "", ""])
            cells.append(("SPAN", (1, i), (3, i)))
        else:
            cells.append(("BACKGROUND", (2, i), (2, i), shade))
            rows.append(
                [
                    Paragraph(_text(pair[0]), label),
                    Paragraph(_text(pair[1]), cell),
                    Paragraph(_text(pair[2]), label),
                    Paragraph(_text(pair[3]), cell),
                ]
            )
    width = PAGE_WIDTH
    table = Table(rows, colWidths=[0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font()),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), shade),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                *cells,
            ]
        )
    )
    return table


def _qr(url):
    # The flowable draws modules as rectangles only (a graphics Drawing would set a default, unembedded font).
    return QrCode(url, width=QR_SIZE, height=QR_SIZE, barLevel="M", barBorder=2)


def render(detail, printed_at=None):
    """The PDF bytes of the form for one case's detail (as `usecases.Applications.detail` builds it)."""
    styles = _styles()
    printed_at = printed_at or clock.now()
    url = verification_url(detail["case_number"], detail["verification_code"])
    buffer = io.BytesIO()
    # The canvas's own initial font would otherwise be a standard, unembedded Helvetica.
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        initialFontName=font(),
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{TITLE} {detail['case_number']}",
        author="个人网上服务大厅",
        subject=TITLE,
    )

    heading = Table(
        [
            [
                [
                    Paragraph(TITLE, styles["title"]),
                    Spacer(1, 4),
                    Paragraph(
                        f"受理编号：{_text(detail['case_number'])}{GAP}办理状态：{_text(detail['status_label'])}",
                        styles["meta"],
                    ),
                    Paragraph(
                        f"校验码：{_text(detail['verification_code'])}{GAP}打印时间："
                        f"{printed_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}",
                        styles["meta"],
                    ),
                    Paragraph(f"扫描右侧二维码或访问 {_text(url)} 核验本表真伪", styles["small"]),
                ],
                _qr(url),
            ]
        ],
        colWidths=[PAGE_WIDTH - QR_SIZE - 4 * mm, QR_SIZE + 4 * mm],
    )
    heading.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font()),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ]
        )
    )

    applicant = _labelled(
        [
            ("姓名", detail["real_name"], "性别", detail["gender"]),
            ("身份证号码", detail["id_number_masked"], "联系电话", detail["phone_masked"]),
            ("户籍地址", detail["household_address"]),
            ("现居住地址", detail["current_address"]),
        ],
        styles,
    )
    application = _labelled(
        [
            ("人员类别", detail["category_label"]),
            ("学历", detail["education"], "毕业时间", detail["graduation_date"]),
            ("毕业院校", detail["school"], "所学专业", detail["major"]),
            (
                "失业登记证号",
                detail["unemployment_registration_number"],
                "业务办理属地",
                _jurisdiction(detail["jurisdiction"]),
            ),
            ("申请时间", _when(detail["submitted_at"]), "办结时间", _when(detail["decided_at"])),
            *(
                [
                    ("退回原因", detail["return_reason"]),
                    ("需补正事项", "\n".join(f"{n}. {item}" for n, item in enumerate(detail["return_items"] or [], 1))),
                ]
                if detail.get("return_reason")
                else []
            ),
        ],
        styles,
    )

    attachments = _grid(
        [("序号", "材料类型", "文件名", "大小")]
        + [
            (str(n), ATTACHMENT_KINDS.get(a["kind"], a["kind"]), a["filename"], f"{max(1, round(a['size'] / 1024))} KB")
            for n, a in enumerate(detail["attachments"], 1)
        ],
        [0.1 * PAGE_WIDTH, 0.2 * PAGE_WIDTH, 0.52 * PAGE_WIDTH, 0.18 * PAGE_WIDTH],
        styles["cell"],
        header=True,
    )

    history = _grid(
        [("时间", "办理事项", "说明")]
        + [
            (_when(step["at"]), EVENT_LABELS.get(step["type"], step["type"]), _step_note(step))
            for step in detail["history"]
        ],
        [0.24 * PAGE_WIDTH, 0.2 * PAGE_WIDTH, 0.56 * PAGE_WIDTH],
        styles["cell"],
        header=True,
    )

    declaration = Paragraph(
        "本人承诺：本人目前处于未就业状态，以上所填信息及所附材料真实、准确、完整，如有虚假，愿承担相应责任。",
        styles["cell"],
    )
    date_line = Paragraph(f"日期：{GAP * 3}年{GAP * 2}月{GAP * 2}日", styles["cell"])
    signatures = Table(
        [
            [Paragraph("申请人（签字）：", styles["cell"]), "", date_line],
            [Paragraph("经办人（签字）：", styles["cell"]), "", date_line],
            [Paragraph("审核意见：", styles["cell"]), "", Paragraph("（盖章）", styles["cell"])],
        ],
        colWidths=[0.2 * PAGE_WIDTH, 0.4 * PAGE_WIDTH, 0.4 * PAGE_WIDTH],
        rowHeights=[12 * mm] * 3,
    )
    signatures.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font()),
                ("LINEBELOW", (1, 0), (1, 1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )

    doc.build(
        [
            heading,
            Spacer(1, 6),
            Paragraph("一、申请人基本信息", styles["section"]),
            applicant,
            Paragraph("二、申请信息", styles["section"]),
            application,
            Paragraph("三、附件材料", styles["section"]),
            attachments,
            Paragraph("四、办理记录", styles["section"]),
            history,
            Spacer(1, 8),
            declaration,
            signatures,
        ]
    )
    return buffer.getvalue()


def _step_note(step):
    parts = [step.get("reason") or step.get("comment") or ""]
    if step.get("items"):
        parts.append("；".join(step["items"]))
    return "\n".join(p for p in parts if p)
