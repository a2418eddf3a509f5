"""Scan a posts folder: read each Jekyll-style post, parse its front matter and dates,
and return typed posts plus every problem found, each naming the file and line."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from feedwright.config import Config, PublicationDate
from feedwright.index.terms import split_names
from feedwright.scan import dates, permalink
from feedwright.text import first_illegal_line, strip_xml_illegal
from feedwright.types import Author, Diagnostic, Post, ScanResult, Severity, Skipped

POST_EXTENSIONS = (".md", ".markdown")
# Front-matter keys feedwright reads, and others that Jekyll sites commonly use. An
# unknown key close to one that is read is probably a typo ("pug-year").
READ_KEYS = frozenset(
    """title author authors description category categories tags tag pub-date pub-year
    date updated last_modified_at published draft slug permalink image""".split()
)
KNOWN_KEYS = READ_KEYS | frozenset(
    """layout comments excerpt excerpt_separator toc lang sitemap redirect_from
    redirect_to navbar_active hidden feature featured summary subtitle series canonical_url
    modified_date share header teaser""".split()
)
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00ef][\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021"
    "\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013"
    "\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]"
)
# Jekyll's DATE_FILENAME_MATCHER.
_FILENAME = re.compile(
    r"^(?P<y>\d{2,4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})-(?P<slug>.*)(?P<ext>\.[^.]+)$"
)
_BOUNDARY = YAMLHandler.FM_BOUNDARY
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Report:
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


class PostError(Exception):
    def __init__(self, code: str, message: str, line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.hint = hint


class _Excluded(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def iter_post_files(root: Path) -> tuple[list[Path], list[Skipped], list[Diagnostic]]:
    """Every candidate file under ``root`` in a stable order, plus what was passed over and
    why. Never follows a symlinked folder (loops, or views of other folders), never reads
    through a symlink that leads outside ``root``, and never opens a FIFO or device."""
    found, skipped, diags = walk_posts(root)
    return [Path(full) for _, full in found], skipped, diags


def walk_posts(root: Path) -> tuple[list[tuple[str, str]], list[Skipped], list[Diagnostic]]:
    """:func:`iter_post_files` as (relative path, full path) strings, built with scandir
    (no pathlib in the loop: the no-op build walks every file each time)."""
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
            if entry.is_dir(follow_symlinks=False):
                if name == "_drafts":
                    skip(rel + "/", "drafts folder: drafts are not published", Severity.NOTE)
                    continue
                if name.lower().endswith(POST_EXTENSIONS):
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
            if not name.lower().endswith(POST_EXTENSIONS):
                skip(rel, "not a Markdown post (.md or .markdown)", Severity.NOTE)
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


def read_limited(path: Path, limit: int) -> bytes | FileOutcome:
    """The file's bytes, reading at most ``limit`` + 1 of them (bounded memory), or the
    outcome that explains why it was not read. Diagnostics name no file yet."""
    try:
        size = path.stat().st_size
        if size > limit:
            data = b"x" * (limit + 1)  # not even opened
        else:
            with open(path, "rb") as handle:
                # a buffer of the file's size, not of the limit; more if it grew since
                data = handle.read(size + 1)
                if len(data) > size:
                    data += handle.read(limit + 1 - len(data))
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


def _rel_skipped(skipped: Skipped | None, rel: str) -> Skipped | None:
    return None if skipped is None else Skipped(rel, skipped.reason, skipped.error)


def _rel_diag(diag: Diagnostic, rel: str) -> Diagnostic:
    return Diagnostic(diag.severity, diag.code, diag.message, rel, diag.line, diag.hint)


def decode_fallback(data: bytes) -> tuple[str, str]:
    """Text from bytes that are not UTF-8: Windows-1252 (a superset of Latin-1 for
    printable text), else Latin-1, which decodes anything."""
    for codec in ("cp1252", "latin-1"):
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode(codec)
            return text.replace("\r\n", "\n").replace("\r", "\n"), codec
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 with or without a BOM; CRLF and CR become LF."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    data: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int


MAX_YAML_VALUES = 10_000


def _check_expansion(root: yaml.Node, first_line: int) -> None:
    """Reject front matter whose aliases expand to more values than any post needs
    (a "billion laughs" YAML bomb), before anything is built from it."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise PostError(
                "yaml-bomb",
                "front matter refers to itself (recursive alias)",
                first_line + node.start_mark.line,
                "remove the '*' alias",
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        if total > MAX_YAML_VALUES:
            raise PostError(
                "yaml-bomb",
                f"front matter expands to more than {MAX_YAML_VALUES} values through aliases "
                "(a YAML bomb); rejected",
                first_line + node.start_mark.line,
                "remove the '&anchor' / '*alias' repetition",
            )
        sizes[key] = total
        return total

    size(root)


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))


