"""The :class:`Scanner`: a post's metadata from its file name and front matter (dates,
title, people, names, URL), every doubt reported as a diagnostic naming file and line,
and the scan of a whole posts folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from feedwright.config import Config
from feedwright.config.values import plain
from feedwright.errors import FeedwrightError
from feedwright.scan import site_post
from feedwright.scan.fields import (
    clean,
    clean_names,
    read_authors,
    read_categories,
    read_image,
    read_names,
    warn_unknown_keys,
)
from feedwright.scan.frontmatter import (
    BOUNDARY,
    FrontMatter,
    body_start,
    decode,
    decode_fallback,
    repair_mojibake,
    split_front_matter,
    unicode_bom,
)
from feedwright.scan.jekyll import ruby_truthy
from feedwright.scan.jekyll_dates import ruby_to_s
from feedwright.scan.kinds import read_kind
from feedwright.scan.permalink import titleize_slug
from feedwright.scan.post_dates import resolve_publication_date, resolve_updated
from feedwright.scan.report import PostError, Report
from feedwright.scan.sources import find_post_files, post_rules
from feedwright.scan.walk import FileOutcome, read_limited
from feedwright.text import escape_uri_illegal, first_illegal_line, strip_xml_illegal
from feedwright.types import Diagnostic, Post, ScanResult, Severity, Skipped


class _Excluded(FeedwrightError):
    """A post that asks not to be published (``published: false``, ``draft: true``), or a
    collection's document that cannot be in a feed (a warning, with a hint)."""

    def __init__(self, reason: str, hint: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


def as_json(value: object) -> object:
    """``json.loads(json.dumps(plain(value), default=str))``: a front matter value as
    JSON gives it back. Strings, small numbers, lists and mappings (nearly all front
    matter holds) are copied directly; anything else takes the way through JSON."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if isinstance(value, dict) and kind is dict:
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and kind in (list, tuple):
        return [as_json(v) for v in value]
    if isinstance(value, int) and kind is int and -_BIG < value < _BIG:
        return value
    return json.loads(json.dumps(plain(value), default=str))


_AS_IS = frozenset({str, bool, float, type(None)})  # JSON gives each back as it was
_BIG = 2**63  # json.dumps refuses ints of more than 4300 digits: those take its way


# Outcomes for a batch of (path, relative path) items, in order: a cache, a process pool.
OutcomeSource = Callable[["Scanner", list[tuple[Path, str]]], list[FileOutcome]]


class Scanner:
    """Turns files into :class:`Post` values; one instance per build."""

    def __init__(self, config: Config, now: dt.datetime) -> None:
        self.config = config
        self.zone = config.site.zone
        self.now = now
        self.rules = post_rules(config)

    def outcome(self, path: Path, rel: str, data: bytes) -> FileOutcome:
        """Everything one file's bytes say, independent of the clock (so it can be cached)."""
        report = Report(rel)
        try:
            post = self.scan_file(path, rel, report, data)
            return FileOutcome(post, None, tuple(report.diagnostics))
        except PostError as exc:
            report.add(Severity.ERROR, exc.code, f"skipped: {exc.message}", exc.line, exc.hint)
            skipped = Skipped(rel, exc.message, True)
        except _Excluded as exc:
            if exc.hint is None:
                report.add(Severity.NOTE, "excluded", f"not published: {exc.reason}")
            else:
                report.add(
                    Severity.WARNING, "excluded", f"not in the feeds: {exc.reason}", None, exc.hint
                )
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
        data = read_limited(path, self.config.limits.post_size, self.rules.read_root(path))
        if isinstance(data, FileOutcome):
            return None
        try:
            text = decode(data)
        except UnicodeDecodeError:
            if not self.config.repair.encoding:
                return None
            text, _ = decode_fallback(data)
        text = repair_mojibake(text, self.config.repair.mojibake, Report(""))
        start = 0 if BOUNDARY.match(text) is None else body_start(text)
        if start is None:
            return None
        body, _ = strip_xml_illegal(text[start:])
        return body, hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()

    def read(self, path: Path, rel: str) -> FileOutcome:
        """Read and scan one file (``rel``: its path in the posts folder)."""
        data = read_limited(path, self.config.limits.post_size, self.rules.read_root(path))
        if isinstance(data, FileOutcome):
            return data.named(rel)
        return self.outcome(path, rel, data)

    def scan(self, source: OutcomeSource | None = None) -> ScanResult:
        """Every post file (of the posts folder, or of the Jekyll site); posts dated
        after ``now`` wait (unless ``future:``), and the result says when the next one
        is due. Dates that decide are the site dates, as in Jekyll."""
        root = self.rules.root
        if not root.is_dir():
            diag = Diagnostic(
                Severity.ERROR,
                "posts-missing",
                f"{'posts' if self.rules.site is None else 'Jekyll site'} folder {root} "
                "does not exist",
                "",
                None,
                "set 'posts:' (or 'jekyll:') in the config to your posts (or site) folder",
            )
            return ScanResult((), (), (diag,), 0)
        found, skipped, diagnostics = find_post_files(self.config)
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
            elif int(post.site_date.timestamp()) > int(self.now.timestamp()) and not (
                self.rules.future
            ):
                reason = f"dated in the future ({post.site_date.isoformat()})"
                diagnostics.append(
                    Diagnostic(Severity.NOTE, "excluded", f"not published: {reason}", rel)
                )
                skipped.append(Skipped(rel, reason, False))
                if next_future is None or post.site_date < next_future:
                    next_future = post.site_date
            else:
                posts.append(post)
        return ScanResult(tuple(posts), tuple(skipped), tuple(diagnostics), len(found), next_future)

    # -- one file ---------------------------------------------------------------------
    def scan_file(self, path: Path, rel: str, report: Report, data: bytes) -> Post:
        rules = self.rules
        source = rules.collection_of(rel)
        name = site_post.file_name(rel, source)
        slug = name.slug
        try:
            text = decode(data)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            if b"\0" in data and not unicode_bom(data):
                raise PostError(
                    "binary",
                    "not text: the file holds NUL bytes and is not UTF-8 (an image or "
                    "other binary file named like a post?)",
                    line,
                    "move it out of the posts folder, or rename it without the .md/.html suffix",
                ) from None
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
        text = repair_mojibake(text, self.config.repair.mojibake, report)
        fm = split_front_matter(text)
        if fm is None and source is not None:
            raise _Excluded("no front matter: Jekyll copies it as a file of the collection")
        if fm is None:
            fm = FrontMatter({}, {}, text, 1)
            if not text.strip():
                report.add(
                    Severity.WARNING,
                    "empty",
                    "empty file: published with no content, as Jekyll does",
                    None,
                    "write the post, or delete the file",
                )
            else:
                report.add(
                    Severity.NOTE,
                    "no-front-matter",
                    "no front matter: published as Jekyll 4 does, dated and titled from the "
                    "file name",
                    1,
                    "start the file with a '---' line, the keys, and another '---' line",
                )
        lines = fm.key_lines
        warn_unknown_keys(fm.data, lines, report)
        meta = site_post.with_defaults(rules, rel, fm.data, source)
        if source is not None and meta.get("date") is None and not name.date:
            raise _Excluded(
                "no date: a collection's document needs one to be an entry (Jekyll would "
                "date it at each build, making it new in every feed each time)",
                "add date: 2024-06-28 to its front matter, or start its file name with the date",
            )
        shown = meta.get("published", True)
        if not ruby_truthy(shown):
            if not rules.unpublished:
                raise _Excluded(f"published: {ruby_to_s(shown) or 'null'}")
            report.add(
                Severity.NOTE,
                "unpublished",
                f"published: {ruby_to_s(shown) or 'null'}, built anyway (unpublished: true)",
                lines.get("published"),
            )
        if meta.get("draft") is True:
            report.add(
                Severity.WARNING,
                "draft-key",
                "draft: true is not a Jekyll setting: Jekyll publishes this post, and so do "
                "the feeds",
                lines.get("draft"),
                "move the file to _drafts/, or write published: false",
            )

        site_date, file_date = site_post.site_date(rules, meta, lines, name, path, self.now, report)
        published = resolve_publication_date(meta, lines, site_date, self.config, report)
        updated = resolve_updated(meta, lines, published, self.zone, report)

        title_value = meta.get("title")
        derived = title_value is None or not str(title_value).strip()
        title = titleize_slug(slug) if derived else str(title_value).strip()
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
        if description is None and not any(meta.get(k) for k in ("summary", "excerpt")):
            report.add(
                Severity.NOTE,
                "no-description",
                "no description: the entries' summary is the post's excerpt (the text up to "
                "the excerpt separator, by default its first paragraph), as in jekyll-feed",
                None,
                "add a one-sentence 'description:' to summarize it yourself",
            )
        if meta.get("author", meta.get("authors")) is None:
            report.add(
                Severity.NOTE,
                "no-author",
                "no author: the site author is used"
                if self.config.site.author
                else "no author: the entry has no author (nor does the site: set site.author)",
                None,
                "add 'author:'",
            )

        authors = read_authors(
            meta.get("author", meta.get("authors")), self.config.authors, lines, report
        )
        tags = read_names(meta, ("tags", "tag"), lines, report)
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
        if rules.site is None:
            categories = read_categories(meta, lines, report)
        else:
            categories = site_post.site_categories(rules, rel, fm.data, source)

        slug_override = meta.get("slug")
        if slug_override is not None and str(slug_override).strip():
            slug = str(slug_override).strip()
        url_path = site_post.url_path(
            rules, rel, meta, lines, name, site_date, slug, categories, source
        )
        # a URL XML can hold, and a URI: a space or '<' in a permalink is percent-encoded
        url_path = escape_uri_illegal(clean(url_path, "permalink", lines, report))
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
        title = clean(title, "title", lines, report)
        kind = read_kind(meta, lines, report)
        if description is not None:
            description = clean(description, "description", lines, report)
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
            tags=clean_names(tags, "tags", lines, report),
            categories=clean_names(categories, "category", lines, report),
            url_path=url_path,
            url=url,
            body=body,
            body_line=fm.body_line,
            key_lines=lines,
            body_sha=hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest(),
            has_liquid="{%" in body or "{{" in body,
            image=read_image(meta.get("image"), lines, report),
            markup=site_post.markup(rules, name),
            front_matter={str(k): as_json(v) for k, v in meta.items()},
            hidden=kind.hidden,
            redirect_to=kind.redirect_to,
            external_url=kind.external_url,
            lang=kind.lang,
            collection=None if source is None else source.name,
        )
