"""``feedwright ids``: print the id ledger (``export``), or fill it from the feed the blog
published before (``import``)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
from typing import TextIO

from feedwright.config import Config
from feedwright.errors import EXIT_ERRORS, EXIT_OK
from feedwright.state.ledger import FIELDS, ledger_path, read_ledger


def cmd_ids(
    args: argparse.Namespace, config: Config, now: dt.datetime | None, out: TextIO, err: TextIO
) -> int:
    if args.ids_command == "export":
        return _export(args.format, config, out, err)
    from feedwright.ids_import import import_ids

    imported = import_ids(config, args.feed, now or dt.datetime.now(dt.UTC), dry_run=args.dry_run)
    for entry in imported.unmatched:
        print(f"  unmatched: {entry.id} (links to {entry.link or 'nothing'})", file=out)
    total = len(imported.matched) + len(imported.unmatched)
    verb = "would be pinned" if args.dry_run else "pinned"
    print(
        f"ids import: {total} entries in {args.feed}: {len(imported.matched)} {verb} to the "
        f"posts they link to, {len(imported.unmatched)} unmatched (no post has that URL)",
        file=out,
    )
    if total and not imported.matched:
        print(
            "feedwright: no entry links to a post: check site.url, baseurl and permalink "
            "(the posts' URLs must be the links of the feed)",
            file=err,
        )
        return EXIT_ERRORS
    if imported.matched and not args.dry_run:
        print(f"the ids are kept in {ledger_path(config.state)}", file=out)
    return EXIT_OK


def _export(fmt: str, config: Config, out: TextIO, err: TextIO) -> int:
    records = read_ledger(config.state)
    if not records and not ledger_path(config.state).exists():
        print(f"feedwright: no id ledger yet in {config.state} (no build has run)", file=err)
    if fmt == "json":
        print(json.dumps([r.to_json() for r in records], indent=2, ensure_ascii=False), file=out)
        return EXIT_OK
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow(
            [
                str(value).lower() if isinstance(value, bool) else value
                for value in record.to_json().values()
            ]
        )
    return EXIT_OK
