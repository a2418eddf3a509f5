"""The jekyll-premonition call-out: ``> note "Title"`` starts a titled blockquote."""

from __future__ import annotations

import re

_PREMONITION = re.compile(
    r"^(?P<indent>[ \t]*)>[ \t]*(?P<type>note|info|warning|error|citation|tip)"
    r'[ \t]+"(?P<title>[^"]*)"[ \t]*(?:\[[^\]]*\])?[ \t]*$',
    re.MULTILINE,
)


def premonition(text: str) -> str:
    """``> note "Title"`` starts a titled call-out; render it as a blockquote whose first
    line is the bold title."""

    def title(match: re.Match[str]) -> str:
        heading = match["title"].strip() or match["type"].capitalize()
        heading = heading.replace("*", r"\*")
        return f"{match['indent']}> **{heading}**\n{match['indent']}>"

    return _PREMONITION.sub(title, text)
