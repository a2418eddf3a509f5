"""Walk a posts folder and read its files safely: no symlinked folder followed, nothing
outside the folder read, no FIFO or device opened, no file read past the size limit."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from feedwright.types import Diagnostic, Post, Severity, Skipped

# Jekyll's default markdown_ext, and .html: the files of a posts folder that are posts.
POST_EXTENSIONS = (".markdown", ".mkdown", ".mkdn", ".mkd", ".md", ".html")
# EntryFilter#special? and #backup?: names Jekyll never reads.
_IGNORED_START = ("_", "#", "~")


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What one file yields: a post, or the reason it is not one; plus its diagnostics."""

    post: Post | None
    skipped: Skipped | None
    diagnostics: tuple[Diagnostic, ...]

    def named(self, rel: str) -> FileOutcome:
        """The same outcome, its skip reason and diagnostics naming the file ``rel``."""
        skipped = self.skipped
        return FileOutcome(
            self.post,
            None if skipped is None else Skipped(rel, skipped.reason, skipped.error),
            tuple(
                Diagnostic(d.severity, d.code, d.message, rel, d.line, d.hint)
                for d in self.diagnostics
            ),
        )


def walk_posts(
    root: Path, extensions: tuple[str, ...] = POST_EXTENSIONS, *, drafts: bool = False
) -> tuple[list[tuple[str, str]], list[Skipped], list[Diagnostic]]:
    """Every candidate file under ``root`` (a ``_posts`` folder) in a stable order, as
    (relative path, full path) strings, plus what was passed over and why: files whose
    extension (lower case, with the dot) is not one of ``extensions``, and the names
    Jekyll ignores (starting with '_', '#' or '~', or ending with '~'). The ``_drafts``
    folder is read only when ``drafts``. Never follows a symlinked folder
    (loops, or views of other folders), never reads through a symlink that leads outside
    ``root``, and never opens a FIFO or device. Built with scandir (no pathlib in the
    loop: the no-op build walks every file each time)."""
    found: list[tuple[str, str]] = []
    skipped: list[Skipped] = []
    diags: list[Diagnostic] = []
    real_root = os.path.realpath(root) + os.sep

    def skip(rel: str, reason: str, severity: Severity, hint: str | None = None) -> None:
        skipped.append(Skipped(rel, reason, False))
        diags.append(Diagnostic(severity, "skipped", f"skipped: {reason}", rel, None, hint))

    def walk(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skip(prefix or "./", f"cannot list folder: {exc.strerror or exc}", Severity.WARNING)
            return
        subfolders: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + name
            if (
                entry.is_file(follow_symlinks=False)  # the usual case, decided at once
                and name.isascii()
                and name.lower().endswith(extensions)
                and not name.startswith(_IGNORED_START)
                and not name.endswith("~")
            ):
                found.append((rel, entry.path))
                continue
            if not name.isascii() and not _utf8(name):
                shown = printable_name(rel)
                reason = "file name is not valid UTF-8; not read"
                hint = "rename it (feeds and the state folder need a UTF-8 name)"
                skipped.append(Skipped(shown, reason, True))
                diags.append(Diagnostic(Severity.ERROR, "name", reason, shown, None, hint))
                continue
            if entry.is_dir(follow_symlinks=False):
                if rel == "_drafts" and not drafts:
                    skip(
                        rel + "/",
                        "drafts folder: drafts are published only with drafts: true",
                        Severity.NOTE,
                    )
                    continue
                if rel.startswith(_IGNORED_START) and rel != "_drafts":
                    skip(rel + "/", "Jekyll ignores folders named _x, #x or ~x", Severity.NOTE)
                    continue
                if name.lower().endswith(extensions):
                    diags.append(
                        Diagnostic(
                            Severity.NOTE,
                            "folder-named-like-post",
                            "a folder named like a post: scanned as a folder",
                            rel + "/",
                        )
                    )
                subfolders.append((entry.path, rel + "/"))
                continue
            symlink = entry.is_symlink()
            try:
                linked_dir = symlink and entry.is_dir()
            except OSError:  # a symlink loop
                linked_dir = False
            if linked_dir:
                skip(
                    rel + "/",
                    "symlinked folder not followed (it could loop or lead outside "
                    "the posts folder)",
                    Severity.WARNING,
                    "copy or move the posts into the folder",
                )
                continue
            if not name.lower().endswith(extensions):
                skip(
                    rel,
                    "not a post: only Markdown (markdown_ext) and .html files are",
                    Severity.NOTE,
                )
                continue
            if name.startswith(_IGNORED_START) or name.endswith("~"):
                skip(rel, "Jekyll ignores files named _x, #x, ~x or x~", Severity.NOTE)
                continue
            if symlink:
                try:
                    target = os.path.realpath(entry.path, strict=True)
                except (OSError, RuntimeError):
                    skip(
                        rel,
                        "broken or looping symlink",
                        Severity.WARNING,
                        "point the link at a post file or delete it",
                    )
                    continue
                if not target.startswith(real_root):
                    skip(
                        rel,
                        "symlink leads outside the posts folder; not read",
                        Severity.WARNING,
                        "copy the post into the posts folder instead",
                    )
                    continue
            try:
                regular = entry.is_file()
            except OSError:
                regular = False
            if not regular:
                skip(
                    rel,
                    "not a regular file (a FIFO, device or socket); not read",
                    Severity.WARNING,
                    "posts must be plain files",
                )
                continue
            found.append((rel, entry.path))
        for full, rel in subfolders:
            walk(full, rel)

    walk(str(root), "")
    return found, skipped, diags


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes the file system gave that UTF-8 cannot decode
        return False
    return True


def printable_name(rel: str) -> str:
    """A path that may hold undecodable bytes (as surrogate escapes), shown with each such
    byte as ``\\xNN``."""
    raw = rel.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "backslashreplace")


