"""The reports of builds that stop before publishing: refused (too few posts: a missing
or emptied folder), failed (feeds that would clash), and answered from the snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from feedwright.config import Config
from feedwright.state import snapshot
from feedwright.state.codec import Summary
from feedwright.state.status import read_status
from feedwright.types import BuildReport, Change, Diagnostic, ScanResult, Severity, Skipped


def summary_of(report: BuildReport) -> Summary:
    return Summary(
        report.files_seen, report.indexed, report.skipped, report.diagnostics, report.feeds
    )


def from_snapshot(hit: snapshot.Hit, dry_run: bool) -> BuildReport:
    return standing(hit.summary, hit.outputs, hit.next_future, dry_run=dry_run)


def standing(
    summary: Summary,
    outputs: Iterable[str],
    next_future: dt.datetime | None,
    *,
    dry_run: bool = False,
    opened: int = 0,
    latest: dt.datetime | None = None,
    externals: dict[str, list[int] | None] | None = None,
    quick: bool = False,
) -> BuildReport:
    """The report of a build that found nothing to change: the last one's, every output
    unchanged (answered from the snapshot, or by the quick path after reading again
    ``opened`` files whose bytes were the same)."""
    return BuildReport(
        files_seen=summary.files_seen,
        indexed=summary.indexed,
        skipped=summary.skipped,
        diagnostics=summary.diagnostics,
        changes=tuple(Change(n, "unchanged", "nothing changed") for n in outputs),
        feeds=summary.feeds,
        dry_run=dry_run,
        next_future=next_future,
        opened=opened,
        latest=latest,
        externals=externals,
        quick=quick,
    )


POSTS_HINT = "check the 'posts:' folder in the config"
LOSS_HINT = (
    "if the posts were deleted on purpose, run `feedwright build --accept-loss` once (or "
    "raise max_loss in the config); otherwise check the 'posts:' folder"
)


def refusal(
    config: Config, posts: int, files_seen: int, skipped: list[Skipped]
) -> tuple[str, str] | None:
    """Why the build must not publish what it found (so little that the posts folder is
    probably missing or emptied) and the fix, or None."""
    if not posts:
        if not any(s.error for s in skipped):
            return f"no publishable posts found in {config.posts}", POSTS_HINT
        return f"none of the {files_seen} posts in {config.posts} could be read", POSTS_HINT
    status = read_status(config.state)
    previous = None if status is None else status.last_good_posts
    if isinstance(previous, int) and previous and posts < previous * (1 - config.max_loss):
        return (
            f"only {posts} of the {previous} posts of the last good build remain: more than "
            f"the setting max_loss ({config.max_loss:.0%}) lost at once (an unmounted or "
            "emptied folder?)",
            LOSS_HINT,
        )
    return None


def failed_report(
    result: ScanResult,
    diagnostics: list[Diagnostic],
    skipped: list[Skipped],
    reason: str,
    hint: str,
    dry_run: bool,
) -> BuildReport:
    diagnostics.append(
        Diagnostic(
            Severity.ERROR,
            "build-failed",
            reason + "; feeds left as they were",
            "",
            None,
            hint,
        )
    )
    return BuildReport(
        files_seen=result.files_seen,
        indexed=0,
        skipped=tuple(skipped),
        diagnostics=tuple(diagnostics),
        changes=(),
        feeds=0,
        dry_run=dry_run,
        failed=reason,
        next_future=result.next_future,
    )
