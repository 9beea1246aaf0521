"""Reading back the PDFs the builder writes: text through poppler's pdftotext, structure from the raw objects."""

import re
import shutil
import subprocess
import zlib

import pytest


def pdf_text(content: bytes, *, layout: bool = False) -> list[str]:
    """The text of each page, as `pdftotext` extracts it."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    result = subprocess.run(args, input=content, capture_output=True, check=True)
    return result.stdout.decode("utf-8").split("\f")[:-1]


def pdf_info(content: bytes, *options: str) -> str:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    return subprocess.run(["pdfinfo", *options, "-"], input=content, capture_output=True, check=True).stdout.decode()


def pdf_objects(content: bytes) -> bytes:
    """The file with its compressed streams (object streams included) inflated, for searching dictionaries."""
    parts = [content]
    for match in re.finditer(rb"stream\r?\n", content):
        end = content.find(b"endstream", match.end())
        try:
            parts.append(zlib.decompress(content[match.end() : end]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def outline_titles(content: bytes) -> list[str]:
    return [title.decode("latin-1") for title in re.findall(rb"/Title \(([^)]*)\)", pdf_objects(content))]
