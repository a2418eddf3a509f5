"""The reports of builds that stop before publishing: refused (too few posts: a missing
or emptied folder), failed (feeds that would clash), and answered from the snapshot."""

from __future__ import annotations

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
    s = hit.summary
    return BuildReport(
        files_seen=s.files_seen,
        indexed=s.indexed,
        skipped=s.skipped,
        diagnostics=s.diagnostics,
        changes=tuple(Change(n, "unchanged", "nothing changed") for n in hit.outputs),
        feeds=s.feeds,
        dry_run=dry_run,
        next_future=hit.next_future,
        opened=0,
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
