"""Golden files: the sample blog's feeds, byte for byte, whatever the clock, locale, time
zone or hash seed. Regenerate with `make golden` after an intended change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import check_feeds, feed_files
from regen_golden import GOLDEN, build_sample


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C.UTF-8"},
        {"PYTHONHASHSEED": "12345", "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "de_DE"},
    ],
    ids=["utc-c", "kiritimati-de"],
)
def test_sample_feeds_match_the_golden_files(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "out"
    build_sample(out, tmp_path / "state", env={**os.environ, **env})
    got, expected = _tree(out), _tree(GOLDEN)
    assert sorted(got) == sorted(expected)
    for name, data in expected.items():
        assert got[name] == data, f"{name} differs from tests/golden (run `make golden`?)"


def test_golden_feeds_are_valid() -> None:
    parsed = check_feeds(feed_files(GOLDEN))
    assert parsed