_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _open_post(path: Path, root: Path | None) -> tuple[int, int]:
    """A descriptor for a post that is a regular file inside ``root``, and its size. The
    walk listed the folder earlier: a file swapped since for a symlink that leaves the
    folder, or for a FIFO or a device, is refused here, on what was opened (never a later
    look at the name), and a FIFO never blocks the build."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno != errno.ELOOP or root is None:
            raise
        target = os.path.realpath(path)  # a symlink the walk accepted: inside the folder?
        inside = os.path.realpath(root) + os.sep
        if not target.startswith(inside):
            raise OSError(errno.ELOOP, "a symbolic link out of the posts folder") from None
        fd = os.open(target, _OPEN_FLAGS)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file")
    return fd, st.st_size


def _read(fd: int, count: int) -> bytes:
    """Up to ``count`` bytes from ``fd``: fewer only at the end of the file."""
    parts: list[bytes] = []
    while count > 0:
        part = os.read(fd, count)
        if not part:
            break
        parts.append(part)
        count -= len(part)
    return b"".join(parts)


def read_limited(path: Path, limit: int, root: Path | None = None) -> bytes | FileOutcome:
    """The file's bytes, reading at most ``limit`` + 1 of them (bounded memory), or the
    outcome that explains why it was not read. Diagnostics name no file yet. ``root``:
    the posts folder, which a symlinked post must not leave."""
    try:
        fd, size = _open_post(path, root)
        try:
            if size > limit:
                data = b"x" * (limit + 1)  # not read
            else:
                # a buffer of the file's size, not of the limit; more if it grew since
                data = _read(fd, size + 1)
                if len(data) > size:
                    data += _read(fd, limit + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as exc:
        message = f"cannot read: {exc.strerror or exc}"
        diag = Diagnostic(Severity.ERROR, "read", f"skipped: {message}")
        return FileOutcome(None, Skipped("", message, True), (diag,))
    if len(data) > limit:
        message = f"larger than limits.post_size ({limit} bytes); not published"
        diag = Diagnostic(
            Severity.WARNING,
            "too-large",
            f"skipped: {message}",
            "",
            None,
            "split the post, or raise limits.post_size in the config",
        )
        return FileOutcome(None, Skipped("", message, False), (diag,))
    return data
