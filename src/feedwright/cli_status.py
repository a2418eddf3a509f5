"""``feedwright status``: the last run's status, as the state folder records it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TextIO

from feedwright.errors import EXIT_ERRORS, EXIT_OK
from feedwright.state.status import STATUS_FILE, read_status


def show_status(args: argparse.Namespace, state: Path, out: TextIO, err: TextIO) -> int:
    """Print the status file in ``state``; exit 1 when the last run failed or none ran."""
    status = read_status(state)
    if status is None:
        why = "no build has run"
        if state.exists() and not state.is_dir():
            why = "it is a file, not a folder: no build can record its status there"
        elif (state / STATUS_FILE).is_dir():
            why = f"{STATUS_FILE} is a folder: remove it, so that builds can record their status"
        print(f"feedwright: no status yet in {state} ({why})", file=err)
        return EXIT_ERRORS
    from feedwright.serve.polling import polling_summary, read_stats

    polling = read_stats(state)
    if args.format == "json":
        print(json.dumps(status.to_json() | {"polling": polling}, indent=2), file=out)
    else:
        counts = status.counts
        print(
            f"last run: {status.result} at {status.started} "
            f"({status.duration_seconds}s, trigger: {status.trigger})",
            file=out,
        )
        if status.error:
            print(f"error: {status.error}", file=out)
        if counts is not None:
            print(
                f"posts: {counts.posts_indexed} indexed, {counts.posts_skipped} skipped; "
                f"feeds: {counts.feeds_written} written, {counts.feeds_unchanged} "
                f"unchanged, {counts.feeds_removed} removed; {counts.errors} errors, "
                f"{counts.warnings} warnings",
                file=out,
            )
        print(f"last success: {status.last_success}; {next_run(status.next_run)}", file=out)
        if polling is not None:
            print(polling_summary(polling), file=out)
    return EXIT_ERRORS if status.result == "failed" else EXIT_OK


def next_run(when: str | None) -> str:
    """The status line's "next run", which only a running daemon has."""
    if when is None:
        return "no next run scheduled (`feedwright run` is not running)"
    try:
        due = dt.datetime.fromisoformat(when)
    except ValueError:
        return f"next run: {when}"
    if due.tzinfo is not None and due < dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1):
        return f"next run was due {when} (is `feedwright run` still running?)"
    return f"next run: {when}"