_SHALLOW = 50  # deeper than any front matter needs; PyYAML builds the rest


def _construct(loader: Any, node: yaml.Node, depth: int = 0) -> Any:
    """``loader.construct_document(node)`` for a tree without aliases, where plain
    strings, lists and mappings with string keys (all that front matter usually holds)
    skip PyYAML's generic per-node machinery; every other node (numbers, dates, booleans,
    other tags, other keys, deep nesting) is built by PyYAML itself, errors included."""
    tag = node.tag
    kind = type(node)
    if tag == _STR and kind is yaml.ScalarNode:
        return node.value
    if depth < _SHALLOW:
        if tag == _SEQ and kind is yaml.SequenceNode:
            return [_construct(loader, child, depth + 1) for child in node.value]
        if tag == _MAP and kind is yaml.MappingNode:
            data = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
                    return loader.construct_document(node)
                data[key_node.value] = _construct(loader, value_node, depth + 1)
            return data
    return loader.construct_document(node)


def split_front_matter(text: str) -> FrontMatter | None:
    """Parse the YAML front matter (python-frontmatter's boundary rules, PyYAML's C loader).
    Returns None when the file has no front matter at all."""
    opening = _BOUNDARY.match(text)
    if opening is None:
        return None
    closing = _BOUNDARY.search(text, opening.end())
    if closing is None:
        raise PostError(
            "front-matter-unclosed",
            "front matter opened with '---' is never closed",
            1,
            "add a line with '---' after the last front-matter key",
        )
    raw = text[opening.end() : closing.start()]
    first_line = text.count("\n", 0, opening.end()) + 1
    if not raw.startswith("\n"):
        first_line -= 1
    body_start = closing.end()
    if text.startswith("\n", body_start):
        body_start += 1
    body_line = text.count("\n", 0, body_start) + 1
    loader = _Loader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            data = None
        elif "*" in raw:  # aliases: bound their expansion, then let PyYAML share nodes
            _check_expansion(node, first_line)
            data = loader.construct_document(node)
        else:
            data = _construct(loader, node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None:
            problem += f" ({context} that starts on line {first_line + context_mark.line})"
        raise PostError(
            "yaml",
            f"front matter is not valid YAML: {problem}",
            line,
            "check quoting and indentation; quote values that contain ':' or start with '['",
        ) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PostError(
            "front-matter-type",
            f"front matter must be a mapping of keys, got a {type(data).__name__}",
            first_line,
            "write it as 'key: value' lines",
        )
    key_lines: dict[str, int] = {}
    odd_key_line = first_line
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = first_line + key_node.start_mark.line
            if key_node.tag != "tag:yaml.org,2002:str" and odd_key_line == first_line:
                odd_key_line = first_line + key_node.start_mark.line
    for key in data:
        if not isinstance(key, str):
            raise PostError(
                "front-matter-key",
                f"front-matter key {key!r} is a {type(key).__name__}, not text",
                odd_key_line,
                f"quote the key: '\"{key}\": ...' (YAML reads no/yes/on/off and numbers specially)",
            )
    return FrontMatter(data, key_lines, text[body_start:], body_line)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What one file yields: a post, or the reason it is not one; plus its diagnostics."""

    post: Post | None
    skipped: Skipped | None
    diagnostics: tuple[Diagnostic, ...]


# Outcomes for a batch of (path, relative path) items, in order: a cache, a process pool.
OutcomeSource = Callable[["Scanner", list[tuple[Path, str]]], list[FileOutcome]]


class Scanner:
    """Turns files into :class:`Post` values; one instance per build."""

    def __init__(self, config: Config, now: dt.datetime) -> None:
        self.config = config
        self.zone = config.site.zone
        self.now = now

    def outcome(self, path: Path, rel: str, data: bytes) -> FileOutcome:
        """Everything one file's bytes say, independent of the clock (so it can be cached)."""
        report = _Report(rel)
        try:
            post = self.scan_file(path, rel, report, data)
            return FileOutcome(post, None, tuple(report.diagnostics))
        except PostError as exc:
            report.add(Severity.ERROR, exc.code, f"skipped: {exc.message}", exc.line, exc.hint)
            skipped = Skipped(rel, exc.message, True)
        except _Excluded as exc:
            report.add(Severity.NOTE, "excluded", f"not published: {exc.reason}")
            skipped = Skipped(rel, exc.reason, False)
        except Exception as exc:  # a bad post must never stop the build
            report.add(
                Severity.ERROR,
                "internal",
                f"skipped: unexpected error: {exc!r}",
                None,
                "please report this as a feedwright bug",
            )
            skipped = Skipped(rel, f"unexpected error: {exc!r}", True)
        return FileOutcome(None, skipped, tuple(report.diagnostics))

    def body(self, path: Path) -> tuple[str, str] | None:
        """A post's body and its sha256, as :meth:`read` makes them, without parsing the
        front matter; None when the file cannot give one. Callers compare the hash with
        the one the scan recorded."""
        data = read_limited(path, self.config.limits.post_size)
        if isinstance(data, FileOutcome):
            return None
        try:
            text = decode(data)
        except UnicodeDecodeError:
            if not self.config.repair.encoding:
                return None
            text, _ = decode_fallback(data)
        text = self._mojibake(text, _Report(""))
        opening = _BOUNDARY.match(text)
        closing = None if opening is None else _BOUNDARY.search(text, opening.end())
        if closing is None:
            return None
        start = closing.end()
        if text.startswith("\n", start):
            start += 1
        body, _ = strip_xml_illegal(text[start:])
        return body, hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()

    def read(self, path: Path, rel: str) -> FileOutcome:
        data = read_limited(path, self.config.limits.post_size)
        if isinstance(data, FileOutcome):
            return FileOutcome(
                data.post,
                _rel_skipped(data.skipped, rel),
                tuple(_rel_diag(d, rel) for d in data.diagnostics),
            )
        return self.outcome(path, rel, data)

    def scan(self, source: OutcomeSource | None = None) -> ScanResult:
        root = self.config.posts
        if not root.is_dir():
            diag = Diagnostic(
                Severity.ERROR,
                "posts-missing",
                f"posts folder {root} does not exist",
                "",
                None,
                "set 'posts:' in the config to your posts folder",
            )
            return ScanResult((), (), (diag,), 0)
        found, skipped, diagnostics = walk_posts(root)
        posts: list[Post] = []
        next_future: dt.datetime | None = None
        items = [(Path(full), rel) for rel, full in found]
        if source is not None:
            results = source(self, items)
        else:
            results = [self.read(path, rel) for path, rel in items]
        for (_, rel), result in zip(items, results, strict=True):
            diagnostics.extend(result.diagnostics)
            post = result.post
            if post is None:
                assert result.skipped is not None
                skipped.append(result.skipped)
            elif post.published > self.now and not self.config.future:
                reason = f"dated in the future ({post.published.isoformat()})"
                diagnostics.append(
                    Diagnostic(Severity.NOTE, "excluded", f"not published: {reason}", rel)
                )
                skipped.append(Skipped(rel, reason, False))
                if next_future is None or post.published < next_future:
                    next_future = post.published
            else:
                posts.append(post)
        return ScanResult(tuple(posts), tuple(skipped), tuple(diagnostics), len(found), next_future)

    # -- one file ---------------------------------------------------------------------
    def scan_file(self, path: Path, rel: str, report: _Report, data: bytes) -> Post:
        match = _FILENAME.match(path.name)
        if match is None:
            raise PostError(
                "filename",
                "file name does not start with a date (YYYY-MM-DD-slug.md)",
                None,
                f"rename it to YYYY-MM-DD-{path.name}",
            )
        try:
            file_date = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            raise PostError(
                "filename",
                f"file name date {match['y']}-{match['m']}-{match['d']} is not a real date",
                None,
                "fix the date at the start of the file name",
            ) from None
        slug = match["slug"].rstrip(".")
        try:
            text = decode(data)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            if not self.config.repair.encoding:
                raise PostError(
                    "encoding",
                    f"not valid UTF-8 (byte {exc.start})",
                    line,
                    "save the file as UTF-8 (or set repair.encoding: true)",
                ) from None
            text, codec = decode_fallback(data)
            report.add(
                Severity.WARNING,
                "encoding",
                f"not valid UTF-8 (byte {exc.start}); read as {codec}",
                line,
                "save the file as UTF-8",
            )
        text = self._mojibake(text, report)
        fm = split_front_matter(text)
        if fm is None and not text.strip():
            raise PostError("empty", "empty file", None, "write the post, or delete the file")
        if fm is None:
            raise PostError(
                "front-matter-missing",
                "no front matter: Jekyll copies such a file as-is instead of publishing it as a "
                "post",
                1,
                "start the file with a '---' line, the keys, and another '---' line",
            )
        meta, lines = fm.data, fm.key_lines
        self._unknown_keys(meta, lines, report)
        if meta.get("published") is False:
            raise _Excluded("published: false")
        if meta.get("draft") is True:
            raise _Excluded("draft: true")

        site_date = self._site_date(meta, lines, file_date, report)
        published = self._publication_date(meta, lines, site_date, report)
        updated = self._updated(meta, lines, published, report)

        title_value = meta.get("title")
        derived = title_value is None or not str(title_value).strip()
        title = permalink.titleize_slug(slug) if derived else str(title_value).strip()
        if derived:
            report.add(
                Severity.NOTE,
                "title-derived",
                f"no title; using {title!r} from the file name, as Jekyll does",
                None,
                "add a 'title:' key",
            )
        description = meta.get("description")
        description = None if description is None else str(description).strip() or None
        if description is None:
            report.add(
                Severity.NOTE,
                "no-description",
                "no description: entries get no summary",
                None,
                "add a one-sentence 'description:'",
            )
        if meta.get("author", meta.get("authors")) is None:
            report.add(
                Severity.NOTE,
                "no-author",
                "no author: the site author is used",
                None,
                "add 'author:'",
            )

        authors = self._authors(meta.get("author", meta.get("authors")), lines, report)
        tags = self._names(meta, ("tags", "tag"), lines, report)
        limit = self.config.limits.tags_per_post
        if len(tags) > limit:
            report.add(
                Severity.WARNING,
                "too-many-tags",
                f"{len(tags)} tags; only the first {limit} are used",
                lines.get("tags", lines.get("tag")),
                "use fewer tags, or raise limits.tags_per_post",
            )
            tags = tags[:limit]
        categories = self._categories(meta, lines, report)

        slug_override = meta.get("slug")
        if slug_override is not None and str(slug_override).strip():
            slug = str(slug_override).strip()
        template = meta.get("permalink")
        if not isinstance(template, str) or not template.strip():
            template = self.config.permalink
        values = permalink.placeholders(
            site_date, slug, path.stem, categories, ".html", permalink.used_placeholders(template)
        )
        try:
            url_path = permalink.render(template, values)
        except permalink.PermalinkError as exc:
            raise PostError("permalink", str(exc), lines.get("permalink")) from None
        url = self.config.site.url.rstrip("/") + self.config.site.baseurl + url_path

        body, removed = strip_xml_illegal(fm.body)
        if removed:
            illegal_line = first_illegal_line(fm.body)
            report.add(
                Severity.WARNING,
                "xml-illegal",
                f"removed {removed} character(s) that XML forbids (control characters)",
                None if illegal_line is None else fm.body_line + illegal_line - 1,
                "delete the invisible control characters from the file",
            )
        title = self._clean(title, "title", lines, report)
        if description is not None:
            description = self._clean(description, "description", lines, report)
        return Post(
            relpath=rel,
            slug=slug,
            file_date=file_date,
            site_date=site_date,
            published=published,
            updated=updated,
            title=title,
            title_derived=derived,
            description=description,
            authors=authors,
            tags=tuple(self._clean(t, "tags", lines, report) for t in tags),
            categories=tuple(self._clean(c, "category", lines, report) for c in categories),
            url_path=url_path,
            url=url,
            body=body,
            body_line=fm.body_line,
            key_lines=lines,
            body_sha=hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest(),
            has_liquid="{%" in body,
            image=self._image(meta.get("image"), lines, report),
        )

    def _image(self, value: Any, lines: dict[str, int], report: _Report) -> str | None:
        """``image: /assets/x.png`` or jekyll-seo-tag's ``image: {path: ...}``."""
        if isinstance(value, dict):
            value = value.get("path", value.get("url"))
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, str) else ""
        if not text or any(c.isspace() for c in text) or text.startswith(("javascript:", "data:")):
            report.add(
                Severity.WARNING,
                "bad-image",
                f"image {value!r} is not a path or URL; the entry gets no picture",
                lines.get("image"),
                "write image: /assets/picture.png (or a full https:// URL)",
            )
            return None
        return self._clean(text, "image", lines, report)

    def _mojibake(self, text: str, report: _Report) -> str:
        """Find (and unless switched off, repair) UTF-8 that was once read as
        Windows-1252, such as 'Itâ€™s'. ftfy decides; a cheap pattern finds candidates."""
        if text.isascii() or _MOJIBAKE_HINT.search(text) is None:
            return text
        import ftfy

        lines = text.split("\n")
        bad: list[int] = []
        example = ""
        for number, line in enumerate(lines):
            if _MOJIBAKE_HINT.search(line) and ftfy.badness.is_bad(line):
                fixed = ftfy.fix_encoding(line)
                if fixed == line:
                    continue
                bad.append(number + 1)
                if not example:
                    match = _MOJIBAKE_HINT.search(line)
                    start = max(0, (match.start() if match else 0) - 10)
                    example = f"{line[start : start + 24]!r} -> {fixed[start : start + 24]!r}"
                if self.config.repair.mojibake:
                    lines[number] = fixed
        if not bad:
            return text
        where = ", ".join(map(str, bad[:5])) + (" ..." if len(bad) > 5 else "")
        action = "repaired" if self.config.repair.mojibake else "found"
        report.add(
            Severity.WARNING,
            "mojibake",
            f"mojibake (UTF-8 read as Windows-1252) {action} on line(s) {where}: {example}",
            bad[0],
            "re-save the text as UTF-8 with the right characters",
        )
        return "\n".join(lines) if self.config.repair.mojibake else text

    def _unknown_keys(self, meta: dict[str, Any], lines: dict[str, int], report: _Report) -> None:
        for key in meta:
            if key in KNOWN_KEYS:
                continue
            close = difflib.get_close_matches(key, sorted(READ_KEYS), n=1, cutoff=0.75)
            if close:
                report.add(
                    Severity.WARNING,
                    "unknown-key",
                    f"unknown key {key!r}: did you mean {close[0]!r}?",
                    lines.get(key),
                    f"rename {key} to {close[0]}",
                )

    @staticmethod
    def _clean(value: str, key: str, lines: dict[str, int], report: _Report) -> str:
        cleaned, removed = strip_xml_illegal(value)
        if removed:
            report.add(
                Severity.WARNING,
                "xml-illegal",
                f"removed {removed} character(s) that XML forbids from {key}",
                lines.get(key),
                "delete the control characters",
            )
        return cleaned

    def _site_date(
        self, meta: dict[str, Any], lines: dict[str, int], file_date: dt.date, report: _Report
    ) -> dt.datetime:
        if "date" not in meta or meta["date"] is None:
            return dates.midnight(file_date, self.zone)
        try:
            value = dates.parse_site_date(meta["date"], self.zone)
        except dates.DateParseError as exc:
            raise PostError("date", f"date: {exc}", lines.get("date")) from None
        if value.date() != file_date:
            report.add(
                Severity.WARNING,
                "date-filename",
                f"date: {value.date()} differs from the file-name date {file_date}; URLs use date:",
                lines.get("date"),
                "make the file name and date: agree",
            )
        return value

    def _publication_date(
        self, meta: dict[str, Any], lines: dict[str, int], site: dt.datetime, report: _Report
    ) -> dt.datetime:
        if self.config.publication_date is PublicationDate.SITE:
            return site
        raw_year, raw_date = meta.get("pub-year"), meta.get("pub-date")
        if raw_year is None and raw_date is None:
            return site
        year = site.year
        if raw_year is not None:
            try:
                year = int(str(raw_year).strip())
                if not 1 <= year <= 9999:
                    raise ValueError
            except ValueError:
                report.add(
                    Severity.WARNING,
                    "pub-year",
                    f"pub-year {raw_year!r} is not a year; using {site.year} from the site date",
                    lines.get("pub-year"),
                    "write pub-year: 2024",
                )
                year = site.year
        if raw_date is None:
            return (
                site
                if year == site.year
                else dates.midnight(_safe_date(year, site.month, site.day), self.zone)
            )
        try:
            parsed = dates.parse_pub_date(raw_date)
        except dates.DateParseError as exc:
            report.add(
                Severity.WARNING,
                "pub-date",
                f"{exc}; using the site date {site.date()}",
                lines.get("pub-date"),
                "write pub-date: June 28",
            )
            return site
        if parsed.year is not None and raw_year is None:
            year = parsed.year
        day = parsed.day
        if day is None:
            same_month = parsed.month == site.month and year == site.year
            day = site.day if same_month else 1
            report.add(
                Severity.WARNING,
                "pub-date-month-only",
                f"pub-date {raw_date!r} has no day; using {year}-{parsed.month:02d}-{day:02d}",
                lines.get("pub-date"),
                f"write the day too, e.g. pub-date: {raw_date} {day}",
            )
            if not same_month:
                self._mismatch(site, year, parsed.month, day, lines, report)
        elif (year, parsed.month, day) != (site.year, site.month, site.day):
            self._mismatch(site, year, parsed.month, day, lines, report)
        try:
            pub_day = dt.date(year, parsed.month, day)
        except ValueError:
            report.add(
                Severity.WARNING,
                "pub-date",
                f"pub-date {raw_date!r} in {year} is not a real date; using the site date",
                lines.get("pub-date"),
                "fix the day",
            )
            return site
        return site if pub_day == site.date() else dates.midnight(pub_day, self.zone)

    @staticmethod
    def _mismatch(
        site: dt.datetime,
        year: int,
        month: int,
        day: int,
        lines: dict[str, int],
        report: _Report,
    ) -> None:
        report.add(
            Severity.WARNING,
            "date-mismatch",
            f"pub-date/pub-year say {year}-{month:02d}-{day:02d} but the site date (used in the "
            f"URL) is {site.date()}; the feeds use the pub date",
            lines.get("pub-date", lines.get("pub-year")),
            "make pub-date/pub-year and the file name agree, or set publication_date: site",
        )

    def _updated(
        self,
        meta: dict[str, Any],
        lines: dict[str, int],
        published: dt.datetime,
        report: _Report,
    ) -> dt.datetime:
        for key in ("updated", "last_modified_at"):
            if meta.get(key) is None:
                continue
            try:
                value = dates.parse_site_date(meta[key], self.zone)
            except dates.DateParseError as exc:
                report.add(Severity.WARNING, "updated", f"{key}: {exc}; ignored", lines.get(key))
                continue
            if value < published:
                report.add(
                    Severity.WARNING,
                    "updated",
                    f"{key}: {value.isoformat()} is before the publication date "
                    f"{published.isoformat()}; ignored",
                    lines.get(key),
                    f"remove {key} or set it to the date of the last real change",
                )
                continue
            return value
        return published

    def _authors(self, value: object, lines: dict[str, int], report: _Report) -> tuple[Author, ...]:
        names = []
        if isinstance(value, str):
            names = [n.strip() for n in value.split(",") if n.strip()]
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str | int) and str(item).strip():
                    names.extend(n.strip() for n in str(item).split(",") if n.strip())
        elif value is not None:
            report.add(
                Severity.WARNING,
                "author",
                f"author {value!r} is not text; ignored",
                lines.get("author"),
                "write author: Jane Doe",
            )
        authors: list[Author] = []
        table = self.config.authors
        folded = {k.casefold(): v for k, v in table.items()}
        for name in names:
            entry = table.get(name) or folded.get(name.casefold())
            if entry is None:
                cleaned, _ = strip_xml_illegal(name)
                authors.append(Author(cleaned))
            else:
                authors.append(Author(entry.name, entry.email, entry.uri))
        return tuple(dict.fromkeys(authors))

    def _names(
        self,
        meta: dict[str, Any],
        keys: tuple[str, ...],
        lines: dict[str, int],
        report: _Report,
    ) -> list[str]:
        out: list[str] = []
        for key in keys:
            if key not in meta:
                continue
            value = meta[key]
            names = split_names(value)
            if isinstance(value, list) and names is not None:
                empty = sum(1 for v in value if v is None or not str(v).strip())
                if empty:
                    report.add(
                        Severity.WARNING,
                        "empty-name",
                        f"{key}: {empty} empty name(s) ignored",
                        lines.get(key),
                        f"remove the empty items from {key}",
                    )
            if names is None:
                report.add(
                    Severity.WARNING,
                    key,
                    f"{key}: {meta[key]!r} is not a list of names; ignored",
                    lines.get(key),
                    f"write {key}: [one, two]",
                )
                continue
            out.extend(names)
        return list(dict.fromkeys(out))

    def _categories(
        self, meta: dict[str, Any], lines: dict[str, int], report: _Report
    ) -> tuple[str, ...]:
        out: list[str] = []
        single = meta.get("category")
        if isinstance(single, str):
            if single.strip():
                out.append(single.strip())
        elif single is not None:
            out.extend(self._names({"category": single}, ("category",), lines, report))
        out.extend(self._names(meta, ("categories",), lines, report))
        return tuple(dict.fromkeys(out))


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, 28)


def scan(config: Config, now: dt.datetime, source: OutcomeSource | None = None) -> ScanResult:
    """Scan the posts folder; ``source`` may supply outcomes (a cache) instead of reading."""
    return Scanner(config, now).scan(source)
