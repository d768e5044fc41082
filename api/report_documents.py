"""The consolidated petition report (db.meetings.report) as documents: a Word document in the
usual administrative layout (python-docx: the two-column heading, number and date, the title,
a summary, one section per field with its agencies and numbered items, the recipients and the
signature block) and a spreadsheet (openpyxl: one row per item, and the totals).

Pure rendering: the numbers are the report's, the same the GraphQL query answers.
"""

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.table import _Cell
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from db.clock import local
from db.enums.meetings import PetitionSource
from db.enums.petitions import PetitionStatus
from db.meetings.report import STATUS_LABELS, ReportItem, SessionReport
from db.tables import VoterMeeting

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
SOURCE_LABELS = {PetitionSource.APP: "Ứng dụng", PetitionSource.VOTER_MEETING: "Tiếp xúc cử tri"}
FONT = "Times New Roman"


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def _place_short(province: str) -> str:
    """«Tỉnh Hậu Giang» -> «Hậu Giang», for «Hậu Giang, ngày …»."""
    for prefix in ("Tỉnh ", "Thành phố "):
        if province.startswith(prefix):
            return province[len(prefix) :]
    return province


def _meeting_words(meeting: VoterMeeting) -> str:
    return f"buổi tiếp xúc cử tri ngày {local(meeting.starts_at):%d/%m/%Y} tại {meeting.place}"


def summary(report: SessionReport) -> str:
    """The report's opening paragraph: its numbers in words."""
    period = (
        f"Từ ngày {_day(report.first_day)} đến ngày {_day(report.last_day)}"
        if report.first_day
        else f"Đến ngày {_day(report.last_day)}"
    )
    return (
        f"{period}, các Tổ đại biểu đã tổ chức {report.meetings_held}/{report.meeting_count} "
        f"buổi tiếp xúc cử tri trước kỳ họp với {report.voters_present} lượt cử tri tham dự. "
        f"Tổng hợp {report.petition_count} ý kiến, kiến nghị của {report.voter_count} lượt cử "
        f"tri (các ý kiến trùng nhau được gộp, tính một lần), trong đó {report.from_meetings} ý "
        f"kiến nêu tại các buổi tiếp xúc cử tri và {report.from_app} kiến nghị gửi qua ứng "
        f"dụng; đã có {report.answered_count} ý kiến được trả lời."
    )


def item_text(item: ReportItem) -> str:
    """One numbered item: the concern, who raised it where, and where its answer stands."""
    p = item.petition
    raised = "; ".join(_meeting_words(m) for m in item.meetings)
    where = f"nêu tại {raised}" if raised else "gửi qua ứng dụng"
    return (
        f"{item.number}. {p.content} (Cử tri {item.commune_name}; {item.voter_count} lượt cử "
        f"tri; {where}; mã {p.tracking_code}). Tình trạng: "
        f"{STATUS_LABELS[PetitionStatus(p.status)]}."
    )


def _answer_text(item: ReportItem) -> str | None:
    p = item.petition
    if not p.answer_body:
        return None
    return f"Trả lời: {p.answer_body} ({p.answer_respondent})."


# ---- Word --------------------------------------------------------------------------------------


def _line(cell: _Cell, text: str, *, bold: bool = False, first: bool = False) -> None:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold


