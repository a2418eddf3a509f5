"""Rouge's line-number table (``Rouge::Formatters::HTMLTable``, Rouge 3), as Jekyll's
``{% highlight LANG linenos %}`` and kramdown's ``line_numbers`` option write it, without
the token spans: the numbers in a gutter cell, the code in the cell beside it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# what Ruby's sprintf and Python's % read alike: a flag, a width, then d or i
_LINE_FORMAT = re.compile(r"(?:[^%]|%%)*%[-+ 0#]*[0-9]*[di](?:[^%]|%%)*", re.S)


def line_format_ok(line_format: str) -> bool:
    """Whether ``line_format`` (Ruby ``sprintf`` of one line number) is one this module
    writes as Ruby would."""
    return _LINE_FORMAT.fullmatch(line_format) is not None


@dataclass(frozen=True, slots=True)
class LineNumbers:
    """The options of Rouge's table formatter (HTMLTable's own defaults)."""

    start_line: int = 1
    line_format: str = "%i"
    table_class: str = "rouge-table"
    gutter_class: str = "rouge-gutter"
    code_class: str = "rouge-code"

    def __post_init__(self) -> None:
        if not line_format_ok(self.line_format):
            raise ValueError(f"line_format {self.line_format!r} is not a number format")


# what Jekyll's highlight tag passes to HTMLTable
HIGHLIGHT_TAG = LineNumbers(gutter_class="gutter", code_class="code")


def gutter(code: str, options: LineNumbers) -> tuple[str, str]:
    """``code`` ending in a newline, as Rouge writes it in the table, and the line numbers
    beside it: one a line, counted as Rouge counts them (the newlines, and one more for a
    last line without)."""
    if not code.endswith("\n"):
        code += "\n"
    start = options.start_line
    lines = range(start, start + code.count("\n"))
    return code, "".join(options.line_format % number + "\n" for number in lines)


def line_number_table(code: str, options: LineNumbers = LineNumbers()) -> str:
    """The table Rouge writes for ``code`` (already HTML-escaped)."""
    code, numbers = gutter(code, options)
    table, cells, cell = (
        html.escape(name)
        for name in (options.table_class, options.gutter_class, options.code_class)
    )
    return (
        f'<table class="{table}"><tbody><tr>'
        f'<td class="{cells} gl"><pre class="lineno">{numbers}</pre></td>'
        f'<td class="{cell}"><pre>{code}</pre></td>'
        "</tr></tbody></table>"
    )
