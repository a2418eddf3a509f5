"""One error root for everything feedwright raises on purpose."""

from __future__ import annotations

from pathlib import Path

# Exit codes, one table for every command (the CLI's help repeats it).
EXIT_OK = 0
EXIT_ERRORS = 1  # some posts had errors (feeds were still written for the rest), or a failure
EXIT_USAGE = 2  # bad config or usage
EXIT_STRICT = 3  # warnings, under --strict
EXIT_LOCKED = 75  # the output folder is locked, or (serve) the address is in use
EXIT_INTERRUPTED = 130  # Ctrl-C


class FeedwrightError(Exception):
    """Base class of every error feedwright raises deliberately."""

    exit_code = EXIT_ERRORS


class ConfigError(FeedwrightError):
    """The configuration file (or a CLI override) is invalid."""

    exit_code = EXIT_USAGE

    def __init__(self, path: Path | None, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        where = str(path) if path is not None else "configuration"
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{where}: invalid configuration\n{lines}")


class UsageError(FeedwrightError):
    """A command-line option has a bad value."""

    exit_code = EXIT_USAGE


class LockedError(FeedwrightError):
    """Another feedwright process holds the output folder."""

    exit_code = EXIT_LOCKED

    def __init__(self, output: Path) -> None:
        self.output = output
        super().__init__(
            f"{output}: locked by another feedwright run; "
            "wait for it to finish (or stop it) and try again"
        )


class ServeError(FeedwrightError):
    """``serve`` cannot listen: a bad address (exit 2), or one already in use (exit 75,
    like a locked output folder: another process holds it)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, in_use: bool = False) -> None:
        super().__init__(message)
        if in_use:
            self.exit_code = EXIT_LOCKED
