"""The 通报 (bulletin) in the format a file's suffix asks for: .xlsx (XlsxWriter), .md, .html.

    data = services.query.bulletin.build(store, query)      # read-only
    payload = render(data, "xlsx")                           # bytes

The same data gives the same bytes in every format (the workbook's date is the as-of time; the
SVG charts carry no date).
"""
from __future__ import annotations

import io
from pathlib import Path

from services.entry.render import bulletin_text, bulletin_xlsx
from services.entry.render.bulletin_doc import document, file_stem
from services.query.bulletin import Bulletin

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
SUFFIXES = tuple(MEDIA_TYPES)


def suffix_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in MEDIA_TYPES:
        raise ValueError(f"a bulletin is .xlsx, .md or .html, got {Path(path).name!r}")
    return suffix


def render(data: Bulletin, suffix: str) -> bytes:
    doc = document(data)
    if suffix == "xlsx":
        out = io.BytesIO()
        bulletin_xlsx.write(doc, out)
        return out.getvalue()
    if suffix == "md":
        return bulletin_text.markdown(doc).encode("utf-8")
    if suffix == "html":
        return bulletin_text.html_page(doc).encode("utf-8")
    raise ValueError(f"a bulletin is .xlsx, .md or .html, got .{suffix}")


def filename(data: Bulletin, suffix: str) -> str:
    """阳城县2025年5月重大项目建设通报.xlsx"""
    return f"{file_stem(data)}.{suffix}"
