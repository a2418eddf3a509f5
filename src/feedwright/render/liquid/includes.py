"""Jekyll's ``include`` and ``include_relative`` tags."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TextIO

from liquid import Environment, RenderContext
from liquid.ast import Node
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import Token

from feedwright.render.liquid.environment import evaluate_expression, render_markup, tag_markup
from feedwright.render.liquid.issues import (
    MAX_INCLUDE_DEPTH,
    MAX_INCLUDES,
    SINK,
    LimitError,
    TagError,
)

if TYPE_CHECKING:
    from feedwright.render.liquid.engine import JekyllLiquid


_INCLUDE_VARIABLE = re.compile(
    r"(?P<variable>[^{]*(\{\{\s*[\w\-.]+\s*(\|.*)?\}\}[^\s{}]*)+)(?P<params>.*)", re.S
)
_INCLUDE_PARAM = re.compile(
    r"""([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))"""
)
_INCLUDE_PARAMS = re.compile(rf"\A\s*(?:{_INCLUDE_PARAM.pattern}(?=\s|\Z)\s*)*\Z")
_VALID_FILENAME = re.compile(r"^[\w/.\-()+~#@]+$")
_INVALID_SEQUENCE = re.compile(r"[./]{2,}")


class _IncludeNode(Node):
    __slots__ = ("engine", "file", "params", "relative")

    def __init__(
        self, token: Token, engine: JekyllLiquid, file: str, params: str, relative: bool
    ) -> None:
        super().__init__(token)
        self.engine = engine
        self.file = file
        self.params = params
        self.relative = relative
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        sink = SINK.get()
        tag = "include_relative" if self.relative else "include"
        name = render_markup(self.engine, self.file, context).strip()
        if _INVALID_SEQUENCE.search(name) or not _VALID_FILENAME.match(name):
            raise TagError(
                f"{{% {tag} {name} %}}: invalid file name (no '..', no absolute path)",
                "liquid-include",
                self.token,
            )
        if self.relative:
            dirs = self.engine.relative_dirs(context)
        else:
            dirs = self.engine.ctx.includes_dirs
        template, issues = self.engine.include(name, dirs)
        if template is None:
            where = "the post's folder" if self.relative else "_includes"
            raise TagError(
                f"{{% {tag} {name} %}}: no such file in {where}",
                "liquid-include",
                self.token,
            )
        if sink is not None:
            outermost = sink.include_line is None
            line = sink.line_of(self.token)
            for issue in issues:
                sink.add(line, issue.code, f"in {name}: {issue.message}")
            if sink.include_depth >= MAX_INCLUDE_DEPTH:
                raise LimitError(
                    f"{{% {tag} {name} %}}: includes nested deeper than {MAX_INCLUDE_DEPTH}",
                    token=self.token,
                )
            sink.includes += 1
            if sink.includes > MAX_INCLUDES:
                raise LimitError(f"more than {MAX_INCLUDES} includes rendered", token=self.token)
            sink.check_time()
            sink.include_depth += 1
            if outermost:
                sink.include_line = line
        try:
            params: dict[str, object] = {}
            for key, dq, sq, var in _INCLUDE_PARAM.findall(self.params):
                if var:
                    params[key] = evaluate_expression(self.engine.env, var, self.token, context)
                else:
                    params[key] = dq.replace('\\"', '"') if dq else sq.replace("\\'", "'")
            with context.extend({"include": params} if self.params else {}):
                template.render_with_context(context, buffer, partial=True)
        finally:
            if sink is not None:
                sink.include_depth -= 1
                if outermost:
                    sink.include_line = None
        return 1


class IncludeTag(Tag):
    name = "include"
    block = False
    relative = False

    def __init__(self, env: Environment, engine: JekyllLiquid) -> None:
        super().__init__(env)
        self.engine = engine

    def parse(self, stream: TokenStream) -> Node:
        token, markup = tag_markup(stream)
        markup = markup.strip()
        matched = _INCLUDE_VARIABLE.match(markup)
        if matched:
            file, params = matched["variable"].strip(), matched["params"].strip()
        else:
            file, _, params = markup.partition(" ")
            params = params.strip()
        if not file:
            raise TagError(f"{{% {self.name} %}} without a file name", "liquid-include", token)
        if params and not _INCLUDE_PARAMS.match(params):
            raise TagError(
                f'{{% {self.name} {markup} %}}: parameters must be name="value" or name=variable',
                "liquid-syntax",
                token,
            )
        return _IncludeNode(token, self.engine, file, params, self.relative)


class IncludeRelativeTag(IncludeTag):
    name = "include_relative"
    relative = True
