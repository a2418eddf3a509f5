"""What a post's Liquid could not do: the issues reported per post, the limits that bound
rendering of hostile input, and the errors that carry both."""

from __future__ import annotations

import bisect
import contextvars
import re
import time
from collections import Counter
from dataclasses import dataclass

from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.token import Token

from feedwright.errors import FeedwrightError

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


class Sink:
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
            raise LimitError("rendering took too long", token=None)

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


SINK: contextvars.ContextVar[Sink | None] = contextvars.ContextVar("liquid_sink", default=None)


class LimitError(LiquidError, FeedwrightError):
    """A limit on the work one post may cause was reached."""


class TagError(LiquidError, FeedwrightError):
    """A Jekyll tag could not be evaluated; ``code`` says which kind."""

    def __init__(self, message: str, code: str, token: Token | None) -> None:
        super().__init__(message, token=token)
        self.code = code


def report(err: LiquidError, token: Token | None = None) -> None:
    sink = SINK.get()
    if sink is None:
        return
    code = getattr(err, "code", None) or (
        "liquid-limit"
        if isinstance(err, LimitError) or "limit" in type(err).__name__.lower()
        else "liquid-render"
        if not isinstance(err, LiquidSyntaxError)
        else "liquid-syntax"
    )
    message = str(err.message) if err.message is not None else type(err).__name__
    if "context depth" in message:
        code = "liquid-limit"
    sink.add(sink.line_of(err.token or token), code, message)
