"""Jekyll's text filters (markdownify, smartify, slugify, escapes, jsonify...)."""

from __future__ import annotations

import json
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from liquid import Undefined

from feedwright.render.liquid.ruby import ruby_inspect, ruby_str
from feedwright.render.text import smartify

if TYPE_CHECKING:
    from feedwright.render.liquid.engine import JekyllLiquid


class TextFilters:
    """Jekyll's filters on text and scalars."""

    engine: JekyllLiquid

    def markdownify(self, value: object) -> str:
        convert = self.engine.ctx.markdownify
        text = ruby_str(value)
        return convert(text) if convert is not None else text

    @staticmethod
    def smartify(value: object) -> str:
        return smartify(ruby_str(value))

    @staticmethod
    def passthrough(value: object) -> object:
        return value

    @staticmethod
    def slugify(value: object, mode: object = None) -> object:
        if value is None or isinstance(value, Undefined):
            return None
        text = ruby_str(value)
        mode = mode if isinstance(mode, str) else "default"
        if mode not in ("raw", "default", "pretty", "ascii", "latin"):
            return text.lower()
        if mode == "latin":
            decomposed = unicodedata.normalize("NFKD", text)
            text = "".join(
                c if ord(c) < 128 else "?" for c in decomposed if not unicodedata.combining(c)
            )
        if mode == "raw":
            slug = re.sub(r"\s+", "-", text)
        elif mode == "ascii":
            slug = re.sub(r"[^A-Za-z0-9]+", "-", text)
        else:
            keep = "._~!$&'()+,;=@" if mode == "pretty" else ""
            out: list[str] = []
            for char in text:
                cat = unicodedata.category(char)
                ok = cat[0] in "LM" or cat == "Nd" or char in keep
                if ok:
                    out.append(char)
                elif not out or out[-1] != "\0":
                    out.append("\0")
            slug = "".join(out).replace("\0", "-")
        slug = re.sub(r"^-|-$", "", slug)
        return slug.lower()

    @staticmethod
    def xml_escape(value: object) -> str:
        return (
            ruby_str(value)
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
        )

    @staticmethod
    def cgi_escape(value: object) -> str:
        return urllib.parse.quote_plus(ruby_str(value), safe="~")

    @staticmethod
    def uri_escape(value: object) -> str:
        return urllib.parse.quote(ruby_str(value), safe="!#$&'()*+,/:;=?@[]%-._~")

    @staticmethod
    def normalize_whitespace(value: object) -> str:
        return re.sub(r"\s+", " ", ruby_str(value)).strip()

    @staticmethod
    def number_of_words(value: object, mode: object = None) -> int:
        text = ruby_str(value)
        cjk = r"[\u4e00-\u9fff\u3400-\u4dbf\u30a0-\u30ff\u3040-\u309f\uac00-\ud7af\u1100-\u11ff]"
        words = (
            r"[^\s\u4e00-\u9fff\u3400-\u4dbf\u30a0-\u30ff\u3040-\u309f\uac00-\ud7af\u1100-\u11ff]+"
        )
        if mode == "cjk":
            return len(re.findall(cjk, text)) + len(re.findall(words, text))
        if mode == "auto":
            count = len(re.findall(cjk, text))
            return len(text.split()) if count == 0 else count + len(re.findall(words, text))
        return len(text.split())

    @staticmethod
    def array_to_sentence_string(value: object, connector: object = "and") -> str:
        items = [ruby_str(v) for v in value] if isinstance(value, list | tuple) else []
        conn = ruby_str(connector)
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        if len(items) == 2:
            return f"{items[0]} {conn} {items[1]}"
        return f"{', '.join(items[:-1])}, {conn} {items[-1]}"

    @staticmethod
    def jsonify(value: object) -> str:
        def default(obj: object) -> object:
            if isinstance(obj, datetime | date):
                return ruby_str(obj) if isinstance(obj, datetime) else obj.isoformat()
            if isinstance(obj, Undefined):
                return None
            if isinstance(obj, Mapping):
                return dict(obj)
            if isinstance(obj, Iterable):
                return list(obj)
            return str(obj)

        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default)

    @staticmethod
    def inspect(value: object) -> str:
        return TextFilters.xml_escape(ruby_inspect(value))

    @staticmethod
    def to_integer(value: object) -> int:
        if value is True:
            return 1
        if value is False or value is None or isinstance(value, Undefined):
            return 0
        if isinstance(value, int | float):
            return int(value)
        matched = re.match(r"\s*([+-]?\d+)", ruby_str(value).replace("_", ""))
        return int(matched[1]) if matched else 0
