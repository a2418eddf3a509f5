"""One error root for everything feedwright raises on purpose."""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from pathlib import Path

# Exit codes, one table for every command (the CLI's help repeats it).
EXIT_OK = 0
EXIT_ERRORS = 1  # some posts had errors (feeds were still written for the rest), or a failure
EXIT_USAGE = 2  # bad config or usage
EXIT_STRICT = 3  # warnings, under --strict
EXIT_BUG = 70  # an unexpected error inside feedwright (a bug): the traceback is in a file
EXIT_FILES = 73  # a file or folder cannot be read or written (permissions, disk full, ...)
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


class FileProblem(FeedwrightError):
    """A file or folder feedwright needs cannot be used: one line with the path, what is
    wrong and the fix."""

    exit_code = EXIT_FILES

    def __init__(self, path: Path | str, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{path}: {problem}; {fix}")


# errno -> (what is wrong, how to fix it); "{setting}" names the config key at fault
_PROBLEMS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "give the user running feedwright access, or {change}"),
    errno.EPERM: (
        "operation not permitted",
        "give the user running feedwright access, or {change}",
    ),
    errno.EROFS: ("read-only file system", "remount it writable, or {change}"),
    errno.ENOSPC: ("no space left on the device", "free some space on it, or {change}"),
    errno.EDQUOT: ("disk quota exceeded", "free some space on it, or {change}"),
    errno.ENOTDIR: ("a file is in the way where a folder should be", "remove it, or {change}"),
    errno.EEXIST: ("a file is in the way where a folder should be", "remove it, or {change}"),
    errno.EISDIR: ("a folder is in the way where a file should be", "remove it, or {change}"),
    errno.ENOENT: ("does not exist", "create it, or {change}"),
    errno.ENOLCK: ("cannot be locked (no lock support)", "use a local file system, or {change}"),
    errno.ELOOP: ("a symbolic link loop", "remove the link, or {change}"),
    errno.ENAMETOOLONG: ("the name is too long", "{change}"),
}


def file_problem(exc: OSError, settings: Mapping[Path, str] | None = None) -> FileProblem:
    """The one-line :class:`FileProblem` for an ``OSError``. ``settings`` maps the folders
    of the config (output, state, posts) to their keys, so the fix can name the setting."""
    name = exc.filename if exc.filename is not None else exc.filename2
    path = Path(os.fsdecode(name)) if isinstance(name, str | bytes) else Path("(unknown path)")
    setting = _setting_of(path, settings or {})
    change = f"set {setting} to another folder" if setting else "choose another path"
    default = (exc.strerror or type(exc).__name__).lower(), "fix it, or {change}"
    problem, fix = _PROBLEMS.get(exc.errno or 0, default)
    return FileProblem(path, problem, fix.format(change=change))


def _setting_of(path: Path, settings: Mapping[Path, str]) -> str | None:
    """The key of the deepest config folder ``path`` is in (or is), or None."""
    best: tuple[int, str] | None = None
    absolute = Path(os.path.abspath(path))
    for folder, key in settings.items():
        root = Path(os.path.abspath(folder))
        if absolute == root or root in absolute.parents:
            depth = len(root.parts)
            if best is None or depth > best[0]:
                best = (depth, key)
    return None if best is None else best[1]


def one_line(message: str) -> str:
    """A multi-line message (an invalid config lists its problems) as one line."""
    first, *rest = message.splitlines() or [""]
    problems = [line.strip().removeprefix("- ") for line in rest if line.strip()]
    return f"{first}: {'; '.join(problems)}" if problems else first
