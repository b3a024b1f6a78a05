"""What a document may be, decided from its bytes.

A file's name and the content type a browser sends are the uploader's say-so (a renamed
program, a photo called ``letter.pdf``): neither is trusted. The type is sniffed from the file's
first bytes by `filetype <https://pypi.org/project/filetype/>`_ (pure Python, magic numbers),
with two checks of our own: a Word document must be a zip holding ``word/document.xml``, and a
file with no magic number is plain text only if it decodes as UTF-8 with no control characters
other than tab, line and page breaks. The type must be one of :data:`ALLOWED`, and the name's
extension must be one of that type's: a PNG named ``.pdf`` is refused, so what a user downloads
opens as what it says it is.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings

#: Content type -> (how the page names it, the extensions a file of that type may have).
ALLOWED: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("a PDF", (".pdf",)),
    "image/jpeg": ("a JPEG image", (".jpg", ".jpeg")),
    "image/png": ("a PNG image", (".png",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "a Word document",
        (".docx",),
    ),
    "text/plain": ("a plain text file", (".txt",)),
}

#: How the form describes what it accepts.
ACCEPTED_WORDS = "PDF, JPEG, PNG, Word (DOCX) or plain text"

#: Bytes read to decide the type (filetype reads at most 8192).
_HEAD = 8192
#: Characters allowed in plain text besides printable ones: tab, line feed, page break, return.
_TEXT_CONTROLS = {"\t", "\n", "\x0c", "\r"}


class DocumentRefused(ValueError):
    """The upload is not a document we keep; the message says why, in the user's words."""


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str  # sniffed from the bytes, one of ALLOWED
    size: int  # bytes
    filename: str  # as given, without any directory part


def max_bytes() -> int:
    """The largest document accepted, in bytes (``settings.DOCUMENT_MAX_BYTES``, 10 MB unless
    set)."""
    return settings.DOCUMENT_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _is_plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # The head may end inside a character: allow up to three bytes of one cut short.
        for cut in range(1, 4):
            try:
                text = data[:-cut].decode("utf-8")
                break
            except UnicodeDecodeError:
                continue
        else:
            return False
    return all(ch.isprintable() or ch in _TEXT_CONTROLS for ch in text)


def _is_word_document(upload) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)


def sniff(upload) -> str | None:
    """The content type of ``upload`` (a file object: ``read``, ``seek``) from its bytes, or
    ``None`` when it is none we know. Leaves the file at its start."""
    upload.seek(0)
    head = upload.read(_HEAD)
    upload.seek(0)
    if not head:
        return None
    kind = filetype.guess(head)
    if kind is None:
        return "text/plain" if _is_plain_text(head) else None
    if kind.mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        return kind.mime if _is_word_document(upload) else "application/zip"
    return kind.mime


def check_upload(upload, filename: str) -> CheckedUpload:
    """Check an uploaded file (a Django ``UploadedFile`` or any file object with ``size``)
    before it is kept: not empty, at most :func:`max_bytes`, a type of :data:`ALLOWED` by its
    bytes, and a name whose extension is one of that type's. Raises :class:`DocumentRefused`
    saying which."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    size = upload.size
    if not size:
        raise DocumentRefused("The selected file is empty")
    if size > max_bytes():
        raise DocumentRefused(f"The selected file must be smaller than {_megabytes(max_bytes())}")
    content_type = sniff(upload)
    if content_type not in ALLOWED:
        raise DocumentRefused(f"The selected file must be a {ACCEPTED_WORDS} file")
    words, extensions = ALLOWED[content_type]
    if PurePath(name.lower()).suffix not in extensions:
        raise DocumentRefused(
            f"The selected file is {words} but its name ends "
            f"“{PurePath(name).suffix or '(no extension)'}”: "
            f"rename it to end {' or '.join(extensions)}, or choose another file"
        )
    return CheckedUpload(content_type=content_type, size=size, filename=name)
