"""Fences as kramdown's GFM parser finds them: which line opens one, with which fence."""

from __future__ import annotations

import re

# what may follow the backticks or tildes of an opening fence (kramdown-parser-gfm): at
# most one word, the language
_FENCE_INFO = re.compile(r"[ \t]*(?P<lang>\S+)?[ \t]*")
_SAFE_LANG = re.compile(r"[\w#.+-]+")


def longest_closings(lines: list[str]) -> dict[str, list[int]]:
    """For backticks and tildes: at each line, the longest run of them alone on a line
    after it (0: none)."""
    found: dict[str, list[int]] = {}
    for char in "`~":
        longest = [0] * (len(lines) + 1)
        for index in range(len(lines) - 1, -1, -1):
            bare = lines[index].strip()
            size = len(bare) if bare[:3] == char * 3 and not bare.strip(char) else 0
            longest[index] = max(longest[index + 1], size)
        found[char] = longest
    return found


def opening_fence(
    stripped: str, match: re.Match[str], closings: dict[str, list[int]], index: int
) -> tuple[str, str] | None:
    """The fence that ``stripped`` opens and the line as the later steps read it, or None
    when kramdown's GFM parser takes it for no fence. As kramdown's pattern matches it: at
    most one word after the fence, and a closing fence (as many backticks or tildes, or
    more, alone on a line) after it; failing that, a shorter fence (three at least) with
    the rest of the run as the first letters of the word."""
    run = match["fence"]
    char = run[0]
    longest = closings[char][index + 1]
    if not longest:
        return None
    rest = stripped[match.end("fence") :]
    for size in range(len(run), 2, -1):
        info = _FENCE_INFO.fullmatch(char * (len(run) - size) + rest)
        if info is None or size > longest:
            continue
        lang = info["lang"]
        # a language the fence extension would not read makes no difference to the text
        safe = lang if lang is not None and _SAFE_LANG.fullmatch(lang) else ""
        return char * size, char * size + safe
    return None


__all__ = ["longest_closings", "opening_fence"]
