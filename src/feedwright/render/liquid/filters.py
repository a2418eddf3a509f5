"""Jekyll's Liquid filters: URL and date filters here, text and array filters mixed in."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from liquid import Environment, Undefined
from liquid.exceptions import LiquidError
from liquid.filter import with_context

from feedwright.render.liquid.array_filters import ArrayFilters
from feedwright.render.liquid.issues import TagError
from feedwright.render.liquid.ruby import ruby_str
from feedwright.render.liquid.text_filters import TextFilters

if TYPE_CHECKING:
    from feedwright.render.liquid.engine import JekyllLiquid


class Filters(TextFilters, ArrayFilters):
    """Jekyll's filters, bound to one site."""

    def __init__(self, engine: JekyllLiquid) -> None:
        self.engine = engine
        site = engine.ctx.site
        self.url = ruby_str(site.get("url") or "")
        self.baseurl = ruby_str(site.get("baseurl") or "").removesuffix("/")
        tz = site.get("timezone")
        self.tz: timezone | ZoneInfo | None = None
        if isinstance(tz, str) and tz:
            try:
                self.tz = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                self.tz = None

    # URLs
    @staticmethod
    def _url_of(value: object) -> str:
        if isinstance(value, Mapping) and "url" in value:
            value = value["url"]
        return ruby_str(value)

    @staticmethod
    def _absolute(value: str) -> bool:
        return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) is not None

    @staticmethod
    def _normalize(url: str) -> str:
        return urllib.parse.quote(url, safe="/:?#[]@!$&'()*+,;=%-._~")

    def relative_url(self, value: object) -> object:
        if value is None or isinstance(value, Undefined):
            return None
        path = self._url_of(value)
        if self._absolute(path):
            return path

        def lead(part: str) -> str:
            return part if not part or part.startswith("/") else "/" + part

        return self._normalize(lead(self.baseurl) + lead(path))

    def absolute_url(self, value: object) -> object:
        if value is None or isinstance(value, Undefined):
            return None
        path = self._url_of(value)
        if self._absolute(path):
            return path
        relative = ruby_str(self.relative_url(path))
        if not self.url:
            return relative
        return self._normalize(self.url + relative)

    @staticmethod
    def strip_index(value: object) -> object:
        if value is None or ruby_str(value) == "":
            return None
        return re.sub(r"/index\.html?$", "/", ruby_str(value))

    # dates
    def _time(self, value: object) -> datetime:
        parsed: datetime | None = None
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime(value.year, value.month, value.day)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parsed = datetime.fromtimestamp(value, tz=UTC)
        elif isinstance(value, str):
            text = value.strip()
            if text in ("now", "today"):
                parsed = datetime.now(tz=UTC)
            elif re.fullmatch(r"\d+", text):
                parsed = datetime.fromtimestamp(int(text), tz=UTC)
            else:
                text = re.sub(r"\s+([+-]\d{2}:?\d{2}|Z)$", r"\1", text)
                try:
                    parsed = datetime.fromisoformat(text)
                except ValueError:
                    for fmt in ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y"):
                        try:
                            parsed = datetime.strptime(text, fmt)
                            break
                        except ValueError:
                            continue
        if parsed is None:
            raise TagError(f"invalid date {value!r}", "liquid-render", None)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=self.tz or UTC)
        return parsed.astimezone(self.tz) if self.tz is not None else parsed

    def date_to_xmlschema(self, value: object) -> object:
        if ruby_str(value) == "":
            return value
        return self._time(value).isoformat(timespec="seconds")

    def date_to_rfc822(self, value: object) -> object:
        if ruby_str(value) == "":
            return value
        moment = self._time(value)
        return moment.strftime("%a, %d %b %Y %H:%M:%S %z")

    def _stringify(self, value: object, month: str, kind: object, style: object) -> object:
        if ruby_str(value) == "":
            return value
        moment = self._time(value)
        if kind == "ordinal":
            day = moment.day
            suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
            if style == "US":
                return moment.strftime(f"{month} {day}{suffix}, %Y")
            return moment.strftime(f"{day}{suffix} {month} %Y")
        return moment.strftime(f"%d {month} %Y")

    def date_to_string(self, value: object, kind: object = None, style: object = None) -> object:
        return self._stringify(value, "%b", kind, style)

    def date_to_long_string(
        self, value: object, kind: object = None, style: object = None
    ) -> object:
        return self._stringify(value, "%B", kind, style)

    def register(self, env: Environment) -> None:
        plain: dict[str, Callable[..., object]] = {
            "relative_url": self.relative_url,
            "absolute_url": self.absolute_url,
            "strip_index": self.strip_index,
            "date_to_xmlschema": self.date_to_xmlschema,
            "date_to_rfc822": self.date_to_rfc822,
            "date_to_string": self.date_to_string,
            "date_to_long_string": self.date_to_long_string,
            "markdownify": self.markdownify,
            "smartify": self.smartify,
            "sassify": self.passthrough,
            "scssify": self.passthrough,
            "slugify": self.slugify,
            "xml_escape": self.xml_escape,
            "cgi_escape": self.cgi_escape,
            "uri_escape": self.uri_escape,
            "normalize_whitespace": self.normalize_whitespace,
            "number_of_words": self.number_of_words,
            "array_to_sentence_string": self.array_to_sentence_string,
            "jsonify": self.jsonify,
            "inspect": self.inspect,
            "to_integer": self.to_integer,
            "where": self.where,
            "find": self.find,
            "group_by": self.group_by,
            "sort": self.sort,
            "push": self.push,
            "pop": self.pop,
            "shift": self.shift,
            "unshift": self.unshift,
            "sample": self.sample,
        }
        for name, func in list(env.filters.items()):  # python-liquid's own: date, round, slice...
            if name not in plain:
                env.add_filter(name, _guarded(name, func))
        for name, func in plain.items():
            env.add_filter(name, _guarded(name, func))
        for name, func in (
            ("where_exp", self.where_exp),
            ("find_exp", self.find_exp),
            ("group_by_exp", self.group_by_exp),
        ):
            env.add_filter(name, with_context(_guarded(name, func)))


_PASSED_IN = ("with_context", "with_environment")  # what python-liquid passes a filter


def _guarded(name: str, func: Callable[..., object]) -> Callable[..., object]:
    """Turn a filter's Python errors (a date past the year 9999, the infinity a huge
    product rounds to) into render issues rather than a post that fails to render."""

    def call(*args: Any, **kwargs: Any) -> object:
        try:
            return func(*args, **kwargs)
        except LiquidError:
            raise
        except (TypeError, ValueError, ArithmeticError, LookupError, OSError) as err:
            raise TagError(f"{name}: {err}", "liquid-render", None) from err

    for flag in _PASSED_IN:
        if getattr(func, flag, False):
            setattr(call, flag, True)
    return call
