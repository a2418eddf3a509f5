"""Render the Liquid in a post the way Jekyll 4.3 does, with python-liquid.

The environment copies Jekyll's configuration of Ruby Liquid 5.4: lax parsing, undefined
variables render empty, unknown filters return their input, plus Jekyll's own tags
(``include``, ``include_relative``, ``link``, ``post_url``, ``highlight``) and filters.

What cannot be evaluated is reported once per post as a :class:`LiquidIssue` with the
1-based line of the text, and removed: no Liquid markup of the post reaches the output
unless it was inside ``{% raw %}``. A block whose opening tag is broken loses only that
tag (its body still renders). Limits bound parsing and rendering of hostile input.
"""

from __future__ import annotations

import bisect
import contextvars
import json
import random
import re
import time
import unicodedata
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timezone
from io import StringIO
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from liquid import BoundTemplate, Environment, Mode, RenderContext, Undefined
from liquid.ast import BlockNode, IllegalNode, Node
from liquid.builtin.expressions import parse_primitive, tokenize
from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.filter import with_context
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_ILLEGAL, TOKEN_TAG, Token

__all__ = ["JekyllLiquid", "LiquidIssue", "SiteContext", "smartify"]

MAX_ISSUES = 50  # per post; the rest are summarised in one issue
MAX_INCLUDE_DEPTH = 10
MAX_INCLUDES = 5_000  # include tags rendered per post
MAX_OUTPUT = 20_000_000  # characters
MAX_LOOP = 200_000
MAX_SECONDS = 10.0  # checked between includes and loop-heavy filters


@dataclass(frozen=True, slots=True)
class LiquidIssue:
    line: int  # 1-based, within the text given
    code: str
    message: str
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class SiteContext:
    """What a post's Liquid can see of the site; built once per build.

    ``site`` is ``site.*``: ``_config.yml`` values merged with the configuration's extras,
    including ``url``, ``baseurl``, ``timezone`` and prepared ``posts``/``tags``/
    ``categories``/``data``. It is read, never copied or changed.
    """

    site: Mapping[str, object]
    includes_dirs: tuple[Path, ...] = ()
    post_url: Callable[[str], str | None] = lambda _name: None  # name -> relative URL
    link: Callable[[str], tuple[str, bool]] = lambda path: (path, False)  # -> (URL, found)
    shortcodes: Mapping[str, str] = field(default_factory=dict)  # tag -> template source
    markdownify: Callable[[str], str] | None = None
    source: Path | None = None  # site source folder: include_relative and link stay inside


# --------------------------------------------------------------------------- issues


_HINTS = {
    "liquid-tag": "feeds cannot run site plugins; replace the tag with plain Markdown or HTML",
    "liquid-syntax": "fix the tag, or wrap literal braces in {% raw %}...{% endraw %}",
    "liquid-unclosed": "close it, or wrap literal braces in {% raw %}...{% endraw %}",
    "liquid-include": "put the file in _includes/ and name it relative to that folder",
    "liquid-post-url": "name an existing post file without its extension, e.g. 2024-06-28-my-post",
    "liquid-link": "name a file of the site source relative to its root",
    "liquid-render": "check the variable and filter arguments",
    "liquid-limit": "simplify the Liquid of this post",
}


