"""Made-up documents for the document tests and the bench, built with python-docx and fpdf2
(never text copied from a real document): "Quy định mẫu số 99-QĐ/TW" exists nowhere."""

from __future__ import annotations

import io

import matplotlib
from docx import Document as WordDocument
from fpdf import FPDF

FONT = matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf"
HEADING = ["BAN CHẤP HÀNH MẪU", "Số 99-QĐ/TW", "Hà Nội, ngày 15 tháng 3 năm 2023", "QUY ĐỊNH",
           "về thử nghiệm trợ lý đọc văn bản mẫu"]
FILLER = ("Nội dung này được viết riêng để kiểm thử phần mềm và không trích từ văn bản thật nào. "
          "Các đơn vị mẫu ghi chép đầy đủ kết quả vào sổ theo dõi của cơ quan mẫu.")


def regulation(tapping_days: int = 45, with_article_3: bool = True) -> list[str]:
    """The paragraphs of the made-up regulation; a "newer version" changes a clause and drops
    an article."""
    lines = [
        *HEADING,
        "Chương I", "QUY ĐỊNH CHUNG",
        "Điều 1. Phạm vi áp dụng",
        "Quy định mẫu này chỉ dùng để kiểm thử phần mềm, không có giá trị thi hành.",
        "Điều 2. Thời hạn tập huấn nuôi ong",
        "Cán bộ trong chương trình mẫu được tập huấn như sau:",
        f"1. Cán bộ tham gia chương trình mẫu được tập huấn kỹ năng nuôi ong mật trong thời hạn {tapping_days} ngày, "
        f"tính từ ngày có quyết định cử đi học. {FILLER}",
        "2. Cơ quan chủ quản cấp cho mỗi học viên tài liệu hướng dẫn trồng nấm rơm, gồm:",
        "a) Sổ tay thực hành nấm rơm;",
        f"b) Bộ phiếu ghi chép vụ nấm. {FILLER}",
        "Chương II", "TỔ CHỨC THỰC HIỆN",
    ]
    if with_article_3:
        lines += ["Điều 3. Báo cáo kết quả", f"Đơn vị mẫu gửi báo cáo kết quả tập huấn mỗi quý một lần. {FILLER}"]
    lines += ["Điều 4. Hiệu lực", "Quy định mẫu có hiệu lực kể từ ngày ký.", "Nơi nhận:", "- Lưu văn phòng mẫu."]
    return lines


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(paragraphs: list[str]) -> bytes:
    """The paragraphs as a PDF with real text (wrapped lines, as a printed page has)."""
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    for text in paragraphs:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf_bytes() -> bytes:
    """A PDF as a scanner makes it, for what matters here: pages with shapes and no text."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 170, 250, style="F")
    pdf.add_page()
    return bytes(pdf.output())
