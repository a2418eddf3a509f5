"""kramdown's options as Jekyll passes them (``kramdown:`` in ``_config.yml``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
        "syntax_highlighter_opts",
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
            elif key in _IGNORED:
                if key == "gfm_quirks" and str(raw) not in ("paragraph_end", "['paragraph_end']"):
                    notes.append(f"kramdown gfm_quirks {raw!r}: only paragraph_end is rendered")
                elif key == "math_engine":
                    notes.append(f"kramdown {key} is not rendered; its default is used")
            else:
                notes.append(f"unknown kramdown option {key!r}; ignored")
        return cls(**found), notes


DEFAULT_OPTIONS = KramdownOptions()  # Jekyll's defaults: GFM input
