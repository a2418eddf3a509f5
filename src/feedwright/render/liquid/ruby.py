"""Values printed and inspected as Ruby prints them (Jekyll's Liquid runs on Ruby)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from liquid import Undefined


def ruby_str(value: object) -> str:
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %z").rstrip()
    return str(value)


def ruby_inspect(value: object) -> str:
    if value is None or isinstance(value, Undefined):
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = ", ".join(f"{ruby_inspect(k)}=>{ruby_inspect(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(ruby_inspect(v) for v in value) + "]"
    return ruby_str(value)


class _RubyTime(datetime):
    """A datetime that prints as Ruby's Time#to_s, as Jekyll's ``{{ page.date }}`` does."""

    def __str__(self) -> str:
        return ruby_str(self)


def ruby_page(page: Mapping[str, object]) -> Mapping[str, object]:
    if not any(isinstance(v, datetime) for v in page.values()):
        return page
    out = dict(page)
    for key, value in page.items():
        if isinstance(value, datetime) and not isinstance(value, _RubyTime):
            out[key] = (
                _RubyTime.fromtimestamp(value.timestamp(), value.tzinfo)
                if (value.tzinfo is not None)
                else _RubyTime(*value.timetuple()[:6])
            )
    return out
