"""Jekyll's ``post_url``, ``link`` and ``highlight`` tags, and shortcode tags of the site."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import TYPE_CHECKING, TextIO

from liquid import Environment, RenderContext
from liquid.ast import BlockNode, Node
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG, Token

from feedwright.render.liquid.environment import evaluate_expression, render_markup, tag_markup
from feedwright.render.liquid.issues import SINK, TagError, report
from feedwright.render.rouge import HIGHLIGHT_TAG, line_number_table

if TYPE_CHECKING:
    from feedwright.render.liquid.engine import JekyllLiquid


class _TextNode(Node):
    """A tag whose output is computed at render time by a callable."""

    __slots__ = ("compute",)

    def __init__(self, token: Token, compute: Callable[[RenderContext], str]) -> None:
        super().__init__(token)
        self.compute = compute
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(self.compute(context))


class PostUrlTag(Tag):
    name = "post_url"
    block = False

    def __init__(self, env: Environment, engine: JekyllLiquid) -> None:
        super().__init__(env)
        self.engine = engine

    def parse(self, stream: TokenStream) -> Node:
        token, markup = tag_markup(stream)
        target = markup.strip()
        if not re.match(r"^/?(.+/)*(\d+-\d+-\d+)-(.*)$", target):
            raise TagError(
                f"{{% post_url {target} %}}: not a post name (date and title)",
                "liquid-post-url",
                token,
            )
        engine = self.engine

        def compute(_context: RenderContext) -> str:
            url = engine.ctx.post_url(target)
            if url is None:
                raise TagError(
                    f"{{% post_url {target} %}}: no post named {target!r}",
                    "liquid-post-url",
                    token,
                )
            return url

        return _TextNode(token, compute)


class LinkTag(Tag):
    name = "link"
    block = False

    def __init__(self, env: Environment, engine: JekyllLiquid) -> None:
        super().__init__(env)
        self.engine = engine

    def parse(self, stream: TokenStream) -> Node:
        token, markup = tag_markup(stream)
        raw = markup.strip()
        engine = self.engine

        def compute(context: RenderContext) -> str:
            target = render_markup(engine, raw, context).strip()
            if not engine.inside_source(target):
                raise TagError(
                    f"{{% link {target} %}}: path leaves the site source",
                    "liquid-link",
                    token,
                )
            url, found = engine.ctx.link(target)
            if not found:
                report(
                    TagError(
                        f"{{% link {target} %}}: target not found; linked to {url}",
                        "liquid-link",
                        token,
                    )
                )
            return url

        return _TextNode(token, compute)


_HIGHLIGHT = re.compile(r"^([a-zA-Z0-9.+#_-]+)((\s+\w+(=(\w+|\"([0-9]+\s)*[0-9]+\"))?)*)$")
_EDGE_NEWLINES = re.compile(r"\A(\n|\r)+|(\n|\r)+\Z")
# one option of the tag: name, name=value or name="1 2"
_HIGHLIGHT_OPTION = re.compile(r'(?:\w="[^"]*"|\w=\w|\w)+')


class _HighlightNode(Node):
    __slots__ = ("body", "lang", "linenos")

    def __init__(self, token: Token, lang: str, linenos: bool, body: BlockNode) -> None:
        super().__init__(token)
        self.lang = lang
        self.linenos = linenos
        self.body = body
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        buf = StringIO()
        self.body.render(context, buf)
        code = _EDGE_NEWLINES.sub("", buf.getvalue())
        code = code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if self.linenos:  # any value of linenos: Rouge's table (Jekyll 4.3 has no other)
            code = line_number_table(code, HIGHLIGHT_TAG)
        lang = self.lang
        return buffer.write(
            f'<figure class="highlight"><pre><code class="language-{lang.replace("+", "-")}"'
            f' data-lang="{lang}">{code.removesuffix(chr(10))}</code></pre></figure>'
        )


class HighlightTag(Tag):
    name = "highlight"
    end = "endhighlight"
    block = True

    def parse(self, stream: TokenStream) -> Node:
        token, markup = tag_markup(stream)
        matched = _HIGHLIGHT.match(markup.strip())
        if not matched:
            raise TagError(
                f"{{% highlight {markup.strip()} %}}: expected a language, "
                "e.g. {% highlight ruby linenos %}",
                "liquid-syntax",
                token,
            )
        next(stream)
        body = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        names = {option.split("=")[0] for option in _HIGHLIGHT_OPTION.findall(matched[2])}
        return _HighlightNode(token, matched[1].lower(), "linenos" in names, body)


_SHORTCODE_ARG = re.compile(
    r"""\s*(?:([A-Za-z_][\w-]*)\s*[=:]\s*)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,"']+)\s*,?"""
)


class _ShortcodeNode(Node):
    __slots__ = ("args", "engine", "tag")

    def __init__(
        self, token: Token, engine: JekyllLiquid, tag: str, args: list[tuple[str, str]]
    ) -> None:
        super().__init__(token)
        self.engine = engine
        self.tag = tag
        self.args = args
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        positional: list[object] = []
        named: dict[str, object] = {}
        for key, source in self.args:
            value = evaluate_expression(self.engine.env, source, self.token, context)
            if key:
                named[key] = value
            else:
                positional.append(value)
        template = self.engine.shortcode(self.tag)
        namespace = {
            "site": context.resolve("site"),
            "page": context.resolve("page"),
            **named,
            "args": positional,
        }
        sink = SINK.get()
        outermost = sink is not None and sink.include_line is None
        if sink is not None and outermost:
            sink.include_line = sink.line_of(self.token)
        try:
            return buffer.write(template.render(namespace))
        finally:
            if sink is not None and outermost:
                sink.include_line = None


class ShortcodeTag(Tag):
    block = False

    def __init__(self, env: Environment, engine: JekyllLiquid, name: str) -> None:
        super().__init__(env)
        self.engine = engine
        self.name = name

    def parse(self, stream: TokenStream) -> Node:
        token, markup = tag_markup(stream)
        args: list[tuple[str, str]] = []
        pos = 0
        markup = markup.strip()
        while pos < len(markup):
            matched = _SHORTCODE_ARG.match(markup, pos)
            if not matched or matched.end() == pos:
                raise TagError(
                    f"{{% {self.name} {markup} %}}: cannot read the arguments",
                    "liquid-syntax",
                    token,
                )
            args.append((matched[1] or "", matched[2]))
            pos = matched.end()
        return _ShortcodeNode(token, self.engine, self.name, args)
