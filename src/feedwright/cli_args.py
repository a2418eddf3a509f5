"""The command line's options: one parser for every command, and the config keys that
options such as ``--posts`` override."""

from __future__ import annotations

import argparse
from pathlib import Path

from feedwright import __version__
from feedwright.config import DEFAULT_CONFIG


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedwright",
        description="Build Atom and RSS feeds from a folder of Jekyll-style Markdown posts.",
        epilog="exit codes: 0 ok, 1 post errors or a failed build, 2 bad config or usage, "
        "3 warnings under --strict, 70 a bug in feedwright (the traceback is in a file), "
        "73 a file or folder cannot be read or written, 75 output folder locked or serve "
        "address in use",
    )
    parser.add_argument("-V", "--version", action="version", version=f"feedwright {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="print the full traceback of an unexpected error instead of saving it to a file",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-c",
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help="config file (default: ./config.yaml)",
    )
    common.add_argument(
        "--jekyll",
        type=Path,
        metavar="DIR",
        help="a Jekyll site whose _config.yml, _posts, _data and _includes to use "
        "(overrides jekyll:)",
    )
    common.add_argument("--posts", type=Path, help="posts folder (overrides posts:)")
    common.add_argument("--output", type=Path, help="output folder (overrides output:)")
    common.add_argument("--state", type=Path, help="state folder (overrides state:)")
    common.add_argument("--site-url", help="public site URL (overrides site.url)")
    common.add_argument(
        "--feeds-url", help="public URL of the output folder (overrides feeds_url:)"
    )
    # what the feeds hold: for the commands that build them
    feed_opts = argparse.ArgumentParser(add_help=False)
    feed_opts.add_argument("--limit", type=int, help="entries per feed (overrides limit:)")
    feed_opts.add_argument(
        "--ids",
        choices=["url", "tag", "jekyll-feed", "ledger"],
        help="entry id scheme (overrides ids.scheme)",
    )
    now_opt = argparse.ArgumentParser(add_help=False)
    now_opt.add_argument(
        "--now",
        help="build as if it were this time (ISO 8601), for previews "
        "and reproducible builds; default: the current time",
    )

    build = sub.add_parser(
        "build",
        parents=[common, feed_opts, now_opt],
        help="build the feeds once",
        description="Scan the posts and write every feed whose bytes changed.",
    )
    build.add_argument(
        "--dry-run",
        action="store_true",
        help="show which files would be written or removed, and why; write nothing",
    )
    build.add_argument("--strict", action="store_true", help="exit 3 when there are warnings")
    build.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    build.add_argument("-v", "--verbose", action="store_true", help="also print notes")
    build.add_argument(
        "--full", action="store_true", help="ignore the cache: read and render every post again"
    )
    build.add_argument(
        "--jobs", type=int, metavar="N", help="render in N processes (default: the number of CPUs)"
    )
    build.add_argument(
        "--accept-loss",
        action="store_true",
        help="publish even when more than max_loss of the posts are gone since the last good "
        "build (after deleting posts on purpose); for this run only",
    )
    build.add_argument(
        "--accept-id-change",
        action="store_true",
        help="publish even when posts already published would get a new entry id (readers "
        "show them again as new); for this run only",
    )

    run = sub.add_parser(
        "run",
        parents=[common, feed_opts],
        help="rebuild on a schedule (daemon)",
        description="Build at start, then on the configured schedule, at the "
        "publication time of future-dated posts and (with --watch) on changes. "
        "SIGTERM/SIGINT stop it after the running build; SIGHUP reloads the "
        "config.",
    )
    run.add_argument(
        "--watch",
        action="store_true",
        help="also rebuild within about a second of a change to the posts or config",
    )
    run.add_argument(
        "--log-format",
        choices=["text", "json"],
        default="text",
        help="log line format on stderr (default: text)",
    )
    run.add_argument("--full", action="store_true", help="ignore the cache for the first build")
    run.add_argument(
        "--serve",
        metavar="HOST:PORT",
        help="also serve the output folder over HTTP while running (see feedwright serve)",
    )
    run.add_argument(
        "--jobs", type=int, metavar="N", help="render in N processes (default: the number of CPUs)"
    )

    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the output folder over HTTP",
        description="Serve the output folder for feed readers: ETag and Last-Modified with "
        "304 answers, gzip, feed content types, WebSub Link headers, /healthz, and feeds as "
        "pages for browsers. SIGTERM/SIGINT stop it (exit 0); SIGHUP reloads the config.",
    )
    serve.add_argument(
        "--bind", metavar="HOST:PORT", help="address to listen on (default: serve.bind)"
    )
    serve.add_argument(
        "--log-format",
        choices=["text", "json"],
        default="text",
        help="log line format on stderr (default: text)",
    )

    status = sub.add_parser(
        "status",
        parents=[common],
        help="show the last run's status",
        description="Print the status file written after each run; exit 1 "
        "when the last run failed (or there is none): a health check.",
    )
    status.add_argument("--format", choices=["text", "json"], default="text")

    chk = sub.add_parser(
        "check",
        parents=[common, feed_opts, now_opt],
        help="report every problem that would hurt the feeds",
        description="Scan, render and build everything in memory and report every problem "
        "with file, line and fix. Writes nothing. Exit 1 on errors; with --strict, 3 on "
        "warnings.",
    )
    chk.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text (default) or JSON (schema: feedwright check --schema)",
    )
    chk.add_argument("--strict", action="store_true", help="exit 3 when there are warnings")
    chk.add_argument("-v", "--verbose", action="store_true", help="also print notes")
    chk.add_argument(
        "--schema",
        action="store_true",
        help="print the JSON output's schema (needs no config file)",
    )
    chk.add_argument(
        "--jobs", type=int, metavar="N", help="render in N processes (default: the number of CPUs)"
    )

    init = sub.add_parser(
        "init",
        help="write a commented config.yaml to start from",
        description="Write DIR/config.yaml with every setting, its default and one line of "
        "help; in a Jekyll site (or with --jekyll), prefilled from its _config.yml. In a "
        "folder with no posts, also write a first post so that `feedwright build` works.",
    )
    init.add_argument("folder", nargs="?", type=Path, default=Path(), metavar="DIR")
    init.add_argument("--jekyll", type=Path, metavar="SITE", help="the Jekyll site to read")
    init.add_argument("--force", action="store_true", help="replace an existing config.yaml")
    init.add_argument(
        "--systemd", action="store_true", help="print a systemd unit for `feedwright run` instead"
    )

    sub.add_parser(
        "config",
        parents=[common, feed_opts],
        help="print the effective configuration",
        description="Print every setting as feedwright uses it, and where its value came from: "
        "the default, config.yaml, the Jekyll site's _config.yml or a command-line option.",
    )

    ids = sub.add_parser(
        "ids",
        help="show or fill the ledger of published entry ids",
        description="The id ledger (ids.sqlite in the state folder) keeps every entry id "
        "ever published, so that a build never gives a published post a new one.",
    )
    ids_sub = ids.add_subparsers(dest="ids_command", required=True, metavar="ACTION")
    export = ids_sub.add_parser(
        "export",
        parents=[common],
        help="print every published id with its post",
        description="Print every entry id ever published, with the post's file and URL and "
        "when it was first and last published.",
    )
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.set_defaults(now=None)
    imp = ids_sub.add_parser(
        "import",
        parents=[common, now_opt],
        help="keep the ids of a feed published before (WordPress, jekyll-feed, ...)",
        description="Read the entry ids of an Atom or RSS feed the blog published before, "
        "and pin each to the post whose URL is the entry's link (http or https, with or "
        "without a trailing slash), so that readers see none of them again as new.",
    )
    imp.add_argument("feed", metavar="FEED", help="the feed: a file or an http(s) URL")
    imp.add_argument(
        "--dry-run", action="store_true", help="show what would be pinned; change nothing"
    )

    lst = sub.add_parser(
        "list",
        parents=[common, now_opt],
        help="show the index",
        description="Show the indexed posts by year, tag or category.",
    )
    lst.add_argument("--by", choices=["year", "tag", "category"], default="year")
    return parser


def overrides(args: argparse.Namespace) -> dict[str, object]:
    out: dict[str, object] = {}
    for attr, key in (
        ("jekyll", "jekyll"),
        ("posts", "posts"),
        ("output", "output"),
        ("state", "state"),
        ("site_url", "site.url"),
        ("feeds_url", "feeds_url"),
        ("limit", "limit"),
    ):
        value = getattr(args, attr, None)  # --limit is not an option of every command
        if value is not None:
            out[key] = str(Path.cwd() / value) if isinstance(value, Path) else value
    if getattr(args, "ids", None) is not None:
        out["ids.scheme"] = args.ids
    return out
