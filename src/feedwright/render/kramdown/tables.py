"""Tables without a header row, as kramdown reads them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.blockprocessors import BlockProcessor

# kramdown tries these before a table (parser/kramdown.rb's block parsers): a block that
# starts as one of them is not a table even if its lines hold pipes
_OTHER_BLOCK = re.compile(r"[ ]{0,3}(?:[#>]|[*+-][ ]|\d+\.[ ]|<|\$\$|[ ]*$)")
_SEPARATOR = re.compile(r"[ ]*\|?[ ]*:?-+:?[ ]*(\|[ ]*:?-+:?[ ]*)*\|?[ ]*")


class HeaderlessTable(BlockProcessor):
    """A table without a separator line, as kramdown reads one: every line of the block holds
    a ``|`` that is neither escaped nor in a code span (it need not start with one), and
    the block starts as no other block does. Rows are all body; a row's leading empty cell
    is dropped only when the first row starts with ``|``, a trailing empty one always, and
    short rows are filled up with empty cells."""

    def test(self, parent: etree.Element, block: str) -> bool:
        rows = block.split("\n")
        if _OTHER_BLOCK.match(rows[0]):
            return False
        return all(len(_split_row(row)) > 1 for row in rows) and not any(
            _SEPARATOR.fullmatch(row) for row in rows
        )

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        rows = blocks.pop(0).split("\n")
        leading_pipe = rows[0].lstrip().startswith("|")
        table = etree.SubElement(parent, "table")
        body = etree.SubElement(table, "tbody")
        cells_of: list[list[str]] = []
        for row in rows:
            cells = _split_row(row)
            if leading_pipe and not cells[0].strip():
                cells.pop(0)
            if cells and not cells[-1].strip():
                cells.pop()
            cells_of.append(cells)
        columns = max(len(cells) for cells in cells_of)
        for cells in cells_of:
            tr = etree.SubElement(body, "tr")
            for cell in cells + [""] * (columns - len(cells)):
                etree.SubElement(tr, "td").text = cell.strip()


def _split_row(row: str) -> list[str]:
    """The cells between the pipes that are neither escaped nor in a code span."""
    if "\\" not in row and "`" not in row:
        return row.split("|")  # nothing escaped, no code span: every pipe splits
    cells, current, code = [], [], 0
    i, size = 0, len(row)
    while i < size:
        char = row[i]
        if char == "\\" and i + 1 < size:
            current.append(row[i : i + 2])
            i += 2
            continue
        if char == "`":
            end = i
            while end < size and row[end] == "`":
                end += 1
            run = end - i
            code = 0 if code == run else (run if code == 0 else code)
            current.append("`" * run)
            i += run
            continue
        if char == "|" and not code:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    cells.append("".join(current))
    return cells
