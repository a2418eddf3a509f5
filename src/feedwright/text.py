"""Text hygiene shared by every stage."""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (lxml refuses them) plus lone surrogates.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def strip_xml_illegal(text: str) -> tuple[str, int]:
    """Remove characters that cannot appear in XML; return the text and how many went."""
    cleaned, count = _XML_ILLEGAL.subn("", text)
    return cleaned, count


def first_illegal_line(text: str) -> int | None:
    match = _XML_ILLEGAL.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1
