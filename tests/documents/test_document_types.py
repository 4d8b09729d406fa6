"""Document types are judged by their bytes (engine/documents/sniffing.py), the name only choosing among the
legacy Office and Outlook types that share one OLE2 container."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.documents.sniffing import UnacceptedType, content_type_of

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def _zip(entries: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_office_documents_images_and_mail_are_recognised():
    docx = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    assert content_type_of(docx, "offerte.docx").endswith("wordprocessingml.document")
    odt = b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.text" + b"\x00" * 40
    assert content_type_of(odt, "notulen.odt") == "application/vnd.oasis.opendocument.text"
    assert content_type_of(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "foto.png") == "image/png"
    assert content_type_of(b"\xff\xd8\xff\xe0" + b"\x00" * 40, "foto.jpg") == "image/jpeg"
    assert content_type_of(OLE, "advies.msg") == "application/vnd.ms-outlook"
    assert content_type_of(OLE, "begroting.xls") == "application/vnd.ms-excel"


def test_what_the_name_cannot_make_acceptable():
    with pytest.raises(UnacceptedType) as ole:
        content_type_of(OLE, "advies.pdf")
    assert ole.value.extra["found"] == "application/x-ole-storage"
    with pytest.raises(UnacceptedType) as plain:
        content_type_of(b"just some words, no headers at all\n", "brief.eml")
    assert plain.value.extra["found"] == "unknown"
    with pytest.raises(UnacceptedType) as archive:
        content_type_of(_zip({"payload.exe": "MZ"}), "offerte.docx")
    assert archive.value.extra["found"] == "application/zip"
