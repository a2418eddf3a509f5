"""Tables without a header row, as kramdown reads them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.blockprocessors import BlockProcessor

from feedwright.render.kramdown.lines import TABLE_LINE


class HeaderlessTable(BlockProcessor):
    """A table of ``|`` rows without a separator line (kramdown makes it all body)."""

    def test(self, parent: etree.Element, block: str) -> bool:
        rows = block.split("\n")
        return all(TABLE_LINE.match(row) for row in rows) and not any(
            re.fullmatch(r"[ ]*\|?[ ]*:?-+:?[ ]*(\|[ ]*:?-+:?[ ]*)*\|?[ ]*", row) for row in rows
        )

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        rows = blocks.pop(0).split("\n")
        table = etree.SubElement(parent, "table")
        body = etree.SubElement(table, "tbody")
        for row in rows:
            tr = etree.SubElement(body, "tr")
            for cell in _split_row(row):
                etree.SubElement(tr, "td").text = cell.strip()


def _split_row(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells, current, code = [], [], 0
    i = 0
    while i < len(row):
        char = row[i]
        if char == "\\" and i + 1 < len(row):
            current.append(row[i : i + 2])
            i += 2
            continue
        if char == "`":
            run = len(row[i:]) - len(row[i:].lstrip("`"))
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