class _Sink:
    """Issues and parse state of one render (one post)."""

    __slots__ = (
        "count",
        "deadline",
        "failed",
        "include_depth",
        "include_line",
        "includes",
        "issues",
        "line_starts",
        "pending",
        "seen",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.issues: list[LiquidIssue] = []
        self.seen: dict[tuple[int, str, str], None] = {}
        self.count = 0  # issues dropped beyond MAX_ISSUES included
        self.failed: set[tuple[int, int]] = set()  # tags that failed to parse
        self.pending: Counter[str] = Counter()  # end tags of blocks whose opening failed
        self.include_line: int | None = None  # line of the outermost include rendering
        self.include_depth = 0
        self.includes = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def line_of(self, token: Token | None) -> int:
        if self.include_line is not None:
            return self.include_line
        if token is None or token.source is not self.text or token.start_index < 0:
            return 1
        return bisect.bisect_right(self.line_starts, token.start_index)

    def add(self, line: int, code: str, message: str) -> None:
        key = (line, code, message)
        if key in self.seen:
            return
        self.seen[key] = None
        self.count += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(LiquidIssue(line, code, message, _HINTS.get(code)))

    def mark(self) -> tuple[int, int, int, Counter[str]]:
        return len(self.issues), self.count, len(self.seen), self.pending.copy()

    def restore(self, mark: tuple[int, int, int, Counter[str]]) -> None:
        del self.issues[mark[0] :]
        self.count = mark[1]
        while len(self.seen) > mark[2]:
            self.seen.popitem()  # the newest first
        self.pending = mark[3]

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _LimitError("rendering took too long", token=None)

    def result(self) -> list[LiquidIssue]:
        issues = sorted(self.issues, key=lambda i: i.line)
        if self.count > len(issues):
            issues.append(
                LiquidIssue(
                    issues[-1].line if issues else 1,
                    "liquid-limit",
                    f"{self.count - len(issues)} more Liquid problems not listed",
                    _HINTS["liquid-limit"],
                )
            )
        return issues


_SINK: contextvars.ContextVar[_Sink | None] = contextvars.ContextVar("liquid_sink", default=None)


class _LimitError(LiquidError):
    pass


class _TagError(LiquidError):
    """A Jekyll tag could not be evaluated; ``code`` says which kind."""

    def __init__(self, message: str, code: str, token: Token | None) -> None:
        super().__init__(message, token=token)
        self.code = code


def _report(err: LiquidError, token: Token | None = None) -> None:
    sink = _SINK.get()
    if sink is None:
        return
    code = getattr(err, "code", None) or (
        "liquid-limit"
        if isinstance(err, _LimitError) or "limit" in type(err).__name__.lower()
        else "liquid-render"
        if not isinstance(err, LiquidSyntaxError)
        else "liquid-syntax"
    )
    message = str(err.message) if err.message is not None else type(err).__name__
    if "context depth" in message:
        code = "liquid-limit"
    sink.add(sink.line_of(err.token or token), code, message)


# --------------------------------------------------------------------------- environment


class _Environment(Environment):
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
        _report(exc, token)


class _Guard(Tag):
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
        sink = _SINK.get()
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
                if isinstance(err, _TagError):
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


class _Unknown(Tag):
    """An unknown tag: removed and reported, unless it closes a block whose opening failed."""

    name = TOKEN_ILLEGAL
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
        sink = _SINK.get()
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


def _markup(stream: TokenStream) -> tuple[Token, str]:
    """Return the tag token and its markup, leaving the stream on the tag's last token."""
    token = stream.current
    if stream.peek.kind == TOKEN_EXPRESSION:
        next(stream)
        return token, stream.current.value
    return token, ""


def _evaluate(env: Environment, source: str, token: Token, context: RenderContext) -> object:
    tokens = TokenStream(tokenize(source, parent_token=token))
    expr = parse_primitive(env, tokens)
    if tokens.current.kind != TOKEN_EOF:
        raise _TagError(f"cannot evaluate {source!r}", "liquid-syntax", token)
    return expr.evaluate(context)


def _render_markup(engine: JekyllLiquid, text: str, context: RenderContext) -> str:
    """Render ``{{ }}`` inside a tag's markup (Jekyll renders link and include names)."""
    if "{{" not in text:
        return text
    buf = StringIO()
    engine.fragment(text).render_with_context(context, buf, partial=True)
    return buf.getvalue()


# --------------------------------------------------------------------------- tags

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
        sink = _SINK.get()
        tag = "include_relative" if self.relative else "include"
        name = _render_markup(self.engine, self.file, context).strip()
        if _INVALID_SEQUENCE.search(name) or not _VALID_FILENAME.match(name):
            raise _TagError(
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
            raise _TagError(
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
                raise _LimitError(
                    f"{{% {tag} {name} %}}: includes nested deeper than {MAX_INCLUDE_DEPTH}",
                    token=self.token,
                )
            sink.includes += 1
            if sink.includes > MAX_INCLUDES:
                raise _LimitError(f"more than {MAX_INCLUDES} includes rendered", token=self.token)
            sink.check_time()
            sink.include_depth += 1
            if outermost:
                sink.include_line = line
        try:
            params: dict[str, object] = {}
            for key, dq, sq, var in _INCLUDE_PARAM.findall(self.params):
                if var:
                    params[key] = _evaluate(self.engine.env, var, self.token, context)
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


class _IncludeTag(Tag):
    name = "include"
    block = False
    relative = False

    def __init__(self, env: Environment, engine: JekyllLiquid) -> None:
        super().__init__(env)
        self.engine = engine

    def parse(self, stream: TokenStream) -> Node:
        token, markup = _markup(stream)
        markup = markup.strip()
        matched = _INCLUDE_VARIABLE.match(markup)
        if matched:
            file, params = matched["variable"].strip(), matched["params"].strip()
        else:
            file, _, params = markup.partition(" ")
            params = params.strip()
        if not file:
            raise _TagError(f"{{% {self.name} %}} without a file name", "liquid-include", token)
        if params and not _INCLUDE_PARAMS.match(params):
            raise _TagError(
                f'{{% {self.name} {markup} %}}: parameters must be name="value" or name=variable',
                "liquid-syntax",
                token,
            )
        return _IncludeNode(token, self.engine, file, params, self.relative)


class _IncludeRelativeTag(_IncludeTag):
    name = "include_relative"
    relative = True


class _TextNode(Node):
    """A tag whose output is computed at render time by a callable."""

    __slots__ = ("compute",)

    def __init__(self, token: Token, compute: Callable[[RenderContext], str]) -> None:
        super().__init__(token)
        self.compute = compute
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(self.compute(context))


class _PostUrlTag(Tag):
    name = "post_url"
    block = False

    def __init__(self, env: Environment, engine: JekyllLiquid) -> None:
        super().__init__(env)
        self.engine = engine

    def parse(self, stream: TokenStream) -> Node:
        token, markup = _markup(stream)
        target = markup.strip()
        if not re.match(r"^/?(.+/)*(\d+-\d+-\d+)-(.*)$", target):
            raise _TagError(
                f"{{% post_url {target} %}}: not a post name (date and title)",
                "liquid-post-url",
                token,
            )
        engine = self.engine

        def compute(_context: RenderContext) -> str:
            url = engine.ctx.post_url(target)
            if url is None:
                raise _TagError(
                    f"{{% post_url {target} %}}: no post named {target!r}",
                    "liquid-post-url",
                    token,
                )
            return url

        return _TextNode(token, compute)


class _LinkTag(Tag):
    name = "link"
    block = False

    def __init__(self, env: Environment, engine: JekyllLiquid) -> None:
        super().__init__(env)
        self.engine = engine

    def parse(self, stream: TokenStream) -> Node:
        token, markup = _markup(stream)
        raw = markup.strip()
        engine = self.engine

        def compute(context: RenderContext) -> str:
            target = _render_markup(engine, raw, context).strip()
            if not engine.inside_source(target):
                raise _TagError(
                    f"{{% link {target} %}}: path leaves the site source",
                    "liquid-link",
                    token,
                )
            url, found = engine.ctx.link(target)
            if not found:
                _report(
                    _TagError(
                        f"{{% link {target} %}}: target not found; linked to {url}",
                        "liquid-link",
                        token,
                    )
                )
            return url

        return _TextNode(token, compute)


_HIGHLIGHT = re.compile(r"^([a-zA-Z0-9.+#_-]+)((\s+\w+(=(\w+|\"([0-9]+\s)*[0-9]+\"))?)*)$")
_EDGE_NEWLINES = re.compile(r"\A(\n|\r)+|(\n|\r)+\Z")


class _HighlightNode(Node):
    __slots__ = ("body", "lang")

    def __init__(self, token: Token, lang: str, body: BlockNode) -> None:
        super().__init__(token)
        self.lang = lang
        self.body = body
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        buf = StringIO()
        self.body.render(context, buf)
        code = _EDGE_NEWLINES.sub("", buf.getvalue())
        code = code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lang = self.lang
        return buffer.write(
            f'<figure class="highlight"><pre><code class="language-{lang.replace("+", "-")}"'
            f' data-lang="{lang}">{code.removesuffix(chr(10))}</code></pre></figure>'
        )


class _HighlightTag(Tag):
    name = "highlight"
    end = "endhighlight"
    block = True

    def parse(self, stream: TokenStream) -> Node:
        token, markup = _markup(stream)
        matched = _HIGHLIGHT.match(markup.strip())
        if not matched:
            raise _TagError(
                f"{{% highlight {markup.strip()} %}}: expected a language, "
                "e.g. {% highlight ruby linenos %}",
                "liquid-syntax",
                token,
            )
        next(stream)
        body = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        return _HighlightNode(token, matched[1].lower(), body)


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
            value = _evaluate(self.engine.env, source, self.token, context)
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
        sink = _SINK.get()
        outermost = sink is not None and sink.include_line is None
        if sink is not None and outermost:
            sink.include_line = sink.line_of(self.token)
        try:
            return buffer.write(template.render(namespace))
        finally:
            if sink is not None and outermost:
                sink.include_line = None


class _ShortcodeTag(Tag):
    block = False

    def __init__(self, env: Environment, engine: JekyllLiquid, name: str) -> None:
        super().__init__(env)
        self.engine = engine
        self.name = name

    def parse(self, stream: TokenStream) -> Node:
        token, markup = _markup(stream)
        args: list[tuple[str, str]] = []
        pos = 0
        markup = markup.strip()
        while pos < len(markup):
            matched = _SHORTCODE_ARG.match(markup, pos)
            if not matched or matched.end() == pos:
                raise _TagError(
                    f"{{% {self.name} {markup} %}}: cannot read the arguments",
                    "liquid-syntax",
                    token,
                )
            args.append((matched[1] or "", matched[2]))
            pos = matched.end()
        return _ShortcodeNode(token, self.engine, self.name, args)


# --------------------------------------------------------------------------- filters


def _ruby_str(value: object) -> str:
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %z").rstrip()
    return str(value)


def _ruby_inspect(value: object) -> str:
    if value is None or isinstance(value, Undefined):
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_ruby_inspect(k)}=>{_ruby_inspect(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_ruby_inspect(v) for v in value) + "]"
    return _ruby_str(value)


class _Filters:
    """Jekyll's filters, bound to one site."""

    def __init__(self, engine: JekyllLiquid) -> None:
        self.engine = engine
        site = engine.ctx.site
        self.url = _ruby_str(site.get("url") or "")
        self.baseurl = _ruby_str(site.get("baseurl") or "").removesuffix("/")
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
        return _ruby_str(value)

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
        relative = _ruby_str(self.relative_url(path))
        if not self.url:
            return relative
        return self._normalize(self.url + relative)

    @staticmethod
    def strip_index(value: object) -> object:
        if value is None or _ruby_str(value) == "":
            return None
        return re.sub(r"/index\.html?$", "/", _ruby_str(value))

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
            raise _TagError(f"invalid date {value!r}", "liquid-render", None)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=self.tz or UTC)
        return parsed.astimezone(self.tz) if self.tz is not None else parsed

    def date_to_xmlschema(self, value: object) -> object:
        if _ruby_str(value) == "":
            return value
        return self._time(value).isoformat(timespec="seconds")

    def date_to_rfc822(self, value: object) -> object:
        if _ruby_str(value) == "":
            return value
        moment = self._time(value)
        return moment.strftime("%a, %d %b %Y %H:%M:%S %z")

    def _stringify(self, value: object, month: str, kind: object, style: object) -> object:
        if _ruby_str(value) == "":
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

    # text
    def markdownify(self, value: object) -> str:
        convert = self.engine.ctx.markdownify
        text = _ruby_str(value)
        return convert(text) if convert is not None else text

    @staticmethod
    def smartify(value: object) -> str:
        return smartify(_ruby_str(value))

    @staticmethod
    def passthrough(value: object) -> object:
        return value

    @staticmethod
    def slugify(value: object, mode: object = None) -> object:
        if value is None or isinstance(value, Undefined):
            return None
        text = _ruby_str(value)
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
            _ruby_str(value)
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
        )

    @staticmethod
    def cgi_escape(value: object) -> str:
        return urllib.parse.quote_plus(_ruby_str(value), safe="~")

    @staticmethod
    def uri_escape(value: object) -> str:
        return urllib.parse.quote(_ruby_str(value), safe="!#$&'()*+,/:;=?@[]%-._~")

    @staticmethod
    def normalize_whitespace(value: object) -> str:
        return re.sub(r"\s+", " ", _ruby_str(value)).strip()

    @staticmethod
    def number_of_words(value: object, mode: object = None) -> int:
        text = _ruby_str(value)
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
        items = [_ruby_str(v) for v in value] if isinstance(value, list | tuple) else []
        conn = _ruby_str(connector)
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
                return _ruby_str(obj) if isinstance(obj, datetime) else obj.isoformat()
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
        return _Filters.xml_escape(_ruby_inspect(value))

    @staticmethod
    def to_integer(value: object) -> int:
        if value is True:
            return 1
        if value is False or value is None or isinstance(value, Undefined):
            return 0
        if isinstance(value, int | float):
            return int(value)
        matched = re.match(r"\s*([+-]?\d+)", _ruby_str(value).replace("_", ""))
        return int(matched[1]) if matched else 0

    # arrays
    @staticmethod
    def _property(item: object, prop: object) -> object:
        value: object = item
        for key in _ruby_str(prop).split("."):
            if isinstance(value, Mapping):
                value = value.get(key)
            else:
                return None
        text = _ruby_str(value) if isinstance(value, str | int | float) else None
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
        want = _ruby_str(target)
        if isinstance(prop, str):
            return prop == want
        values = prop if isinstance(prop, list | tuple) else [] if prop is None else [prop]
        return any(_ruby_str(v) == want for v in values)

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
            with context.extend({_ruby_str(variable): item}):
                template.render_with_context(context, buf, partial=True)
            yield item, buf.getvalue()

    @with_context
    def where_exp(
        self, value: object, variable: object, expression: object, *, context: RenderContext
    ) -> object:
        items = self._items(value)
        if items is None:
            return value
        source = "{% if " + _ruby_str(expression) + " %}1{% endif %}"
        return [i for i, out in self._with_each(context, items, variable, source) if out == "1"]

    @with_context
    def find_exp(
        self, value: object, variable: object, expression: object, *, context: RenderContext
    ) -> object:
        items = self._items(value)
        if items is None:
            return value
        source = "{% if " + _ruby_str(expression) + " %}1{% endif %}"
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
        return self._grouped((i, _ruby_str(self._property(i, prop))) for i in value)

    @with_context
    def group_by_exp(
        self, value: object, variable: object, expression: object, *, context: RenderContext
    ) -> object:
        if not isinstance(value, list | tuple):
            return value
        source = "{{ " + _ruby_str(expression) + " }}"
        return self._grouped(self._with_each(context, list(value), variable, source))

    def sort(self, value: object, prop: object = None, nils: object = "first") -> object:
        if value is None or isinstance(value, Undefined):
            raise _TagError("sort: cannot sort a null object", "liquid-render", None)
        items = self._items(value)
        if items is None:
            return value
        if prop is None:
            try:
                return sorted(items)  # type: ignore[type-var]
            except TypeError:
                return sorted(items, key=_ruby_str)
        if nils not in ("first", "last"):
            raise _TagError(
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
            present.sort(key=lambda pair: _ruby_str(pair[0]))
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
        count = _Filters.to_integer(num)
        return list(value[: len(value) - count]) if count > 0 else list(value)

    @staticmethod
    def shift(value: object, num: object = 1) -> object:
        if not isinstance(value, list | tuple):
            return value
        count = _Filters.to_integer(num)
        return list(value[count:]) if count > 0 else list(value)

    @staticmethod
    def sample(value: object, num: object = 1) -> object:
        if not isinstance(value, list | tuple):
            return value
        count = _Filters.to_integer(num)
        if count == 1:
            return random.choice(value) if value else None
        return random.sample(list(value), min(max(count, 0), len(value)))

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
        for name, func in plain.items():
            env.add_filter(name, _guarded(name, func))
        for name, func in (
            ("where_exp", self.where_exp),
            ("find_exp", self.find_exp),
            ("group_by_exp", self.group_by_exp),
        ):
            env.add_filter(name, with_context(_guarded(name, func)))


def _guarded(name: str, func: Callable[..., object]) -> Callable[..., object]:
    """Turn a filter's Python errors into render issues rather than crashes."""

    def call(*args: Any, **kwargs: Any) -> object:
        try:
            return func(*args, **kwargs)
        except LiquidError:
            raise
        except (TypeError, ValueError, OverflowError, ArithmeticError) as err:
            raise _TagError(f"{name}: {err}", "liquid-render", None) from err

    return call


# --------------------------------------------------------------------------- the engine

# Where python-liquid's lexer would choke (an opening delimiter that never closes, a tag
# without a name), the text is cleaned first. One left-to-right pass: linear in the text.
_OPENER = re.compile(r"\{\{|\{%")
_TAG_NAME = re.compile(r"\{%-?\s*(#|\w+)")
_RAW_START = re.compile(r"\{%-?\s*(raw|doc)\s*-?%\}")
_RAW_END = {
    "raw": re.compile(r"\{%-?\s*endraw\s*-?%\}"),
    "doc": re.compile(r"\{%-?\s*enddoc\s*-?%\}"),
}
_MARKUP = re.compile(r"\{%-?\s*(\w+)?(.*?)-?%\}|\{\{-?(.*?)-?\}\}", re.S)


def smartify(text: str) -> str:
    """Jekyll's ``smartify``: straight quotes, dashes and ellipses made typographic."""
    text = re.sub(r"&(?!#?\w+;)", "&amp;", text)
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    text = re.sub(r'(^|[\s(\[{\u2014\u2013])"', "\\1\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(^|[\s(\[{\u2014\u2013])'", "\\1\u2018", text)
    return text.replace("'", "\u2019")


def _keep_newlines(text: str) -> str:
    return "\n" * text.count("\n")


class JekyllLiquid:
    """A Liquid environment configured like Jekyll's, built once per site."""

    def __init__(self, ctx: SiteContext) -> None:
        self.ctx = ctx
        env = _Environment(tolerance=Mode.LAX, strict_filters=False)
        _Filters(self).register(env)
        env.add_tag(_HighlightTag)
        jekyll_tags: tuple[type[_IncludeTag | _PostUrlTag | _LinkTag], ...] = (
            _IncludeTag,
            _IncludeRelativeTag,
            _PostUrlTag,
            _LinkTag,
        )
        for tag_class in jekyll_tags:
            env.tags[tag_class.name] = tag_class(env, self)
        for name in ctx.shortcodes:
            env.tags[name] = _ShortcodeTag(env, self, name)
        for name, tag in list(env.tags.items()):
            if name not in (TOKEN_ILLEGAL, "content", "output", "comment", "doc"):
                env.tags[name] = _Guard(env, tag)
        env.tags[TOKEN_ILLEGAL] = _Unknown(env)
        self.env = env
        self._fragments: dict[str, BoundTemplate] = {}
        self._includes: dict[tuple[Path, ...], tuple[BoundTemplate | None, list[LiquidIssue]]] = {}
        self._shortcodes: dict[str, BoundTemplate] = {}
        self._site_root = ctx.source.resolve() if ctx.source is not None else None

    # -- pieces parsed once and cached

    def fragment(self, source: str) -> BoundTemplate:
        template = self._fragments.get(source)
        if template is None:
            template = self._parse_isolated(source)[0]
            if len(self._fragments) < 1000:
                self._fragments[source] = template
        return template

    def _parse_isolated(self, source: str) -> tuple[BoundTemplate, list[LiquidIssue]]:
        sink = _Sink(source)
        token = _SINK.set(sink)
        try:
            clean = self._clean(source, sink)
            sink.text = clean
            template = self.env.template_class(env=self.env, nodes=self.env._parse(clean))
        except LiquidError as err:
            _report(err)
            template = self.env.template_class(env=self.env, nodes=[])
        finally:
            _SINK.reset(token)
        return template, sink.result()

    def shortcode(self, name: str) -> BoundTemplate:
        template = self._shortcodes.get(name)
        if template is None:
            template, issues = self._parse_isolated(self.ctx.shortcodes[name])
            sink = _SINK.get()
            if sink is not None:
                for issue in issues:
                    sink.add(sink.include_line or 1, issue.code, f"in {name}: {issue.message}")
            self._shortcodes[name] = template
        return template

    def include(
        self, name: str, dirs: Sequence[Path]
    ) -> tuple[BoundTemplate | None, list[LiquidIssue]]:
        for folder in dirs:
            key = (folder, Path(name))
            cached = self._includes.get(key)
            if cached is not None:
                return cached
            root = folder.resolve()
            path = (folder / name).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                continue
            try:
                source = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found = self._parse_isolated(source)
            self._includes[key] = found
            return found
        return None, []

    def relative_dirs(self, context: RenderContext) -> tuple[Path, ...]:
        root = self._site_root
        page = context.resolve("page")
        rel = page.get("path") if isinstance(page, Mapping) else None
        if root is None or not isinstance(rel, str):
            return ()
        folder = (root / rel).parent.resolve()
        return (folder,) if folder.is_relative_to(root) else ()

    def inside_source(self, target: str) -> bool:
        if not target or target.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", target):
            return False
        if ".." in re.split(r"[/\\]", target):
            return False
        root = self._site_root
        if root is None:
            return True
        path = (root / target).resolve()
        return path.is_relative_to(root)

    # -- rendering

    @staticmethod
    def _clean(text: str, sink: _Sink) -> str:
        """Remove delimiters python-liquid cannot lex (reported), keeping line numbers."""
        out: list[str] = []
        pos = 0
        no_close = {"{{": len(text) + 1, "{%": len(text) + 1}  # first index with no closer
        no_end = {"raw": len(text) + 1, "doc": len(text) + 1}
        for matched in _OPENER.finditer(text):
            start = matched.start()
            if start < pos:
                continue
            opener = matched.group()
            if opener == "{%":
                raw = _RAW_START.match(text, start)
                if raw:
                    kind = raw[1]
                    end = None if start >= no_end[kind] else _RAW_END[kind].search(text, raw.end())
                    if end:
                        out.append(text[pos : end.end()])
                        pos = end.end()
                        continue
                    # python-liquid would scan to the end of the text for each of them
                    no_end[kind] = min(no_end[kind], start)
                    out.append(text[pos:start])
                    pos = raw.end()
                    line = bisect.bisect_right(sink.line_starts, start)
                    sink.add(line, "liquid-unclosed", f"{{% {kind} %}} without end{kind} removed")
                    continue
            closer = "}}" if opener == "{{" else "%}"
            close = -1 if start >= no_close[opener] else text.find(closer, start + 2)
            line = bisect.bisect_right(sink.line_starts, start)
            if close < 0:
                no_close[opener] = min(no_close[opener], start)
                out.append(text[pos:start])
                pos = start + 2
                what = "output '{{'" if opener == "{{" else "tag '{%'"
                sink.add(line, "liquid-unclosed", f"unclosed Liquid {what} removed")
                continue
            if opener == "{%" and not _TAG_NAME.match(text, start):
                out.append(text[pos:start])
                out.append(_keep_newlines(text[start : close + 2]))
                pos = close + 2
                sink.add(line, "liquid-syntax", "Liquid tag without a name removed")
                continue
            out.append(text[pos : close + 2])
            pos = close + 2
        out.append(text[pos:])
        return "".join(out)

    def render(self, text: str, page: Mapping[str, object]) -> tuple[str, list[LiquidIssue]]:
        """Render one post's text; return the output and what could not be evaluated."""
        if "{" not in text:
            return text, []
        sink = _Sink(text)
        token = _SINK.set(sink)
        try:
            clean = self._clean(text, sink)
            sink.text = clean
            try:
                nodes = self.env._parse(clean)
                template = self.env.template_class(env=self.env, nodes=nodes)
                output = template.render(site=self.ctx.site, page=_ruby_page(page))
            except (LiquidError, RecursionError) as err:
                sink.add(1, "liquid-limit", f"Liquid not evaluated: {err}")
                output = _strip_markup(clean)
        finally:
            _SINK.reset(token)
        return output, sink.result()


def _strip_markup(text: str) -> str:
    """Last resort: the text with every Liquid tag and output removed."""
    return _MARKUP.sub(lambda m: _keep_newlines(m.group()), text)


class _RubyTime(datetime):
    """A datetime that prints as Ruby's Time#to_s, as Jekyll's ``{{ page.date }}`` does."""

    def __str__(self) -> str:
        return _ruby_str(self)


def _ruby_page(page: Mapping[str, object]) -> Mapping[str, object]:
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
