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
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from liquid import BoundTemplate, Mode, RenderContext
from liquid.exceptions import LiquidError
from liquid.token import TOKEN_ILLEGAL

from feedwright.render.liquid.context import SiteContext
from feedwright.render.liquid.environment import GuardedTag, JekyllEnvironment, UnknownTag
from feedwright.render.liquid.filters import Filters
from feedwright.render.liquid.includes import IncludeRelativeTag, IncludeTag
from feedwright.render.liquid.issues import SINK, LiquidIssue, Sink, report
from feedwright.render.liquid.ruby import ruby_page
from feedwright.render.liquid.tags import HighlightTag, LinkTag, PostUrlTag, ShortcodeTag
from feedwright.render.text import smartify

__all__ = ["JekyllLiquid", "LiquidIssue", "SiteContext", "smartify"]


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


def _keep_newlines(text: str) -> str:
    return "\n" * text.count("\n")


class JekyllLiquid:
    """A Liquid environment configured like Jekyll's, built once per site."""

    def __init__(self, ctx: SiteContext) -> None:
        self.ctx = ctx
        env = JekyllEnvironment(tolerance=Mode.LAX, strict_filters=False)
        Filters(self).register(env)
        env.add_tag(HighlightTag)
        jekyll_tags: tuple[type[IncludeTag | PostUrlTag | LinkTag], ...] = (
            IncludeTag,
            IncludeRelativeTag,
            PostUrlTag,
            LinkTag,
        )
        for tag_class in jekyll_tags:
            env.tags[tag_class.name] = tag_class(env, self)
        for name in ctx.shortcodes:
            env.tags[name] = ShortcodeTag(env, self, name)
        for name, tag in list(env.tags.items()):
            if name not in (TOKEN_ILLEGAL, "content", "output", "comment", "doc"):
                env.tags[name] = GuardedTag(env, tag)
        env.tags[TOKEN_ILLEGAL] = UnknownTag(env)
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
        sink = Sink(source)
        token = SINK.set(sink)
        try:
            clean = self._clean(source, sink)
            sink.text = clean
            template = self.env.template_class(env=self.env, nodes=self.env._parse(clean))
        except LiquidError as err:
            report(err)
            template = self.env.template_class(env=self.env, nodes=[])
        finally:
            SINK.reset(token)
        return template, sink.result()

    def shortcode(self, name: str) -> BoundTemplate:
        template = self._shortcodes.get(name)
        if template is None:
            template, issues = self._parse_isolated(self.ctx.shortcodes[name])
            sink = SINK.get()
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
    def _clean(text: str, sink: Sink) -> str:
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
        sink = Sink(text)
        token = SINK.set(sink)
        try:
            clean = self._clean(text, sink)
            sink.text = clean
            try:
                nodes = self.env._parse(clean)
                template = self.env.template_class(env=self.env, nodes=nodes)
                output = template.render(site=self.ctx.site, page=ruby_page(page))
            except (LiquidError, RecursionError) as err:
                sink.add(1, "liquid-limit", f"Liquid not evaluated: {err}")
                output = _strip_markup(clean)
        finally:
            SINK.reset(token)
        return output, sink.result()


def _strip_markup(text: str) -> str:
    """Last resort: the text with every Liquid tag and output removed."""
    return _MARKUP.sub(lambda m: _keep_newlines(m.group()), text)
