"""kramdown's options as Jekyll passes them (``kramdown:`` in ``_config.yml``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from feedwright.render.rouge import LineNumbers, line_format_ok

_INPUTS = ("GFM", "kramdown")
_QUOTE_NAMES = ("lsquo", "rsquo", "ldquo", "rdquo")
# the names kramdown's typographic_symbols option knows
_SYMBOLS = frozenset({"hellip", "mdash", "ndash", "laquo", "raquo", "laquo_space", "raquo_space"})
# kramdown options that change nothing in the HTML of a post, or that Jekyll sets for itself
_IGNORED = frozenset(
    {
        "entity_output",
        "guess_lang",
        "show_warnings",
        "syntax_highlighter",
        "coderay",
        "gfm_quirks",
        "auto_id_stripping",
        "transliterated_header_ids",
        "footnote_backlink",
        "footnote_backlink_inline",
        "math_engine",
        "math_engine_opts",
        "remove_block_html_tags",
        "remove_span_html_tags",
        "html_to_native",
        "link_defs",
        "template",
        "line_width",
        "latex_headers",
        "parse_span_html",
    }
)


def _boolean(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _levels(value: object) -> tuple[int, ...] | None:
    """kramdown's ``toc_levels``: a list of levels 1 to 6, or a string ``2..4`` or ``1,2,3``."""
    if isinstance(value, str):
        text = value.strip()
        span = re.fullmatch(r"(\d)\.\.(\d)", text)
        if span is not None:
            value = list(range(int(span[1]), int(span[2]) + 1))
        elif re.fullmatch(r"\d(?:,\d)*", text):
            value = [int(part) for part in text.split(",")]
        else:
            return None
    if not isinstance(value, list | tuple) or not all(
        isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= 6
        for level in value
    ):
        return None
    return tuple(dict.fromkeys(value))


@dataclass(frozen=True, slots=True)
class KramdownOptions:
    """The kramdown options that change a post's HTML, with Jekyll 4.3's defaults."""

    input: str = "GFM"  # "GFM" or "kramdown" (plain kramdown syntax)
    auto_ids: bool = True
    auto_id_prefix: str = ""
    smart_quotes: tuple[str, str, str, str] = _QUOTE_NAMES  # entity names, like kramdown
    hard_wrap: bool = False  # GFM parser only
    parse_block_html: bool = False
    footnote_nr: int = 1
    toc_levels: tuple[int, ...] = (1, 2, 3, 4, 5, 6)  # the header levels {:toc} lists
    header_offset: int = 0  # added to each Markdown header's level (kept within 1 to 6)
    # symbol name (such as "mdash") -> the HTML written for it instead of its character
    typographic_symbols: tuple[tuple[str, str], ...] = ()
    # syntax_highlighter_opts, as kramdown hands them to Rouge for code blocks and spans
    code_class: str = "highlight"  # css_class: the class of a code block's <pre>
    line_numbers: LineNumbers | None = None  # line_numbers: Rouge's table in each code block
    default_lang: str = "plaintext"  # the language of a code block that names none
    span_default_lang: str = "plaintext"  # the same for a code span

    def __post_init__(self) -> None:
        if self.input not in _INPUTS:
            raise ValueError(f"input must be one of {', '.join(_INPUTS)}, not {self.input!r}")
        for name in self.smart_quotes:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+", name):
                raise ValueError(f"smart_quotes: {name!r} is not an entity name")

    @property
    def gfm(self) -> bool:
        return self.input == "GFM"

    @classmethod
    def from_mapping(cls, value: Mapping[str, object]) -> tuple[KramdownOptions, list[str]]:
        """The options of a Jekyll ``kramdown:`` block, and notes on what is ignored or
        approximated (keys spelled as kramdown spells them)."""
        notes: list[str] = []
        found: dict[str, Any] = {}
        for key, raw in value.items():
            if key == "input":
                text = str(raw)
                match = {"gfm": "GFM", "kramdown": "kramdown"}.get(text.lower())
                if match is None:
                    notes.append(f"kramdown input {text!r} is not supported; GFM is used")
                else:
                    found["input"] = match
            elif key in ("auto_ids", "hard_wrap", "parse_block_html"):
                flag = _boolean(raw)
                if flag is None:
                    notes.append(f"kramdown {key}: {raw!r} is not true or false; ignored")
                else:
                    found[key] = flag
            elif key == "auto_id_prefix":
                found[key] = "" if raw is None else str(raw)
            elif key == "smart_quotes":
                names = raw if isinstance(raw, list | tuple) else str(raw).split(",")
                parts = tuple(str(name).strip() for name in names)
                if len(parts) != 4 or not all(
                    re.fullmatch(r"[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+", p) for p in parts
                ):
                    notes.append(f"kramdown smart_quotes {raw!r} is not four entity names; ignored")
                else:
                    found[key] = parts
            elif key == "toc_levels":
                levels = _levels(raw)
                if levels is None:
                    notes.append(f"kramdown toc_levels {raw!r} is not a list of levels; ignored")
                else:
                    found[key] = levels
            elif key == "header_offset":
                try:
                    found[key] = int(str(raw))
                except ValueError:
                    notes.append(f"kramdown header_offset {raw!r} is not a number; ignored")
            elif key == "typographic_symbols":
                if not isinstance(raw, Mapping):
                    notes.append(f"kramdown typographic_symbols {raw!r} is not a mapping; ignored")
                    continue
                unknown = sorted(str(name) for name in raw if str(name) not in _SYMBOLS)
                if unknown:
                    notes.append(f"kramdown typographic_symbols: {', '.join(unknown)} unknown")
                found[key] = tuple(
                    sorted(
                        (str(name), "" if text is None else str(text))
                        for name, text in raw.items()
                        if str(name) in _SYMBOLS
                    )
                )
            elif key == "footnote_nr":
                try:
                    number = int(str(raw))
                except ValueError:
                    notes.append(f"kramdown footnote_nr {raw!r} is not a number; ignored")
                else:
                    found[key] = number
            elif key == "syntax_highlighter_opts":
                if isinstance(raw, Mapping):
                    found.update(_rouge_options(raw, notes))
                elif raw is not None:
                    notes.append(f"kramdown syntax_highlighter_opts {raw!r} is not a mapping")
            elif key in _IGNORED:
                if key == "gfm_quirks" and str(raw) not in ("paragraph_end", "['paragraph_end']"):
                    notes.append(f"kramdown gfm_quirks {raw!r}: only paragraph_end is rendered")
                elif key == "math_engine":
                    notes.append(f"kramdown {key} is not rendered; its default is used")
            else:
                notes.append(f"unknown kramdown option {key!r}; ignored")
        return cls(**found), notes


