"""Word and PDF documents: read by article and clause, previewed, imported, answered from with
their place, read whole, replaced by a newer version in one undoable change; scans refused.
Every document here is made up in tests/documents_sample.py."""

from __future__ import annotations

import io

import pytest

from bot.chat.router import Incoming
from bot.cli import main
from bot.knowledge.formats import read_path, read_upload
from bot.knowledge.formats.documents import SCANNED, split_text
from bot.knowledge.formats.records import KnowledgeFileError

from .documents_sample import docx_bytes, pdf_bytes, regulation, scanned_pdf_bytes

QUESTION = "Cán bộ được tập huấn nuôi ong mật trong bao lâu?"


def admin(text=None, choice=None, upload=None):
    return Incoming("telegram", "42", "42", text=text, choice=choice, upload=upload)


def tap(reply, label):
    return next(o.data for o in reply.options if o.label == label)


@pytest.mark.parametrize("name, build", [("quy-dinh-mau.docx", docx_bytes), ("quy-dinh-mau.pdf", pdf_bytes)])
def test_structure_is_found_in_word_and_pdf(name, build):
    batch = read_upload(name, build(regulation()))
    [document] = batch.documents
    assert (document.number, document.date.isoformat()) == ("99-QĐ/TW", "2023-03-15")
    assert document.name == "Quy định 99-QĐ/TW ngày 15/3/2023"
    assert document.title == "Quy định về thử nghiệm trợ lý đọc văn bản mẫu"
    assert (document.chapters, document.articles) == (2, 4)
    by_id = {p["id"]: p for p in batch.passages}
    clause = by_id["vb-99-qd-tw.d002.k01"]
    assert clause["section"] == "Điều 2 (Thời hạn tập huấn nuôi ong), khoản 1"
    assert clause["text"].startswith("1. Cán bộ tham gia chương trình mẫu") and "45 ngày" in clause["text"]
    assert "a) Sổ tay thực hành nấm rơm; b) Bộ phiếu" in by_id["vb-99-qd-tw.d002.k02"]["text"]  # points stay in their clause
    assert by_id["vb-99-qd-tw.d001"]["section"] == "Điều 1 (Phạm vi áp dụng)"  # a short article is one passage
    assert clause["source"] == f"Quy định 99-QĐ/TW ngày 15/3/2023 (tệp {name})"
    assert not any("Lưu văn phòng" in p["text"] for p in batch.passages)  # the recipients are no article


def test_long_text_is_split_at_sentences_within_the_limit():
    text = " ".join(f"Câu mẫu số {i} nói về việc thử nghiệm." for i in range(60))
    pieces = split_text(text, 800)
    assert len(pieces) > 1 and all(len(p) <= 800 and p.endswith(".") for p in pieces)
    assert " ".join(pieces) == text


def test_a_document_without_articles_becomes_plain_passages():
    paragraphs = ["Ghi chép mẫu về buổi họp thử nghiệm.", *(f"Ý kiến mẫu thứ {i}: cần thêm thời gian." for i in range(40))]
    [document] = read_upload("ghi-chep.docx", docx_bytes(paragraphs)).documents
    assert document.articles == 0 and document.key == "tl-ghi-chep"
    assert "không thấy điều, khoản nào" in document.summary()
    assert [p["section"] for p in document.passages][:2] == ["Đoạn 1", "Đoạn 2"]


@pytest.mark.parametrize("data", [scanned_pdf_bytes()])
def test_a_scanned_pdf_is_refused(data):
    with pytest.raises(KnowledgeFileError) as refused:
        read_upload("ban-quet.pdf", data)
    assert refused.value.problems == [f"ban-quet.pdf: {SCANNED}"]


@pytest.mark.parametrize("name, what", [("ke-hoach.docx", "tệp Word"), ("ke-hoach.pdf", "tệp PDF")])
def test_a_broken_document_is_refused_naming_its_kind(name, what):
    with pytest.raises(KnowledgeFileError) as refused:
        read_upload(name, b"PK\x03\x04 not really a document")
    assert refused.value.problems[0].startswith(f"{name}: không đọc được {what}")


