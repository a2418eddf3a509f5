"""Jekyll's filters on arrays (where, find, group_by, sort, push...)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from io import StringIO
from typing import TYPE_CHECKING

from liquid import RenderContext, Undefined
from liquid.filter import with_context

from feedwright.render.liquid.issues import TagError
from feedwright.render.liquid.ruby import ruby_str
from feedwright.render.liquid.text_filters import TextFilters

if TYPE_CHECKING:
    from feedwright.render.liquid.engine import JekyllLiquid


class ArrayFilters:
    """Jekyll's filters on arrays and hashes."""

    engine: JekyllLiquid

    # arrays
    @staticmethod
    def _property(item: object, prop: object) -> object:
        value: object = item
        for key in ruby_str(prop).split("."):
            if isinstance(value, Mapping):
                value = value.get(key)
            else:
                return None
        text = ruby_str(value) if isinstance(value, str | int | float) else None
        if text is not None and not isinstance(value, bool):
            if re.fullmatch(r"\s*-?\d+\s*", text):
                return int(text)
            if re.fullmatch(r"\s*-?(?:\d+\.?\d*|\.\d+)\s*", text):
                return float(text)
        return value

    @staticmethod
    def _matches(prop: object, target: object) -> bool:
        if target is None or isinstance(target, Undefined):
            return prop is None
        want = ruby_str(target)
        if isinstance(prop, str):
            return prop == want
        values = prop if isinstance(prop, list | tuple) else [] if prop is None else [prop]
        return any(ruby_str(v) == want for v in values)

    @staticmethod
    def _items(value: object) -> list[object] | None:
        if isinstance(value, Mapping):
            return list(value.values())
        if isinstance(value, list | tuple):
            return list(value)
        return None

    def where(self, value: object, prop: object = None, target: object = None) -> object:
        items = self._items(value)
        if items is None or not prop or isinstance(target, list | dict):
            return value
        return [i for i in items if self._matches(self._property(i, prop), target)]

    def find(self, value: object, prop: object = None, target: object = None) -> object:
        items = self._items(value)
        if items is None or not prop or isinstance(target, list | dict):
            return value
        return next((i for i in items if self._matches(self._property(i, prop), target)), None)

    def _with_each(
        self, context: RenderContext, items: list[object], variable: object, source: str
    ) -> Iterable[tuple[object, str]]:
        template = self.engine.fragment(source)
        for item in items:
            buf = StringIO()
            with context.extend({ruby_str(variable): item}):
                template.render_with_context(context, buf, partial=True)
            yield item, buf.getvalue()

    @with_context
    def where_exp(
        self, value: object, variable: object, expression: object, *, context: RenderContext
    ) -> object:
        items = self._items(value)
        if items is None:
            return value
        source = "{% if " + ruby_str(expression) + " %}1{% endif %}"
        return [i for i, out in self._with_each(context, items, variable, source) if out == "1"]

    @with_context
    def find_exp(
        self, value: object, variable: object, expression: object, *, context: RenderContext
    ) -> object:
        items = self._items(value)
        if items is None:
            return value
        source = "{% if " + ruby_str(expression) + " %}1{% endif %}"
        return next(
            (i for i, out in self._with_each(context, items, variable, source) if out == "1"),
            None,
        )

    @staticmethod
    def _grouped(pairs: Iterable[tuple[object, str]]) -> list[dict[str, object]]:
        groups: dict[str, list[object]] = {}
        for item, key in pairs:
            groups.setdefault(key, []).append(item)
        return [{"name": k, "items": v, "size": len(v)} for k, v in groups.items()]

    def group_by(self, value: object, prop: object) -> object:
        if not isinstance(value, list | tuple):
            return value
        return self._grouped((i, ruby_str(self._property(i, prop))) for i in value)

    @with_context
    def group_by_exp(
        self, value: object, variable: object, expression: object, *, context: RenderContext
    ) -> object:
        if not isinstance(value, list | tuple):
            return value
        source = "{{ " + ruby_str(expression) + " }}"
        return self._grouped(self._with_each(context, list(value), variable, source))

    def sort(self, value: object, prop: object = None, nils: object = "first") -> object:
        if value is None or isinstance(value, Undefined):
            raise TagError("sort: cannot sort a null object", "liquid-render", None)
        items = self._items(value)
        if items is None:
            return value
        if prop is None:
            try:
                return sorted(items)  # type: ignore[type-var]
            except TypeError:
                return sorted(items, key=ruby_str)
        if nils not in ("first", "last"):
            raise TagError(
                f"sort: invalid nils order {nils!r}: it must be 'first' or 'last'",
                "liquid-render",
                None,
            )
        keyed = [(self._property(i, prop), i) for i in items]
        present = [pair for pair in keyed if pair[0] is not None]
        absent = [pair[1] for pair in keyed if pair[0] is None]
        try:
            present.sort(key=lambda pair: pair[0])  # type: ignore[arg-type,return-value]
        except TypeError:
            present.sort(key=lambda pair: ruby_str(pair[0]))
        ordered = [pair[1] for pair in present]
        return absent + ordered if nils == "first" else ordered + absent

    @staticmethod
    def push(value: object, item: object) -> object:
        return [*value, item] if isinstance(value, list | tuple) else value

    @staticmethod
    def unshift(value: object, item: object) -> object:
        return [item, *value] if isinstance(value, list | tuple) else value

    @staticmethod
    def pop(value: object, num: object = 1) -> object:
        if not isinstance(value, list | tuple):
            return value
        count = TextFilters.to_integer(num)
        return list(value[: len(value) - count]) if count > 0 else list(value)

    @staticmethod
    def shift(value: object, num: object = 1) -> object:
        if not isinstance(value, list | tuple):
            return value
        count = TextFilters.to_integer(num)
        return list(value[count:]) if count > 0 else list(value)

    @staticmethod
    def sample(value: object, num: object = 1) -> object:
        if not isinstance(value, list | tuple):
            return value
        count = TextFilters.to_integer(num)
        if count == 1:
            return random.choice(value) if value else None
        return random.sample(list(value), min(max(count, 0), len(value)))
