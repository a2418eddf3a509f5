"""Feeds that move or end without breaking subscribers. :mod:`.record` keeps, in the state
folder, which feeds the last build published and which paths have ended since (retired:
a tag or category lost its last post; moved: ``moved:`` or a new path template), and
gives the rules: 301 to the new URL, 410 for the rest. ``feedwright serve`` answers with
them, :mod:`.hosts` writes them for static hosts, and :mod:`.tombstone` leaves a valid
feed with one final entry at each ended path for hosts that can do neither."""

from feedwright.moves.hosts import host_files, rule_files
from feedwright.moves.record import (
    MOVES_FILE,
    Ended,
    Moves,
    Published,
    Rules,
    advance,
    read_moves,
    rules_of,
    write_moves,
)
from feedwright.moves.tombstone import site_feed, tombstone, tombstones

__all__ = [
    "MOVES_FILE",
    "Ended",
    "Moves",
    "Published",
    "Rules",
    "advance",
    "host_files",
    "read_moves",
    "rule_files",
    "rules_of",
    "site_feed",
    "tombstone",
    "tombstones",
    "write_moves",
]
