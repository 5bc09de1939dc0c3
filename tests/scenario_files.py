"""A scenario file written for a test: the shipped baseline extended by a few lines."""

from __future__ import annotations

from pathlib import Path

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def scenario_file(tmp_path: Path, name: str, body: str) -> Path:
    """``tmp_path/name.yaml``: the baseline, named ``name``, with ``body`` (YAML) on top."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {BASELINE}\nname: {name}\n{body}", encoding="utf-8")
    return path
