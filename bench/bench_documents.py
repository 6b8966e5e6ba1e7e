"""A 100-page Word document: how long reading, parsing and importing it take, and how long
other users wait for answers while an admin's upload of it is being read.

Run: .venv/bin/python bench/bench_documents.py [--chapters 10] [--articles 10] [--clauses 5]

The document is made up (10 chapters x 10 articles x 5 clauses of synthetic sentences, a page
break every 1% of it: 100 pages), written with python-docx in a temporary folder; the import
goes into a temporary store through the audited Editor. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCE = ("Cơ quan mẫu số {n} thực hiện nhiệm vụ thử nghiệm theo kế hoạch giả định, ghi chép kết quả "
            "vào sổ theo dõi và báo cáo định kỳ cho đơn vị chủ trì mẫu.")
PAGES = 100


def synthetic_docx(chapters: int, articles: int, clauses: int) -> tuple[bytes, int]:
    """(the .docx, its paragraph count): a made-up regulation with a page break every
    hundredth of its paragraphs."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    lines = ["BAN CHẤP HÀNH MẪU", "Số 98-QĐ/TW", "Hà Nội, ngày 2 tháng 1 năm 2024", "QUY ĐỊNH",
             "về một văn bản mẫu thật dài để đo thời gian"]
    number = 0
    for chapter in range(1, chapters + 1):
        lines += [f"Chương {chapter}", "NỘI DUNG MẪU"]
        for _ in range(articles):
            number += 1
            lines.append(f"Điều {number}. Nhiệm vụ mẫu thứ {number}")
            lines += [f"{k}. " + " ".join(SENTENCE.format(n=number * 10 + k + s) for s in range(4))
                      for k in range(1, clauses + 1)]
    document = Document()
    every = max(1, len(lines) // PAGES)
    for i, text in enumerate(lines, 1):
        paragraph = document.add_paragraph(text)
        if i % every == 0:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), len(lines)


def import_seconds(data: bytes, folder: Path) -> tuple[float, float, int]:
    """(seconds to read and parse, seconds to import, passages)."""
    from bot.knowledge.editing import Editor
    from bot.knowledge.formats import read_upload
    from bot.knowledge.store import KnowledgeStore

    start = time.perf_counter()
    batch = read_upload("van-ban-mau.docx", data)
    read = time.perf_counter() - start
    start = time.perf_counter()
    Editor(KnowledgeStore(folder / "bench.db")).import_batch(batch, "bench", "van-ban-mau.docx")
    return read, time.perf_counter() - start, len(batch.passages)


async def answers_meanwhile(data: bytes, folder: Path) -> tuple[float, int]:
    """(slowest answer in seconds, answers given) to another user while an admin's upload of
    the document is read and previewed."""
    from bot.app import build_conversation
    from bot.chat.router import Incoming
    from bot.settings import Settings

    settings = Settings(database_path=folder / "chat.db", knowledge_dir=ROOT / "knowledge", admin_ids="telegram:1")
    conv = build_conversation(settings)
    def question(user: int) -> Incoming:  # each from another user: one user's burst would meet the flood limit
        return Incoming("telegram", str(user), str(user), text="Luân chuyển cán bộ tối thiểu mấy năm?")

    await conv.handle(question(2))  # the first answer loads the models: not what is measured
    await conv.idle()
    upload = asyncio.create_task(conv.handle(Incoming("telegram", "1", "1", upload=("van-ban-mau.docx", data))))
    slowest, answered = 0.0, 0
    while not upload.done() or answered == 0:
        start = time.perf_counter()
        await conv.handle(question(answered + 3))
        slowest = max(slowest, time.perf_counter() - start)
        answered += 1
        await asyncio.sleep(0)  # let the upload's task reach its worker thread
    await upload
    return slowest, answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, default=10)
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--clauses", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, paragraphs = synthetic_docx(args.chapters, args.articles, args.clauses)
        read, written, passages = import_seconds(data, Path(tmp))
        slowest, answered = asyncio.run(answers_meanwhile(data, Path(tmp)))
    print("| pages | paragraphs | KB | passages | read + parse, s | import, s | total, s | answers meanwhile | slowest, s |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {PAGES} | {paragraphs} | {len(data) // 1024} | {passages} | {read:.2f} | {written:.2f} | "
          f"{read + written:.2f} | {answered} | {slowest:.3f} |")


if __name__ == "__main__":
    main()
