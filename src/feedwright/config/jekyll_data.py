"""The files a Jekyll site reads as data: YAML as Jekyll parses it, and the ``_data``
folder's YAML, JSON, CSV and TSV files (``site.data``)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from feedwright.errors import FeedwrightError


class JekyllSiteError(FeedwrightError):
    """A Jekyll site's settings or data cannot be read."""

    exit_code = 2

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


def _line_of(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return None if mark is None else int(mark.line) + 1


def load_yaml(path: Path, text: str | None = None) -> object:
    """Parse a YAML file as Jekyll does (an empty file is an empty value)."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise JekyllSiteError(path, f"cannot read: {exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise JekyllSiteError(path, f"invalid YAML: {problem}", _line_of(exc)) from None


_SANITIZE_1 = re.compile(r"[^\w\s-]+|(?:^|(?<=\b\s))\s+(?=$|\s?\b)")


def _data_key(name: str) -> str:
    """``DataReader#sanitize_filename``."""
    return re.sub(r"\s+", "_", _SANITIZE_1.sub("", name))


_DATA_EXTS = (".yaml", ".yml", ".json", ".csv", ".tsv")


def read_data(folder: Path, config: Mapping[str, object] | None = None) -> dict[str, object]:
    """``DataReader``: every YAML, JSON, CSV and TSV file, sub-folders as nested maps.
    The file's name without extension is the key; Ruby's glob skips dot-files."""
    out: dict[str, object] = {}
    if not folder.is_dir():
        return out
    settings = config or {}
    files = sorted(
        p for p in folder.iterdir() if not p.name.startswith(".") and p.suffix in _DATA_EXTS
    )
    dirs = sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.is_dir())
    for path in files:
        if path.is_dir():
            continue
        out[_data_key(path.stem)] = _read_data_file(path, settings)
    for path in dirs:
        out[_data_key(path.name)] = read_data(path, settings)
    return out


def _read_data_file(path: Path, config: Mapping[str, object]) -> object:
    ext = path.suffix.lower()
    if ext in (".csv", ".tsv"):
        key = "csv_reader" if ext == ".csv" else "tsv_reader"
        reader_config = config.get(key)
        headers = True
        if isinstance(reader_config, Mapping):
            headers = bool(reader_config.get("headers", True))
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.reader(handle, delimiter="," if ext == ".csv" else "\t"))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise JekyllSiteError(path, f"cannot read: {exc}") from None
        if not headers:
            return rows
        if not rows:
            return []
        head = rows[0]
        return [
            {
                head[i] if i < len(head) else "": (row[i] if i < len(row) else None)
                for i in range(max(len(head), len(row)))
            }
            for row in rows[1:]
        ]
    if ext == ".json":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise JekyllSiteError(path, f"cannot read: {exc}") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            # Jekyll reads JSON with its YAML parser, which is more lenient.
            return load_yaml(path, text)
    return load_yaml(path)
