"""The one way knowledge files are read: the shipped seed, `kb import` and `kb validate`, and
files admins send in chat all go through :func:`read_file`, so a file accepted in one place is
accepted in all of them.

YAML, CSV and Excel (.xlsx) are read; which table a file feeds comes from its name (entries...,
statistics...) or else from its content. Word (.docx) and PDF files are documents: their text
becomes passages, by article and clause (see :mod:`.documents`). Every record is validated, and a set of files is
accepted whole or refused whole with every problem named by file, line and field.
"""

from __future__ import annotations

import math
from pathlib import Path, PurePosixPath

from .documents import DOCUMENT_SUFFIXES, Document, document_part
from .records import Batch, KnowledgeFileError, Part, duplicate_problems, validate_rows
from .tables import csv_part, xlsx_parts
from .yaml_reader import yaml_part

SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx", *DOCUMENT_SUFFIXES)
FORMATS = "YAML (.yaml, .yml), CSV (.csv), Excel (.xlsx), hoặc văn bản Word (.docx), PDF (.pdf)"
MAX_UPLOAD = 2 * 1024 * 1024
"""Files sent in chat: phones and chat platforms handle a few megabytes at most."""
UPLOAD_ROWS = 20_000
"""Rows of one table sent in chat: bounds the work on a sparse sheet (tiny when zipped)."""
FILE_ROWS = 500_000
"""Rows of one table read from disk by the command line."""


def read_file(name: str, data: bytes, max_rows: int = FILE_ROWS) -> tuple[list[Part], list[Document]]:
    """The rows of one file, by kind, and the document it is (for a .docx or .pdf); raises
    KnowledgeFileError naming what is wrong."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUFFIXES:
        shown = f"định dạng '{suffix}'" if suffix else "tệp không có đuôi"
        raise KnowledgeFileError([f"{name}: không nhận {shown}; chỉ nhận {FORMATS}"])
    if not data.strip():
        raise KnowledgeFileError([f"{name}: tệp rỗng"])
    if suffix in DOCUMENT_SUFFIXES:
        part, document = document_part(name, data)
        return [part], [document]
    if suffix == ".xlsx":
        return xlsx_parts(name, data, max_rows), []
    if suffix == ".csv":
        return [csv_part(name, data, max_rows)], []
    return [yaml_part(name, data)], []


def read_upload(name: str, data: bytes) -> Batch:
    """Read and validate a file an admin sent in chat; raise listing every problem."""
    name = PurePosixPath(name.replace("\\", "/")).name or "tệp"
    if len(data) > MAX_UPLOAD:
        size = math.ceil(len(data) / 1024 / 1024 * 100) / 100
        raise KnowledgeFileError([f"{name}: tệp nặng {size:.2f} MB, tối đa 2 MB; hãy chia thành nhiều tệp nhỏ hơn"])
    batch = _batch(*read_file(name, data, UPLOAD_ROWS))
    if not any((batch.entries, batch.passages, batch.metrics, batch.statistics)):
        raise KnowledgeFileError([f"{name}: không có dòng dữ liệu nào"])
    return batch


def read_path(path: Path) -> Batch:
    """Read and validate every knowledge file at ``path`` (a file, or the files a folder
    holds); raise with all problems found, in every file."""
    parts: list[Part] = []
    documents: list[Document] = []
    problems: list[str] = []
    for file in knowledge_files(path):
        try:
            file_parts, file_documents = read_file(str(file), file.read_bytes())
        except KnowledgeFileError as exc:
            problems.extend(exc.problems)
            continue
        parts += file_parts
        documents += file_documents
    if problems:
        raise KnowledgeFileError(problems)
    return _batch(parts, documents)


def knowledge_files(path: Path) -> list[Path]:
    """The knowledge files at a path: the file itself, or those a folder holds."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
        if not files:
            raise KnowledgeFileError([f"{path}: thư mục không có tệp {FORMATS} nào"])
        return files
    if not path.exists():
        raise KnowledgeFileError([f"{path}: không tìm thấy tệp"])
    return [path]


def _batch(parts: list[Part], documents: list[Document]) -> Batch:
    """Validated records of every part, all or nothing."""
    batch = Batch([], [], [], [], documents)
    problems: list[str] = []
    for source, kind, rows in parts:
        try:
            getattr(batch, kind).extend(validate_rows(source, kind, rows))
        except KnowledgeFileError as exc:
            problems.extend(exc.problems)
    problems.extend(duplicate_problems(batch))
    if problems:
        raise KnowledgeFileError(problems)
    return batch
