"""Which feeds exist for an index, where each is written, and which posts go in it."""

from __future__ import annotations

from dataclasses import dataclass

from feedwright.config import Config, ContentMode, FamilyConfig, FeedFormat
from feedwright.types import Index, Post, Term


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """One feed to write: its posts (newest first, cut at the family's limit) and the
    output path of each format."""

    family: str  # "site", "tag" or "category"
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
    years = sorted(index.by_year, reverse=True) if archived else []
    if fam.site.enabled:
        limit = config.family_limit(fam.site)
        plans.append(
            FeedPlan(
                "site",
                "",
                site.title,
                site.description,
                feed_paths(config, fam.site, ""),
                index.posts[:limit],
                config.family_content(fam.site),
                complete=not years and len(index.posts) <= limit,
                prev_archive=archive_path(config, years[0]) if years else None,
                total=len(index.posts),
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
    # RFC 5005 archives: every post of a publication year in one Atom document. Each
    # links only to the older one (never to a newer year), so a new post changes the
    # newest year's archive alone.
    for i, year in enumerate(years):
        posts = index.by_year[year]
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
    return plans
