"""A reference-list file -> text, or one clear error: empty, binary, or in an encoding we cannot tell.

UTF-8 (with or without BOM) and UTF-16 (BOM, or the NUL pattern of ASCII in UTF-16) are read as
they are; a file that is not UTF-8 but reads as Windows-1251 Cyrillic is read as that, and the
caller is told so.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KbError
from kb.script import is_cyrillic_char

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class ReferenceFileError(KbError):
    """A reference list that cannot be read at all (names the file)."""


@dataclass(frozen=True)
class ListText:
    text: str
    encoding: str
    note: str = ""  # e.g. "read as Windows-1251"


def read_list(path: Path | str) -> ListText:
    path = Path(path)
    if not path.is_file():
        raise ReferenceFileError(f"{path}: no such file")
    data = path.read_bytes()
    return decode_list(data, str(path))


def decode_list(data: bytes, name: str = "<input>") -> ListText:
    if not data.strip():
        raise ReferenceFileError(f"{name}: the file is empty; nothing to parse")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _checked(_decode(data, encoding, name), encoding, name)
    head = data[:400]
    if head.count(b"\x00") * 3 >= len(head) and len(head) >= 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 0.8 * len(head[1::2]) and even < 0.2 * len(head[0::2]):
            return _checked(_decode(data, "utf-16-le", name), "utf-16-le", name, "read as UTF-16")
        if even > 0.8 * len(head[0::2]) and odd < 0.2 * len(head[1::2]):
            return _checked(_decode(data, "utf-16-be", name), "utf-16-be", name, "read as UTF-16")
    if b"\x00" in data:
        raise ReferenceFileError(
            f"{name}: binary data (a NUL byte at offset {data.index(0)}), not a reference list; "
            "save the list as plain text"
        )
    try:
        return _checked(data.decode("utf-8"), "utf-8", name)
    except UnicodeDecodeError as error:
        text = data.decode("cp1251", errors="replace")
        letters = [c for c in text if not c.isascii() and c.isalpha()]
        cyrillic = sum(1 for c in letters if is_cyrillic_char(c))
        if letters and cyrillic / len(letters) > 0.9 and "\ufffd" not in text:
            return _checked(text, "cp1251", name, "not UTF-8; read as Windows-1251")
        raise ReferenceFileError(
            f"{name}: not UTF-8 text (byte {error.start}) and not Windows-1251 Cyrillic; save the list as UTF-8"
        ) from None


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ReferenceFileError(f"{name}: not valid {encoding} (byte {error.start})") from None


def _checked(text: str, encoding: str, name: str, note: str = "") -> ListText:
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 100):
        first = _CONTROL.search(text)
        line = text.count("\n", 0, first.start()) + 1 if first else 1
        raise ReferenceFileError(f"{name}:{line}: binary data ({controls} control characters), not a reference list")
    if not text.strip():
        raise ReferenceFileError(f"{name}: the file is empty; nothing to parse")
    return ListText(text, encoding, note)
