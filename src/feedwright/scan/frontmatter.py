"""A post's text and front matter: bytes to text (UTF-8, else a Windows-1252 fallback,
mojibake found and repaired), and the YAML front matter split from the body, with a
short path for plain values and a bound on alias expansion."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from feedwright.scan.report import PostError, Report
from feedwright.types import Severity

# Characters that UTF-8 read as Windows-1252 leaves behind: a cheap test before ftfy.
MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00ef][\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021"
    "\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013"
    "\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]"
)
BOUNDARY = YAMLHandler.FM_BOUNDARY
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader where built


class Loader(_BaseLoader):  # type: ignore[misc]
    """PyYAML's safe loader, except that a number or timestamp it cannot build stays
    text, as Ruby's YAML keeps it: a date that is no real moment (2024-02-30, 0000-00-00,
    an offset of +25:00) is then judged by the date rules like any other text, and an
    integer of more than 4300 digits keeps its digits."""


def _or_text(construct: Any) -> Any:
    def build(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError, AttributeError):  # AttributeError: '!!timestamp x'
            return loader.construct_scalar(node)

    return build


for _kind in ("int", "float", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    Loader.add_constructor(_tag, _or_text(_BaseLoader.yaml_constructors[_tag]))


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16's, which begins the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def unicode_bom(data: bytes) -> str | None:
    """The codec whose byte-order mark begins ``data`` (UTF-16 or UTF-32), if any."""
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def decode_fallback(data: bytes) -> tuple[str, str]:
    """Text from bytes that are not UTF-8: UTF-16 or UTF-32 where a byte-order mark says
    so (a Windows editor's "Unicode"), else Windows-1252 (a superset of Latin-1 for
    printable text), else Latin-1, which decodes anything."""
    wide = unicode_bom(data)
    for codec in ((wide,) if wide else ()) + ("cp1252", "latin-1"):
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode(codec)
            return text.replace("\r\n", "\n").replace("\r", "\n"), codec
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 with or without a BOM; CRLF and CR become LF."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    data: dict[str, object]
    key_lines: dict[str, int]
    body: str
    body_line: int


def body_start(text: str) -> int | None:
    """Where the body begins, after the front matter's closing line (and one blank line
    after it); None when the text has no closed front matter."""
    opening = BOUNDARY.match(text)
    closing = None if opening is None else BOUNDARY.search(text, opening.end())
    if closing is None:
        return None
    start = closing.end()
    if text.startswith("\n", start):
        start += 1
    return start


def repair_mojibake(text: str, repair: bool, report: Report) -> str:
    """Find (and unless switched off, repair) UTF-8 that was once read as
    Windows-1252, such as 'Itâ€™s'. ftfy decides; a cheap pattern finds candidates.
    Lines are repaired only when ``repair`` is true; either way ``report`` says where."""
    if text.isascii() or MOJIBAKE_HINT.search(text) is None:
        return text
    import ftfy

    lines = text.split("\n")
    bad: list[int] = []
    example = ""
    for number, line in enumerate(lines):
        if MOJIBAKE_HINT.search(line) and ftfy.badness.is_bad(line):
            fixed = ftfy.fix_encoding(line)
            if fixed == line:
                continue
            bad.append(number + 1)
            if not example:
                match = MOJIBAKE_HINT.search(line)
                start = max(0, (match.start() if match else 0) - 10)
                example = f"{line[start : start + 24]!r} -> {fixed[start : start + 24]!r}"
            if repair:
                lines[number] = fixed
    if not bad:
        return text
    where = ", ".join(map(str, bad[:5])) + (" ..." if len(bad) > 5 else "")
    action = "repaired" if repair else "found"
    report.add(
        Severity.WARNING,
        "mojibake",
        f"mojibake (UTF-8 read as Windows-1252) {action} on line(s) {where}: {example}",
        bad[0],
        "re-save the text as UTF-8 with the right characters",
    )
    return "\n".join(lines) if repair else text


MAX_YAML_VALUES = 10_000


def check_expansion(root: yaml.Node, first_line: int) -> None:
    """Reject front matter whose aliases expand to more values than any post needs
    (a "billion laughs" YAML bomb), before anything is built from it."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise PostError(
                "yaml-bomb",
                "front matter refers to itself (recursive alias)",
                first_line + node.start_mark.line,
                "remove the '*' alias",
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        if total > MAX_YAML_VALUES:
            raise PostError(
                "yaml-bomb",
                f"front matter expands to more than {MAX_YAML_VALUES} values through aliases "
                "(a YAML bomb); rejected",
                first_line + node.start_mark.line,
                "remove the '&anchor' / '*alias' repetition",
            )
        sizes[key] = total
        return total

    size(root)


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))
# Scalars whose SafeLoader constructor is a plain function of the node (no generator, no
# state): called directly, without construct_document's bookkeeping around it.
_SCALARS: dict[str, Any] = {
    tag: Loader.yaml_constructors[tag]
    for tag in (f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float", "null"))
}


_SHALLOW = 50  # deeper than any front matter needs; PyYAML builds the rest


def construct(loader: Any, node: yaml.Node, depth: int = 0) -> Any:
    """``loader.construct_document(node)`` for a tree without aliases, where plain
    strings, lists and mappings with string keys (all that front matter usually holds)
    skip PyYAML's generic per-node machinery; every other node (numbers, dates, booleans,
    other tags, other keys, deep nesting) is built by PyYAML itself, errors included."""
    tag = node.tag
    kind = type(node)
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _SCALARS:
            return _SCALARS[tag](loader, node)
    if depth < _SHALLOW:
        if tag == _SEQ and kind is yaml.SequenceNode:
            return [construct(loader, child, depth + 1) for child in node.value]
        if tag == _MAP and kind is yaml.MappingNode:
            data = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
                    return loader.construct_document(node)
                data[key_node.value] = construct(loader, value_node, depth + 1)
            return data
    return loader.construct_document(node)


def split_front_matter(text: str) -> FrontMatter | None:
    """Parse the YAML front matter (python-frontmatter's boundary rules, PyYAML's C loader).
    Returns None when the file has no front matter at all."""
    opening = BOUNDARY.match(text)
    if opening is None:
        return None
    closing = BOUNDARY.search(text, opening.end())
    if closing is None:
        raise PostError(
            "front-matter-unclosed",
            "front matter opened with '---' is never closed",
            1,
            "add a line with '---' after the last front-matter key",
        )
    raw = text[opening.end() : closing.start()]
    first_line = text.count("\n", 0, opening.end()) + 1
    if not raw.startswith("\n"):
        first_line -= 1
    body_start = closing.end()
    if text.startswith("\n", body_start):
        body_start += 1
    body_line = text.count("\n", 0, body_start) + 1
    loader = Loader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            data = None
        elif "*" in raw:  # aliases: bound their expansion, then let PyYAML share nodes
            check_expansion(node, first_line)
            data = loader.construct_document(node)
        else:
            data = construct(loader, node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None:
            problem += f" ({context} that starts on line {first_line + context_mark.line})"
        raise PostError(
            "yaml",
            f"front matter is not valid YAML: {problem}",
            line,
            "check quoting and indentation; quote values that contain ':' or start with '['",
        ) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PostError(
            "front-matter-type",
            f"front matter must be a mapping of keys, got a {type(data).__name__}",
            first_line,
            "write it as 'key: value' lines",
        )
    key_lines: dict[str, int] = {}
    odd_key_line = first_line
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = first_line + key_node.start_mark.line
            if key_node.tag != "tag:yaml.org,2002:str" and odd_key_line == first_line:
                odd_key_line = first_line + key_node.start_mark.line
    for key in data:
        if not isinstance(key, str):
            raise PostError(
                "front-matter-key",
                f"front-matter key {key!r} is a {type(key).__name__}, not text",
                odd_key_line,
                f"quote the key: '\"{key}\": ...' (YAML reads no/yes/on/off and numbers specially)",
            )
    return FrontMatter(data, key_lines, text[body_start:], body_line)
