"""What a file is, from its bytes, not its name (docs/documents.md, *Types*).

`filetype` (pure Python, no system library) recognises the binary formats by their signatures. Two kinds it
leaves to us: an OLE2 compound file (legacy Office and Outlook .msg share one container; the name chooses
among those types only), and an e-mail message (.eml, plain text that starts with RFC 5322 headers).
"""

from __future__ import annotations

import re

import filetype

from ..core.errors import Unprocessable

ALLOWED = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint (.pptx)",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation",
    "application/msword": "Word (.doc)",
    "application/vnd.ms-excel": "Excel (.xls)",
    "application/vnd.ms-powerpoint": "PowerPoint (.ppt)",
    "application/vnd.ms-outlook": "Outlook message (.msg)",
    "message/rfc822": "e-mail (.eml)",
}
ACCEPTED = (
    "PDF, PNG, JPEG, GIF, Office documents (.docx/.xlsx/.pptx, .odt/.ods/.odp, .doc/.xls/.ppt) and e-mail (.eml, .msg)"
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_BY_EXTENSION = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "msg": "application/vnd.ms-outlook",
}
_HEADER = re.compile(rb"^[A-Za-z0-9-]{1,76}:[ \t]")
_MAIL_HEADERS = {b"from", b"to", b"subject", b"date", b"message-id", b"received", b"mime-version", b"return-path"}
_EXECUTABLES = {
    "application/x-executable": "an ELF executable",
    "application/x-msdownload": "a Windows executable",
    "application/x-mach-binary": "a Mach-O executable",
    "application/x-sh": "a shell script",
    "application/x-shockwave-flash": "a Flash file",
}


class UnacceptedType(Unprocessable):
    code = "unsupported_document_type"


def _looks_like_mail(data: bytes) -> bool:
    head = data[:8192].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n")
    names = {line.split(b":", 1)[0].lower() for line in head if _HEADER.match(line)}
    return len(names & _MAIL_HEADERS) >= 2 and bool(head) and _HEADER.match(head[0]) is not None


def content_type_of(data: bytes, filename: str) -> str:
    """The media type of an accepted document; 422 naming what was found for anything else (not the file
    name: it may name a person)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(_OLE_MAGIC):
        found = _OLE_BY_EXTENSION.get(extension)
        if found:
            return found
        raise UnacceptedType(
            "The file is an OLE2 compound file (legacy Office or Outlook); name it .doc, .xls, .ppt "
            f"or .msg as it is. Accepted are {ACCEPTED}.",
            found="application/x-ole-storage",
        )
    kind = filetype.guess(data)
    if kind is not None and kind.mime in ALLOWED:
        return kind.mime
    if kind is None and _looks_like_mail(data):
        return "message/rfc822"
    if kind is None:
        what = "text or data of no recognised type"
        found = "unknown"
    else:
        what = _EXECUTABLES.get(kind.mime, f"of type {kind.mime}")
        found = kind.mime
    raise UnacceptedType(
        f"The file is {what}, judged by its content (not its name); accepted are {ACCEPTED}.", found=found
    )
