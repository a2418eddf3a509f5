"""Resolve the Jekyll Liquid that blog posts use, before Markdown runs.

Handled: ``{% raw %}``, ``{% comment %}``, ``{% post_url %}``, ``{% link %}``,
``{% highlight %}``, ``{{ site.url }}``, ``{{ site.baseurl }}``, ``{{ site.title }}`` and
string literals such as ``{{ "{{" }}``. Any other tag is removed with a warning; any other
output is kept as written with a warning (shell snippets contain Go templates).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(
    r"(?P<block>\{%-?\s*(?P<bname>raw|comment)\s*-?%\}(?P<bbody>.*?)"
    r"\{%-?\s*end(?P=bname)\s*-?%\})"
    r"|(?P<tag>\{%-?\s*(?P<tname>[A-Za-z_][\w-]*)(?P<targs>.*?)-?%\})"
    r"|(?P<out>\{\{-?\s*(?P<expr>.*?)\s*-?\}\})",
    re.DOTALL,
)
_LITERAL = re.compile(r"""^(?:"([^"]*)"|'([^']*)')$""")


@dataclass(frozen=True, slots=True)
class LiquidIssue:
    line: int  # 1-based, within the text given
    code: str
    message: str
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class LiquidContext:
    site_url: str  # without trailing slash
    baseurl: str
    site_title: str
    post_url: Callable[[str], str | None]  # post name -> absolute URL
    link: Callable[[str], tuple[str, bool]]  # path -> (URL, found)


def resolve(text: str, ctx: LiquidContext) -> tuple[str, list[LiquidIssue]]:
    if "{" not in text:
        return text, []
    issues: list[LiquidIssue] = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        return bisect.bisect_right(line_starts, pos)

    def replace(match: re.Match[str]) -> str:
        line = line_of(match.start())
        if match["block"] is not None:
            return match["bbody"] if match["bname"] == "raw" else ""
        if match["tag"] is not None:
            return _tag(match["tname"], match["targs"].strip(), match[0], line, ctx, issues)
        return _output(match["expr"], match[0], line, ctx, issues)

    return _TOKEN.sub(replace, text), issues


def _argument(args: str) -> str:
    value = args.strip()
    lit = _LITERAL.match(value)
    return (lit.group(1) if lit.group(1) is not None else lit.group(2)) if lit else value


def _tag(
    name: str, args: str, raw: str, line: int, ctx: LiquidContext, issues: list[LiquidIssue]
) -> str:
    if name == "post_url":
        target = _argument(args)
        url = ctx.post_url(target)
        if url is None:
            issues.append(
                LiquidIssue(
                    line,
                    "liquid-post-url",
                    f"{{% post_url {target} %}}: no post named {target!r}",
                    "name an existing post file without its extension, e.g. 2024-06-28-my-post",
                )
            )
            return ctx.site_url + ctx.baseurl + "/"
        return url
    if name == "link":
        target = _argument(args)
        url, found = ctx.link(target)
        if not found:
            issues.append(
                LiquidIssue(
                    line,
                    "liquid-link",
                    f"{{% link {target} %}}: target not found; linked to {url}",
                    "set 'source:' in the config to the site's source folder, or fix the path",
                )
            )
        return url
    if name == "highlight":
        lang = args.split()[0] if args.split() else ""
        return f"```{lang}"
    if name == "endhighlight":
        return "```"
    issues.append(
        LiquidIssue(
            line,
            "liquid-tag",
            f"unsupported Liquid tag {raw.strip()!r} removed",
            "feeds cannot run site plugins; replace the tag with plain Markdown or HTML",
        )
    )
    return ""


def _output(expr: str, raw: str, line: int, ctx: LiquidContext, issues: list[LiquidIssue]) -> str:
    lit = _LITERAL.match(expr)
    if lit:
        return lit.group(1) if lit.group(1) is not None else lit.group(2)
    known = {"site.url": ctx.site_url, "site.baseurl": ctx.baseurl, "site.title": ctx.site_title}
    if expr in known:
        return known[expr]
    issues.append(
        LiquidIssue(
            line,
            "liquid-output",
            f"Liquid output {raw!r} kept as written",
            "wrap literal braces in {% raw %}...{% endraw %}",
        )
    )
    return raw
