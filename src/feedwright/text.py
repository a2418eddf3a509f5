"""Text hygiene shared by every stage."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

# Characters XML 1.0 forbids (lxml refuses them) plus lone surrogates; and two kinds XML
# allows but feed validators reject (HTML parsers too, in content): the C1 controls, which
# in a post are Windows-1252 punctuation read as Latin-1, and Unicode's noncharacters
# (U+FDD0-U+FDEF and the last two code points of every plane), never meant for interchange.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
_XML_ILLEGAL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x9f\ud800-\udfff{_NONCHARACTERS}]")
# A numeric character reference (HTML reads one even without its semicolon).
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
_ILLEGAL_OR_REFERENCE = re.compile(f"{_XML_ILLEGAL.pattern}|{_REFERENCE.pattern}")


_ILLEGAL_ASCII = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _illegal_code(hex_digits: str | None, digits: str | None) -> bool:
    """Whether a character reference names a character XML forbids (or none at all)."""
    text = (hex_digits or digits or "").lstrip("0")
    if len(text) > 8:  # far beyond U+10FFFF (and no int() of a huge digit string)
        return True
    code = int(text or "0", 16 if hex_digits is not None else 10)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return True
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:  # noncharacters
        return True
    return code < 0x20 and code not in (0x09, 0x0A, 0x0D)


def _drop(match: re.Match[str]) -> str:
    if match.group(0).startswith("&#"):
        return "" if _illegal_code(match.group(1), match.group(2)) else match.group(0)
    return ""


def strip_xml_illegal(text: str) -> tuple[str, int]:
    """Remove characters that cannot appear in XML, and numeric character references
    (``&#1;``, ``&#xFFFE;``) to them; return the text and how many went."""
    if text.isascii():  # the usual case, checked in C without the regular expression
        raw = text.encode("ascii")
        if len(raw.translate(None, _ILLEGAL_ASCII)) == len(raw) and "&#" not in text:
            return text, 0
    if "&#" not in text:
        return _XML_ILLEGAL.subn("", text)
    cleaned = _ILLEGAL_OR_REFERENCE.sub(_drop, text)
    removed = sum(1 for m in _ILLEGAL_OR_REFERENCE.finditer(text) if not _drop(m))
    return cleaned, removed


def first_illegal_line(text: str) -> int | None:
    """The line (from 1) of the first character or reference that
    :func:`strip_xml_illegal` removes, or None."""
    pattern = _ILLEGAL_OR_REFERENCE if "&#" in text else _XML_ILLEGAL
    for match in pattern.finditer(text):
        if not _drop(match):
            return text.count("\n", 0, match.start()) + 1
    return None


# What a URI cannot hold as it is (RFC 3986, and RFC 3987 for IRIs): spaces and other ASCII
# controls, the delimiters no URL syntax uses, and a '%' that starts no escape.
_URI_ILLEGAL = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f-\x9f]|%(?![0-9A-Fa-f]{2})')


def escape_uri_illegal(text: str) -> str:
    """``text`` with every character a URI cannot hold percent-encoded (as Jekyll's
    ``absolute_url`` does through Addressable); escapes already there, reserved
    characters and non-ASCII letters (IRIs allow them) are kept."""
    return _URI_ILLEGAL.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), text)


def split_url(text: str) -> SplitResult | None:
    """``urlsplit(text)``, or None for text it refuses (a malformed host, such as
    'http://[::1' or 'https://[x]/'): a value from a post that is then no URL."""
    try:
        return urlsplit(text)
    except ValueError:
        return None
