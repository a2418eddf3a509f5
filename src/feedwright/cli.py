"""The command line: each command parses its options, calls the library and prints.
Exit codes are the table in :mod:`feedwright.errors`."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from feedwright.cli_args import overrides, parser
from feedwright.config import DEFAULT_CONFIG, Config, known_folders, load_config
from feedwright.config.published import CLEARED
from feedwright.config.published import CODE as FEEDS_URL
from feedwright.errors import (
    EXIT_BUG,
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STRICT,
    EXIT_USAGE,
    ConfigError,
    FeedwrightError,
    LockedError,
    UsageError,
    file_problem,
    one_line,
)
from feedwright.scan.dates import DateParseError, parse_site_date
from feedwright.state.ledger import ACCEPTED
from feedwright.types import BuildReport, Severity


def _now(args: argparse.Namespace, config: Config) -> dt.datetime | None:
    if args.now is None:
        return None
    try:
        return parse_site_date(args.now, config.site.zone)
    except DateParseError as exc:
        raise UsageError(f"--now: {exc}") from None


# Notes that build prints without -v: about the config, one line, until it is fixed.
_SHOWN_NOTES = frozenset({FEEDS_URL, CLEARED, ACCEPTED})


def _where(folder: Path) -> str:
    """A folder as the user can find it: from the working folder when it is below it."""
    here = Path.cwd()
    full = folder.resolve()
    return full.relative_to(here).as_posix() if full.is_relative_to(here) else str(full)


def _print_build(
    report: BuildReport, args: argparse.Namespace, config: Config, out: TextIO, err: TextIO
) -> None:
    shown = {Severity.ERROR}
    if not args.quiet:
        shown.add(Severity.WARNING)
    if args.verbose:
        shown.add(Severity.NOTE)
    for diag in report.diagnostics:
        if diag.severity in shown or (diag.code in _SHOWN_NOTES and not args.quiet):
            print(diag.format(), file=err)
    if args.quiet:
        return
    skipped = report.skipped
    print(
        f"posts: {report.files_seen} found, {report.indexed} indexed, {len(skipped)} skipped",
        file=out,
    )
    for item in skipped:
        kind = "error" if item.error else "not published"
        print(f"  skipped {item.relpath}: {item.reason} ({kind})", file=out)
    if report.failed:
        print(f"build failed: {report.failed}", file=out)
        return
    written, unchanged, removed = (report.by_action(a) for a in ("write", "unchanged", "remove"))
    verb = "would be " if report.dry_run else ""
    print(
        f"feeds: {len(written)} {verb}written, {len(unchanged)} unchanged, "
        f"{len(removed)} {verb}removed, in {_where(config.output)}",
        file=out,
    )
    if args.verbose:
        how = "; only post bodies changed: quick rebuild" if report.quick else ""
        print(f"post files read: {report.opened}{how}", file=out)
    if report.dry_run:
        for change in written + removed:
            action = "write " if change.action == "write" else "remove"
            print(f"  would {action} {change.relpath}: {change.reason}", file=out)
    print(
        f"diagnostics: {report.errors} error(s), {report.warnings} warning(s), "
        f"{report.count(Severity.NOTE)} note(s)" + ("" if args.verbose else " (-v shows notes)"),
        file=out,
    )


def _cmd_build(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    from feedwright.progress import Progress
    from feedwright.run.logs import setup_logging
    from feedwright.run.once import run_once

    if config.websub.hubs:
        setup_logging("text")  # WebSub results are logged to stderr, like the daemon's
    now = _now(args, config)
    args.recorded = not args.dry_run  # from here on, the run records its own failure
    result = run_once(
        config,
        now=now,
        dry_run=args.dry_run,
        full=args.full,
        jobs=args.jobs,
        progress=Progress(err, enabled=not args.quiet),
        accept_loss=args.accept_loss,
        accept_id_change=args.accept_id_change,
    )
    report = result.report
    assert report is not None  # a build that raised has raised here too
    _print_build(report, args, config, out, err)
    if report.failed or report.errors:
        return EXIT_ERRORS
    if args.strict and report.warnings:
        return EXIT_STRICT
    return EXIT_OK


def _cmd_list(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    from feedwright.index import build_index
    from feedwright.scan import scan

    now = _now(args, config) or dt.datetime.now(dt.UTC)
    result = scan(config, now)
    for diag in result.diagnostics:
        if diag.severity is Severity.ERROR:
            print(diag.format(), file=err)
    index = build_index(result.posts, config)
    if args.by == "year":
        for year, posts in index.by_year.items():
            print(f"{year} ({len(posts)})", file=out)
            for post in posts:
                print(f"  {post.published:%Y-%m-%d}  {post.title}  [{post.relpath}]", file=out)
    else:
        terms = index.tags if args.by == "tag" else index.categories
        for term in sorted(terms, key=lambda t: (-len(t.posts), t.key)):
            spell = ", ".join(s for s, _ in term.spellings)
            print(f"{term.label} ({len(term.posts)}) slug={term.slug} spellings: {spell}", file=out)
            for post in term.posts:
                print(f"  {post.published:%Y-%m-%d}  {post.title}", file=out)
    return EXIT_ERRORS if any(s.error for s in result.skipped) else EXIT_OK


def _cmd_check(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    import json

    from feedwright.check import check

    report = check(config, _now(args, config), jobs=args.jobs)
    if args.format == "json":
        print(json.dumps(report.to_json(str(config.posts)), indent=2, ensure_ascii=False), file=out)
    else:
        for finding in report.findings:
            if finding.severity is not Severity.NOTE or args.verbose:
                print(finding.format(), file=out)
        print(
            f"checked {report.files} files, {report.posts} posts, {report.feeds} feeds: "
            f"{report.count(Severity.ERROR)} error(s), {report.count(Severity.WARNING)} "
            f"warning(s), {report.count(Severity.NOTE)} note(s)",
            file=out,
        )
    if report.count(Severity.ERROR):
        return EXIT_ERRORS
    if args.strict and report.count(Severity.WARNING):
        return EXIT_STRICT
    return EXIT_OK


def _cmd_run(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    from feedwright.run.daemon import Daemon, limit_arenas
    from feedwright.run.logs import setup_logging

    limit_arenas()  # before any thread starts
    setup_logging(args.log_format)
    daemon = Daemon(
        args.config,
        overrides(args),
        config,
        watch=args.watch,
        full_first=args.full,
        jobs=args.jobs,
    )
    if args.serve is None:
        return daemon.run()
    from feedwright.serve import FeedApp, HttpServer, ServeSettings

    app = FeedApp(lambda: ServeSettings.from_config(daemon.config))  # follows reloads
    server = HttpServer(app, args.serve, what="--serve", label=str(config.output))
    server.start()
    try:
        return daemon.run()
    finally:
        server.stop()
        app.polls.keep(app.settings.state)


def _cmd_serve(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    from feedwright.run.logs import setup_logging
    from feedwright.serve import FeedApp, HttpServer, ServeSettings, serve_until_signal

    setup_logging(args.log_format)
    app = FeedApp(ServeSettings.from_config(config))
    what = "--bind" if args.bind else "serve.bind"
    server = HttpServer(app, args.bind or config.serve.bind, what=what, label=str(config.output))
    if not config.output.is_dir():  # serving nothing for ever helps no one
        server.stop()
        found = "is not a folder" if config.output.exists() else "does not exist"
        raise UsageError(
            f"{config.output}: the output folder {found}; run `feedwright build` first, "
            "or set output: (or --output) to the folder the feeds are in"
        )

    def reload() -> None:
        app.configure(ServeSettings.from_config(load_config(args.config, overrides(args))))

    try:
        return serve_until_signal(server, reload)
    finally:
        app.polls.keep(app.settings.state)


def _cmd_status(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    from feedwright.cli_status import show_status

    return show_status(args, config.state, out, err)


def _cmd_ids(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    from feedwright.cli_ids import cmd_ids

    return cmd_ids(args, config, _now(args, config), out, err)


def _cmd_config(args: argparse.Namespace, config: Config, out: TextIO, err: TextIO) -> int:
    from feedwright.init import render_settings

    out.write(render_settings(config))
    return EXIT_OK


def _cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    from feedwright.init import init_folder, systemd_unit

    if args.systemd:
        out.write(systemd_unit())
        return EXIT_OK
    done = init_folder(args.folder, jekyll=args.jekyll, force=args.force)
    print(f"wrote {done.config}", file=out)
    if done.jekyll is not None:
        print(f"  settings from {done.jekyll / '_config.yml'} are noted in it", file=out)
    if done.post is not None:
        print(f"wrote {done.post} (a first post: replace it with yours)", file=out)
    hint = "" if args.folder == Path() else f" -c {done.config}"
    edit = " and ".join(f"site.{key}" for key in done.placeholders)
    first = f"set {edit} in {done.config.name}, then " if edit else ""
    print(f"next: {first}run `feedwright build{hint}`", file=out)
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser().parse_args(argv)  # --help, --version and usage errors exit
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or EXIT_OK
        return EXIT_USAGE
    config: Config | None = None
    try:
        if args.command == "init":
            return _cmd_init(args, out)
        if args.command == "check" and args.schema:
            import json

            from feedwright.check import CHECK_SCHEMA

            print(json.dumps(CHECK_SCHEMA, indent=2), file=out)
            return EXIT_OK
        try:
            optional = args.jekyll is not None and args.config == DEFAULT_CONFIG  # site has all
            config = load_config(args.config, overrides(args), missing_ok=optional)
        except ConfigError as exc:
            if args.command != "status":
                raise
            return _status_of_invalid(args, exc, out, err)
        commands = {
            "build": _cmd_build,
            "check": _cmd_check,
            "config": _cmd_config,
            "ids": _cmd_ids,
            "list": _cmd_list,
            "run": _cmd_run,
            "serve": _cmd_serve,
            "status": _cmd_status,
        }
        return commands[args.command](args, config, out, err)
    except FeedwrightError as exc:
        print(f"feedwright: {exc}", file=err)
        if not isinstance(exc, LockedError | UsageError):  # see _record_failure
            _record_failure(args, config, one_line(str(exc)))
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OSError as exc:  # a file or folder: one line with the path and the fix
        from feedwright.run.once import settings_of

        problem = file_problem(exc, None if config is None else settings_of(config))
        print(f"feedwright: {problem}", file=err)
        _record_failure(args, config, str(problem))
        return problem.exit_code
    except Exception as exc:  # a bug: one line, the traceback in a file (or with --debug)
        _record_failure(args, config, f"unexpected error: {type(exc).__name__}: {exc}")
        return _report_bug(exc, None if config is None else config.state, args.debug, err)


def _record_failure(args: argparse.Namespace, config: Config | None, error: str) -> None:
    """Record in the status file a ``build`` or ``run`` that failed before its build
    could (a build records its own failures): a config that does not load, an output or
    state folder that cannot be used, a ``--serve`` address that cannot be listened on.
    Not a dry run (it publishes nothing), not a bad command-line value (nothing was
    tried), not a run refused because another holds the output folder (that run's status
    counts), and not when the config cannot be read far enough to name a state folder."""
    if args.command not in ("build", "run") or getattr(args, "dry_run", False):
        return
    if getattr(args, "recorded", False):
        return
    from feedwright.run.once import record_failure

    if config is not None:
        output, state = config.output, config.state
    else:
        try:
            output, state = known_folders(args.config, overrides(args))
        except (FeedwrightError, OSError):
            return
    record_failure(state, error, trigger=args.command, output=output)


def _status_of_invalid(args: argparse.Namespace, exc: ConfigError, out: TextIO, err: TextIO) -> int:
    """``status`` with a config that does not load: the status in the state folder it
    names, when it names one (the failed runs are recorded there), and exit 1 either way:
    the next build fails too."""
    try:
        _, state = known_folders(args.config, overrides(args))
    except (FeedwrightError, OSError):
        raise exc from None
    from feedwright.cli_status import show_status

    print(f"feedwright: {one_line(str(exc))}", file=err)
    show_status(args, state, out, err)
    return EXIT_ERRORS


def _report_bug(exc: Exception, state: Path | None, debug: bool, err: TextIO) -> int:
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(exc))
    if debug:
        err.write(text)
        print(f"feedwright: unexpected error (a bug in feedwright): {exc!r}", file=err)
        return EXIT_BUG
    where: Path | None = None
    if state is not None:
        with contextlib.suppress(OSError):
            state.mkdir(parents=True, exist_ok=True)
            where = state / "traceback.txt"
            where.write_text(text, "utf-8")
    if where is None or not where.is_file():
        with tempfile.NamedTemporaryFile(
            "w", prefix="feedwright-traceback-", suffix=".txt", delete=False
        ) as file:
            file.write(text)
            where = Path(file.name)
    print(
        f"feedwright: unexpected error (a bug in feedwright): {type(exc).__name__}: {exc}; "
        f"the traceback is in {where} (--debug prints it); please report it",
        file=err,
    )
    return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
