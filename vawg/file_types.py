"""What kind of file an upload is, read from its content: never from its name or the browser's content type,
which the person sending it chooses.

PDF and images by their magic bytes; Office Open XML and OpenDocument by the entries of their zip (a zip that is
neither is refused); the old binary Word and Excel formats by the stream names in their compound-file directory.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True)
class FileType:
    label: str  # as people say it
    extension: str  # the one a download is given, whatever the upload was called
    content_type: str


PDF = FileType("PDF", ".pdf", "application/pdf")
PNG = FileType("PNG image", ".png", "image/png")
JPEG = FileType("JPEG image", ".jpg", "image/jpeg")
GIF = FileType("GIF image", ".gif", "image/gif")
DOCX = FileType("Word document", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("Excel workbook", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PPTX = FileType(
    "PowerPoint presentation", ".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)
ODT = FileType("OpenDocument text", ".odt", "application/vnd.oasis.opendocument.text")
ODS = FileType("OpenDocument spreadsheet", ".ods", "application/vnd.oasis.opendocument.spreadsheet")
DOC = FileType("Word 97-2003 document", ".doc", "application/msword")
XLS = FileType("Excel 97-2003 workbook", ".xls", "application/vnd.ms-excel")

ACCEPTED = (PDF, DOCX, XLSX, PPTX, ODT, ODS, DOC, XLS, PNG, JPEG, GIF)
ACCEPTED_IN_WORDS = "PDF, Word, Excel, PowerPoint, OpenDocument text or spreadsheet, PNG, JPEG or GIF"

_MAGIC = [(b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"GIF87a", GIF), (b"GIF89a", GIF)]
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OPEN_XML = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
_OPEN_DOCUMENT = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}
# A zip's entry list is read, never its contents (bar OpenDocument's few-byte "mimetype"): a cap on entries keeps a
# hostile zip's central directory from costing much.
MAX_ZIP_ENTRIES = 5000


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff(file: IO[bytes]) -> FileType | None:
    """The accepted type `file` is, or None. Reads from the start and leaves the position there."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    try:
        if head.startswith(_ZIP):
            return _zip_type(file)
        if head.startswith(_OLE):
            return _compound_type(file)
    finally:
        file.seek(0)
    return None


def _zip_type(file: IO[bytes]) -> FileType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return None
            names = {info.filename for info in infos}
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                return _OPEN_DOCUMENT.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in names:
                return next((kind for entry, kind in _OPEN_XML.items() if entry in names), None)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError):
        return None
    return None


_WORD_STREAM = re.compile(re.escape(_utf16("WordDocument")))
_EXCEL_STREAM = re.compile(re.escape(_utf16("Workbook")) + b"|" + re.escape(_utf16("Book")) + b"\x00\x00")


def _compound_type(file: IO[bytes]) -> FileType | None:
    # The directory's entries name the streams in UTF-16: Word keeps "WordDocument", Excel "Workbook" (or "Book").
    data = file.read()
    if _WORD_STREAM.search(data):
        return DOC
    if _EXCEL_STREAM.search(data):
        return XLS
    return None


_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")


def safe_filename(name: str, kind: FileType, *, fallback: str = "evidence") -> str:
    """A download name from what the person called the file: no folders, no control or quoting characters, at
    most 100 characters, ending in the extension of what the file really is."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._") or fallback
    return stem[: 100 - len(kind.extension)] + kind.extension
