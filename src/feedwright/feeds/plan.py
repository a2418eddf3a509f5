"""Which feeds exist for an index, where each is written, and which posts go in it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from feedwright.config import Config, ContentMode, FamilyConfig, FeedFormat
from feedwright.config.families import FeedFiles
from feedwright.feeds.compose import custom_posts, site_posts
from feedwright.types import Diagnostic, Index, Post, Severity, Term


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """One feed to write: its posts (newest first, cut at the family's limit) and the
    output path of each format."""

    family: str  # "site", "tag", "category", "author", "language", "custom", "collection"
    # or "archive"
    key: str
    title: str
    subtitle: str
    paths: dict[FeedFormat, str]
    posts: tuple[Post, ...]
    content: ContentMode
    complete: bool = False  # every post of the feed fits under the limit (fh:complete)
    archive: bool = False  # an RFC 5005 archive document (one publication year)
    prev_archive: str | None = None  # output path of the next older archive
    total: int = 0  # posts in the feed before the limit
    label: str = ""  # the tag, category or year, as shown to people
    podcast: bool = False  # its RSS file is the podcast (config.podcast)


def archive_path(config: Config, year: int) -> str:
    """The output path of one year's RFC 5005 archive."""
    return config.archives.path.replace("{year}", str(year))


def feed_paths(config: Config, family: FamilyConfig, slug: str) -> dict[FeedFormat, str]:
    """Where each configured format of a feed is written, its slug put in the template."""
    templates = {
        FeedFormat.ATOM: family.atom,
        FeedFormat.RSS: family.rss,
        FeedFormat.JSON: family.json_,
    }
    return {fmt: templates[fmt].replace("{slug}", slug) for fmt in config.formats}


def plan_feeds(index: Index, config: Config) -> list[FeedPlan]:
    """Every feed the config asks for: the site feed, one per tag and per category,
    then one archive per publication year (newest first)."""
    site = config.site
    plans: list[FeedPlan] = []
    fam = config.feeds
    # Archives are Atom documents reached from the site's Atom feed: without Atom, none.
    archived = config.archives.enabled and FeedFormat.ATOM in config.formats
    # The site feed's filters apply to its archives too: they are its history.
    filtered = site_posts(index, config)
    by_year = index.by_year if filtered is index.feed_posts else _by_year(filtered)
    years = sorted(by_year, reverse=True) if archived else []
    if fam.site.enabled:
        limit = config.family_limit(fam.site)
        plans.append(
            FeedPlan(
                "site",
                "",
                site.title,
                site.description,
                feed_paths(config, fam.site, ""),
                filtered[:limit],
                config.family_content(fam.site),
                complete=not years and len(filtered) <= limit,
                prev_archive=archive_path(config, years[0]) if years else None,
                total=len(filtered),
                label=site.title,
            )
        )

    def terms(family: FamilyConfig, kind: str, items: tuple[Term, ...], title: str) -> None:
        if not family.enabled:
            return
        for term in items:
            plans.append(
                FeedPlan(
                    kind,
                    term.key,
                    title.format(site=site.title, label=term.label),
                    site.description,
                    feed_paths(config, family, term.slug),
                    term.posts[: config.family_limit(family)],
                    config.family_content(family),
                    complete=len(term.posts) <= config.family_limit(family),
                    total=len(term.posts),
                    label=term.label,
                )
            )

    terms(fam.tags, "tag", index.tags, "{site}: posts tagged {label}")
    terms(fam.categories, "category", index.categories, "{site}: {label}")
    terms(fam.authors, "author", index.authors, "{site}: posts by {label}")
    terms(fam.languages, "language", index.languages, "{site}: posts in {label}")

    def named(kind: str, name: str, spec: FeedFiles, posts: tuple[Post, ...]) -> None:
        limit = spec.limit if spec.limit is not None else config.limit
        plans.append(
            FeedPlan(
                kind,
                name,
                spec.title or f"{site.title}: {name}",
                site.description if spec.description is None else spec.description,
                spec.paths(name, config.formats),
                posts[:limit],
                spec.content if spec.content is not None else config.content,
                complete=len(posts) <= limit,
                total=len(posts),
                label=spec.title or name,
            )
        )

    for name, posts in custom_posts(index, config).items():
        named("custom", name, fam.custom[name], posts)
    for name, collected in config.collections.items():
        named("collection", name, collected, index.collections.get(name, ()))
    # RFC 5005 archives: every post of a publication year in one Atom document. Each
    # links only to the older one (never to a newer year), so a new post changes the
    # newest year's archive alone.
    for i, year in enumerate(years):
        posts = by_year[year]
        plans.append(
            FeedPlan(
                "archive",
                str(year),
                f"{site.title}: archive {year}",
                site.description,
                {FeedFormat.ATOM: archive_path(config, year)},
                posts,
                config.family_content(fam.site),
                archive=True,
                prev_archive=archive_path(config, years[i + 1]) if i + 1 < len(years) else None,
                total=len(posts),
                label=str(year),
            )
        )
    return podcast_plans(plans, index, config)


def podcast_target(plan: FeedPlan, config: Config) -> bool:
    """Whether ``plan`` is the feed that ``podcast.feed`` names."""
    podcast = config.podcast
    if podcast is None or plan.family != podcast.family:
        return False
    name = podcast.name.casefold()
    return plan.family == "site" or name in (plan.key.casefold(), plan.label.casefold())


def podcast_plans(plans: list[FeedPlan], index: Index, config: Config) -> list[FeedPlan]:
    """The podcast's feed keeps every post (``podcast.limit`` when set), so that every
    episode stays listed; its RSS file is the podcast."""
    if config.podcast is None:
        return plans
    limit = config.podcast.limit
    terms = {("tag", t.key): t.posts for t in index.tags}
    terms.update({("category", t.key): t.posts for t in index.categories})
    out = []
    for plan in plans:
        if podcast_target(plan, config):
            every = index.feed_posts if plan.family == "site" else terms[(plan.family, plan.key)]
            posts = every[:limit] if limit is not None else every
            plan = replace(
                plan,
                posts=posts,
                complete=len(posts) == len(every) and plan.prev_archive is None,
                podcast=True,
            )
        out.append(plan)
    return out


def _by_year(posts: tuple[Post, ...]) -> dict[int, tuple[Post, ...]]:
    out: dict[int, list[Post]] = {}
    for post in posts:
        out.setdefault(post.published.year, []).append(post)
    return {year: tuple(items) for year, items in out.items()}


def describe(plan: FeedPlan, fmt: FeedFormat | None = None) -> str:
    """A feed as people know it: ``the tag feed 'go' (Atom)``."""
    name = {
        "site": "the site feed",
        "tag": f"the tag feed {plan.label!r}",
        "category": f"the category feed {plan.label!r}",
        "archive": f"the archive of {plan.label}",
        "author": f"the author feed {plan.label!r}",
        "language": f"the language feed {plan.label!r}",
        "custom": f"the custom feed {plan.key!r}",
        "collection": f"the feed of the collection {plan.key!r}",
    }.get(plan.family, f"the {plan.family} feed {plan.label!r}")
    return name if fmt is None else f"{name} ({fmt.value})"


def output_clashes(
    plans: Iterable[FeedPlan], others: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """An error for each output path that two feeds (or a feed and one of ``others``, a
    path -> what writes it) would both write, compared as a case-insensitive file system
    compares names. The index gives slugs that never clash and the config refuses
    templates that could, so this finds nothing unless one of those is broken; a build
    that finds something writes nothing."""
    owners: dict[str, tuple[str, str]] = {}  # folded path -> (path, who)
    for path, who in (others or {}).items():
        owners.setdefault(_fold(path), (path, who))
    found: list[Diagnostic] = []
    for plan in plans:
        for fmt, path in plan.paths.items():
            who = describe(plan, fmt)
            first = owners.setdefault(_fold(path), (path, who))
            if first[1] == who:
                continue
            shown = path if first[0] == path else f"{first[0]} and {path}"
            found.append(
                Diagnostic(
                    Severity.ERROR,
                    "output-clash",
                    f"{first[1]} and {who} would both be written at {shown}",
                    "",
                    None,
                    "rename one of them, or give each family of feeds (feeds.tags, "
                    "feeds.categories, feeds.authors, ...) a folder of its own",
                )
            )
    return found


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()