# Rouge options that change only the token spans, which the feed leaves out, or that Jekyll
# sets for itself (guess_lang comes from kramdown's own guess_lang)
_ROUGE_QUIET = frozenset({"guess_lang", "inline_theme"})
_ROUGE_TABLE = ("table_class", "gutter_class", "code_class")


def _truthy(value: object) -> bool:
    """Ruby's truth: all but false and nil."""
    return value is not None and value is not False


def _rouge_options(value: Mapping[str, object], notes: list[str]) -> dict[str, Any]:
    """The KramdownOptions fields of ``syntax_highlighter_opts``: kramdown merges its
    top-level keys into ``block:`` (code blocks) and ``span:`` (code spans)."""
    top = {str(k): v for k, v in value.items() if k not in ("block", "span")}
    parts: dict[str, dict[str, object]] = {}
    for kind in ("block", "span"):
        own = value.get(kind)
        if own is not None and not isinstance(own, Mapping):
            notes.append(f"kramdown syntax_highlighter_opts {kind}: {own!r} is not a mapping")
            own = None
        parts[kind] = {**top, **{str(k): v for k, v in (own or {}).items()}}
    block = parts["block"]
    found: dict[str, Any] = {}
    skipped: dict[str, str] = {}  # name -> why, once for both kinds
    known = {"default_lang", "css_class", "line_numbers", "start_line", "line_format"}
    for kind, opts in parts.items():
        lang = opts.get("default_lang")
        if _truthy(lang):
            found["default_lang" if kind == "block" else "span_default_lang"] = str(lang)
        for name, raw in opts.items():
            if (name in ("disable", "formatter") and _truthy(raw)) or (
                name == "wrap" and raw is False
            ):
                skipped[name] = "is not rendered"
            elif name == "line_numbers" and kind == "span" and _truthy(raw):
                skipped["span line_numbers"] = "is not rendered (code spans get no numbers)"
            elif name not in known | {"disable", "formatter", "wrap", *_ROUGE_TABLE, *_ROUGE_QUIET}:
                skipped[name] = "is unknown; ignored"
    notes.extend(f"kramdown syntax_highlighter_opts {n} {why}" for n, why in skipped.items())
    if _truthy(block.get("css_class")):
        found["code_class"] = str(block["css_class"])
    if _truthy(block.get("line_numbers")):
        table: dict[str, Any] = {k: str(block[k]) for k in _ROUGE_TABLE if k in block}
        start = block.get("start_line", 1)
        if isinstance(start, int) and not isinstance(start, bool):
            table["start_line"] = start
        else:
            notes.append(f"kramdown syntax_highlighter_opts start_line {start!r}: not a number")
        line_format = str(block.get("line_format", "%i"))
        if line_format_ok(line_format):
            table["line_format"] = line_format
        else:
            notes.append(f"kramdown syntax_highlighter_opts line_format {line_format!r}: ignored")
        found["line_numbers"] = LineNumbers(**table)
    return found


DEFAULT_OPTIONS = KramdownOptions()  # Jekyll's defaults: GFM input
