"""The text of a commented ``config.yaml``: every key of the config model, each with its
line of help, set or left commented out at the value shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from feedwright.init.help import HELP
from feedwright.init.keys import model_keys

INDENT = "  "
# A note longer than this is cut, so that each key stays on its own short lines.
NOTE_WIDTH = 60


@dataclass(frozen=True)
class Line:
    """How one key is written: its value as YAML, whether it is set (not commented out),
    and a note added to its help line."""

    value: str
    active: bool = False
    note: str = ""


def short(text: str, width: int = NOTE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _help(dotted: str, note: str) -> str:
    text = HELP[dotted]
    return f"{text}; {note}" if note else text


def compose(lines: Mapping[str, Line], header: str) -> str:
    """``config.yaml`` with ``lines`` (by dotted key) for every key that holds a value; a
    section is set when any key inside it is."""
    keys = list(model_keys())
    active = {k.dotted for k in keys if not k.section and lines[k.dotted].active}
    out = [header.rstrip("\n")]
    for key in keys:
        indent = INDENT * key.depth
        if key.section:
            on = any(a.startswith(key.dotted + ".") for a in active)
            text, note = f"{key.name}:", ""
        else:
            line = lines[key.dotted]
            on, note = line.active, line.note
            text = f"{key.name}: {line.value}"
        if key.depth == 0:
            out.append("")
        prefix = indent if on else indent + "# "
        out.append(f"{indent}# {_help(key.dotted, note)}")
        out.append(prefix + text)
    return "\n".join(out) + "\n"
