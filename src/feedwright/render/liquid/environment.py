"""python-liquid configured like Ruby Liquid in Jekyll: lax, tolerant of broken tags (each
broken tag is dropped and reported, not the whole post), with helpers for tag markup."""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

from liquid import Environment, RenderContext
from liquid.ast import IllegalNode, Node
from liquid.builtin.expressions import parse_primitive, tokenize
from liquid.exceptions import LiquidError
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_ILLEGAL, Token

from feedwright.render.liquid.issues import MAX_LOOP, MAX_OUTPUT, SINK, TagError, report

if TYPE_CHECKING:
    from feedwright.render.liquid.engine import JekyllLiquid


class JekyllEnvironment(Environment):
    block_nesting_limit = 30
    context_depth_limit = 40
    loop_iteration_limit = MAX_LOOP
    output_stream_limit = MAX_OUTPUT
    local_namespace_limit = MAX_OUTPUT

    def error(
        self,
        exc: type[LiquidError] | LiquidError,
        msg: str | None = None,
        token: Token | None = None,
    ) -> None:
        if not isinstance(exc, LiquidError):
            exc = exc(msg, token=token)
        report(exc, token)


class GuardedTag(Tag):
    """Parse a tag; on a syntax error drop only the tag itself and keep parsing after it."""

    def __init__(self, env: Environment, inner: Tag) -> None:
        super().__init__(env)
        self.inner = inner
        self.name = inner.name
        self.block = inner.block
        self.end = getattr(inner, "end", "") or ""

    def parse(self, stream: TokenStream) -> Node:
        return self.inner.parse(stream)

    def get_node(self, stream: TokenStream) -> Node:
        sink = SINK.get()
        if sink is None:
            return self.inner.get_node(stream)
        token = stream.current
        start = stream.pos
        key = (id(token.source), token.start_index)
        if key not in sink.failed:
            mark = sink.mark()
            try:
                return self.inner.parse(stream)
            except LiquidError as err:
                sink.restore(mark)
                sink.failed.add(key)
                detail = err.message if err.message is not None else type(err).__name__
                code = getattr(err, "code", "liquid-syntax")
                if isinstance(err, TagError):
                    message = str(detail)
                else:
                    message = f"{{% {token.value} %}} removed: {detail}"
                sink.add(sink.line_of(token), code, message)
        stream.pos = start
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
        if self.block and self.end:
            sink.pending[self.end] += 1
        return IllegalNode(token)


_INNER_TAGS = frozenset({"else", "elsif", "when"})


class UnknownTag(Tag):
    """An unknown tag: removed and reported, unless it closes a block whose opening failed."""

    name = TOKEN_ILLEGAL
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
        sink = SINK.get()
        if sink is not None:
            if sink.pending[token.value] > 0:
                sink.pending[token.value] -= 1
                return IllegalNode(token)
            if token.value in _INNER_TAGS and +sink.pending:
                return IllegalNode(token)
            if token.value in _INNER_TAGS or token.value.startswith("end"):
                message = f"unexpected tag '{token.value}' removed"
                sink.add(sink.line_of(token), "liquid-syntax", message)
            else:
                message = f"unknown Liquid tag '{token.value}' removed"
                sink.add(sink.line_of(token), "liquid-tag", message)
        return IllegalNode(token)

    def get_node(self, stream: TokenStream) -> Node:
        return self.parse(stream)


def tag_markup(stream: TokenStream) -> tuple[Token, str]:
    """Return the tag token and its markup, leaving the stream on the tag's last token."""
    token = stream.current
    if stream.peek.kind == TOKEN_EXPRESSION:
        next(stream)
        return token, stream.current.value
    return token, ""


def evaluate_expression(
    env: Environment, source: str, token: Token, context: RenderContext
) -> object:
    tokens = TokenStream(tokenize(source, parent_token=token))
    expr = parse_primitive(env, tokens)
    if tokens.current.kind != TOKEN_EOF:
        raise TagError(f"cannot evaluate {source!r}", "liquid-syntax", token)
    return expr.evaluate(context)


def render_markup(engine: JekyllLiquid, text: str, context: RenderContext) -> str:
    """Render ``{{ }}`` inside a tag's markup (Jekyll renders link and include names)."""
    if "{{" not in text:
        return text
    buf = StringIO()
    engine.fragment(text).render_with_context(context, buf, partial=True)
    return buf.getvalue()