def render_docx(report: SessionReport, today: date) -> bytes:
    """The report as a Word document."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    session = report.session
    heading = doc.add_table(rows=1, cols=2)
    left, right = heading.rows[0].cells
    _line(left, f"HĐND {report.province.upper()}", first=True)
    _line(left, "THƯỜNG TRỰC HĐND", bold=True)
    _line(left, "Số: ……/BC-HĐND")
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, first=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", bold=True)
    _line(
        right,
        f"{_place_short(report.province)}, ngày {today:%d} tháng {today:%m} năm {today:%Y}",
    )
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("BÁO CÁO").bold = True
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(
        f"Tổng hợp ý kiến, kiến nghị của cử tri gửi đến Kỳ họp thứ {session.number}, "
        f"HĐND {report.province}"
    ).bold = True
    doc.add_paragraph(summary(report))
    for n, section in enumerate(report.fields):
        numeral = ROMAN[n] if n < len(ROMAN) else str(n + 1)
        head = doc.add_paragraph()
        head.add_run(
            f"{numeral}. LĨNH VỰC {section.label.upper()} ({len(section.items)} ý kiến, "
            f"{section.voter_count} lượt cử tri)"
        ).bold = True
        for agency in section.agencies:
            sub = doc.add_paragraph()
            sub.add_run(f"Cơ quan giải quyết: {agency.label}").italic = True
            for item in agency.items:
                doc.add_paragraph(item_text(item))
                answer = _answer_text(item)
                if answer:
                    doc.add_paragraph(answer)
    doc.add_paragraph(
        "Thường trực HĐND tỉnh kính chuyển Ủy ban nhân dân tỉnh xem xét, chỉ đạo giải quyết và "
        "trả lời cử tri theo quy định."
    )
    ending = doc.add_table(rows=1, cols=2)
    recipients, signature = ending.rows[0].cells
    recipients.paragraphs[0].add_run("Nơi nhận:").bold = True
    for line in (
        "- UBND tỉnh;",
        "- Ủy ban MTTQ Việt Nam tỉnh;",
        "- Các Tổ đại biểu;",
        "- Lưu: VT.",
    ):
        recipients.add_paragraph(line)
    _line(signature, "TM. THƯỜNG TRỰC HĐND", bold=True, first=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- spreadsheet -------------------------------------------------------------------------------

HEADER = (
    "STT",
    "Lĩnh vực",
    "Cơ quan giải quyết",
    "Mã tra cứu",
    "Nội dung",
    "Xã, phường, thị trấn",
    "Số lượt cử tri",
    "Số người ủng hộ",
    "Nguồn",
    "Buổi tiếp xúc cử tri",
    "Tình trạng",
    "Trả lời",
)


class _Rows:
    """Writes rows one below the other; text stays text (a leading = would otherwise be stored
    as a formula). Counts its rows itself: `max_row`, which `append` reads, scans them all."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.count = 0

    def add(self, values: list[str | int]) -> None:
        self.count += 1
        for column, value in enumerate(values, 1):
            cell = self.sheet.cell(row=self.count, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"


def render_xlsx(report: SessionReport, today: date) -> bytes:
    """The report as a spreadsheet: sheet «Tổng hợp» (one row per item) and «Số liệu»."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Tổng hợp"
    rows = _Rows(sheet)
    rows.add([f"Tổng hợp ý kiến, kiến nghị của cử tri gửi đến Kỳ họp thứ {report.session.number}"])
    sheet["A1"].font = Font(bold=True)
    rows.add(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for section in report.fields:
        for agency in section.agencies:
            for item in agency.items:
                p = item.petition
                rows.add(
                    [
                        item.number,
                        section.label,
                        agency.label,
                        p.tracking_code,
                        p.content,
                        item.commune_name,
                        item.voter_count,
                        p.support_count,
                        SOURCE_LABELS[PetitionSource(p.source)],
                        "; ".join(_meeting_words(m) for m in item.meetings),
                        STATUS_LABELS[PetitionStatus(p.status)],
                        p.answer_body or "",
                    ],
                )
    for column, width in zip(
        "ABCDEFGHIJKL", (6, 22, 28, 14, 60, 20, 10, 10, 14, 40, 22, 40), strict=True
    ):
        sheet.column_dimensions[column].width = width
    totals = book.create_sheet("Số liệu")
    numbers = _Rows(totals)
    period = f"{_day(report.first_day)} - " if report.first_day else "đến "
    for label, value in (
        ("Kỳ họp", report.session.number),
        ("Thời gian tổng hợp", period + _day(report.last_day)),
        ("Ngày lập", _day(today)),
        ("Số buổi tiếp xúc cử tri trước kỳ họp", report.meeting_count),
        ("Số buổi đã tổ chức", report.meetings_held),
        ("Số lượt cử tri tham dự", report.voters_present),
        ("Số ý kiến, kiến nghị", report.petition_count),
        ("Số lượt cử tri kiến nghị", report.voter_count),
        ("Nêu tại tiếp xúc cử tri", report.from_meetings),
        ("Gửi qua ứng dụng", report.from_app),
        ("Đã trả lời", report.answered_count),
    ):
        numbers.add([label, value])
    for section in report.fields:
        numbers.add([f"Lĩnh vực {section.label}", len(section.items)])
    totals.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
