"""The systemd unit shipped in deploy/ and shown in the README."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

UNIT = ROOT / "deploy" / "feedwright.service"


def test_readme_shows_the_shipped_unit() -> None:
    readme = (ROOT / "README.md").read_text()
    body = UNIT.read_text().strip()
    assert body in readme
    assert "Restart=on-failure" in body and "User=feedwright" in body


def test_unit_verifies_with_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not available on this machine")
    # Point ExecStart at this environment's console script so the path check can pass.
    script = Path(sys.executable).parent / "feedwright"
    unit = tmp_path / "feedwright.service"
    unit.write_text(UNIT.read_text().replace("/opt/feedwright/.venv/bin/feedwright", str(script)))
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