async def test_a_scanned_pdf_sent_in_chat_is_refused_with_the_reason(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [reply] = await conv.handle(admin(upload=("ban-quet.pdf", scanned_pdf_bytes())))
    assert "cơ sở dữ liệu giữ nguyên" in reply.text and SCANNED in reply.text


async def test_upload_preview_import_answer_and_whole_article(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [preview] = await conv.handle(admin(upload=("quy-dinh-mau.docx", docx_bytes(regulation()))))
    for shown in ("Tên: Quy định về thử nghiệm trợ lý đọc văn bản mẫu", "Số: 99-QĐ/TW", "Ngày: 15/3/2023",
                  "2 chương, 4 điều, 6 đoạn", "Văn bản mới"):
        assert shown in preview.text
    [done] = await conv.handle(admin(choice=tap(preview, "Nhập")))
    await conv.idle()
    assert "thêm mới 6" in done.text

    [answer] = await conv.handle(admin(QUESTION))
    assert answer.text.startswith("Theo Điều 2, khoản 1 Quy định 99-QĐ/TW ngày 15/3/2023: “1. Cán bộ tham gia")
    assert "45 ngày" in answer.text
    [whole] = await conv.handle(admin(choice=tap(answer, "Xem nguyên văn Điều 2")))
    assert whole.text.startswith("Điều 2 (Thời hạn tập huấn nuôi ong), Quy định 99-QĐ/TW ngày 15/3/2023:")
    order = ["Cán bộ trong chương trình mẫu được tập huấn như sau:", "1. Cán bộ tham gia", "2. Cơ quan chủ quản"]
    assert [whole.text.index(part) for part in order] == sorted(whole.text.index(part) for part in order)


async def test_a_newer_version_replaces_the_old_in_one_change_and_undo_restores_it(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [preview] = await conv.handle(admin(upload=("quy-dinh-mau.docx", docx_bytes(regulation()))))
    await conv.handle(admin(choice=tap(preview, "Nhập")))
    await conv.idle()
    before = {p["id"]: p for p in conv.store.passages()}

    newer = docx_bytes(regulation(tapping_days=60, with_article_3=False))
    [preview] = await conv.handle(admin(upload=("quy-dinh-mau-sua-doi.docx", newer)))
    assert "Thay bản đã nhập trước (6 đoạn); bỏ 1 đoạn không còn trong bản mới" in preview.text
    [done] = await conv.handle(admin(choice=tap(preview, "Nhập")))
    await conv.idle()
    assert "bỏ 1 đoạn của bản cũ" in done.text
    change = int(done.text.rsplit("/hoantac ", 1)[1].rstrip("."))
    ids = {p["id"] for p in conv.store.passages()}
    assert "vb-99-qd-tw.d003" not in ids and "vb-99-qd-tw.d004" in ids
    assert "60 ngày" in conv.store.row("passages", "vb-99-qd-tw.d002.k01")["text"]
    [answer] = await conv.handle(admin(QUESTION))
    assert "60 ngày" in answer.text

    [ask] = await conv.handle(admin(f"/hoantac {change}"))
    await conv.handle(admin(choice=tap(ask, "Hoàn tác")))
    await conv.idle()
    restored = {p["id"]: p for p in conv.store.passages()}
    assert {k: (v["text"], v["source"]) for k, v in restored.items() if k.startswith("vb-99")} == {
        k: (v["text"], v["source"]) for k, v in before.items() if k.startswith("vb-99")
    }
    [answer] = await conv.handle(admin(QUESTION))
    assert "45 ngày" in answer.text


def test_kb_import_reads_a_word_document_alone_or_in_a_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.db"))
    folder = tmp_path / "van-ban"
    folder.mkdir()
    path = folder / "quy-dinh-mau.docx"
    path.write_bytes(docx_bytes(regulation()))
    (folder / "quy-dinh-mau.pdf").write_bytes(pdf_bytes(regulation()))
    assert main(["kb", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Số: 99-QĐ/TW" in out and "2 chương, 4 điều, 6 đoạn" in out and "thêm mới 6" in out
    with pytest.raises(KnowledgeFileError, match="trùng mã"):  # the same document twice: one version at a time
        read_path(folder)


def test_a_heading_laid_out_in_a_table_is_read():
    from docx import Document as WordDocument

    document = WordDocument()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "BAN CHẤP HÀNH MẪU", "ĐẢNG MẪU"
    table.cell(1, 0).text, table.cell(1, 1).text = "Số: 07-NQ/HU", "Xã Mẫu, ngày 5 tháng 6 năm 2024"
    for text in ["NGHỊ QUYẾT", "về một việc mẫu", "Điều 1. Mục tiêu", "Văn bản mẫu chỉ để kiểm thử."]:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    [found] = read_upload("nghi-quyet-mau.docx", out.getvalue()).documents
    assert (found.name, found.title, found.articles) == ("Nghị quyết 07-NQ/HU ngày 5/6/2024", "Nghị quyết về một việc mẫu", 1)


def test_parts_and_sections_are_headings_not_article_text():
    lines = regulation()
    at = lines.index("Chương II")
    lines[at:at] = ["Mục 1", "CÁC QUY ĐỊNH KHÁC"]
    lines[lines.index("Chương I"):lines.index("Chương I")] = ["Phần I", "PHẦN CHUNG"]
    batch = read_upload("quy-dinh-mau.docx", docx_bytes(lines))
    [document] = batch.documents
    assert (document.chapters, document.articles) == (2, 4)
    assert document.title == "Quy định về thử nghiệm trợ lý đọc văn bản mẫu"
    assert not any("Mục 1" in p["text"] or "PHẦN CHUNG" in p["text"] for p in batch.passages)
