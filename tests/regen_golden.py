"""Regenerate tests/golden/ from the sample blog: `make golden`.

The golden feeds are the exact bytes `feedwright build` writes for posts/ and config.yaml
at a fixed --now, so a change in output is always a visible diff in review.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
FIXED_NOW = "2026-01-01T00:00:00Z"


def build_sample(output: Path, state: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "feedwright",
            "build",
            "-q",
            "-c",
            str(ROOT / "config.yaml"),
            "--output",
            str(output),
            "--state",
            str(state),
            "--now",
            FIXED_NOW,
        ],
        check=True,
        cwd=ROOT,
        env=env,
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        build_sample(out, Path(tmp) / "state")
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        shutil.copytree(out, GOLDEN)
    count = sum(1 for p in GOLDEN.rglob("*") if p.is_file())
    print(f"wrote {count} golden files to {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
