"""Text hygiene shared by every stage."""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (lxml refuses them) plus lone surrogates.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_ILLEGAL_ASCII = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def strip_xml_illegal(text: str) -> tuple[str, int]:
    """Remove characters that cannot appear in XML; return the text and how many went."""
    if text.isascii():  # the usual case, checked in C without the regular expression
        raw = text.encode("ascii")
        if len(raw.translate(None, _ILLEGAL_ASCII)) == len(raw):
            return text, 0
    cleaned, count = _XML_ILLEGAL.subn("", text)
    return cleaned, count


def first_illegal_line(text: str) -> int | None:
    match = _XML_ILLEGAL.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1
