"""What goes wrong in one post: the error that keeps it out of the feeds, and the
collector of the diagnostics that do not."""

from __future__ import annotations

from dataclasses import dataclass, field

from feedwright.errors import FeedwrightError
from feedwright.types import Diagnostic, Severity


class PostError(FeedwrightError):
    """A file that cannot be published as a post; ``code`` names the problem for people
    and tools, ``line`` is where it is (1-based, in the file), ``hint`` the fix."""

    def __init__(self, code: str, message: str, line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.hint = hint


@dataclass
class Report:
    """The diagnostics of one file, collected as it is read (not a value: it grows)."""

    relpath: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.diagnostics.append(Diagnostic(severity, code, message, self.relpath, line, hint))
