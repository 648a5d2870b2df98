"""README's "Schedule the pack": the CI workflow is valid YAML on the cron line's schedule, and
its pmdash steps, run as written in a folder laid out like the workflow's checkout, write
the pack of the last complete quarter where the upload step picks it up."""

from __future__ import annotations

import re
import shlex
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from queries.quarterly import latest_complete_quarter

REPO = Path(__file__).resolve().parents[1]


def _recipe() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split("## Schedule the pack", 1)[1].split("\n## ", 1)[0]


def test_the_workflow_syncs_reports_and_uploads_the_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recipe = _recipe()
    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", recipe, re.S)[1])  # type: ignore[index]
    cron_line = re.search(r"```cron\n(.*?)\n```", recipe, re.S)[1]  # type: ignore[index]
    schedule = workflow[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key `on` as true
    assert cron_line.startswith(schedule + " ") and schedule == "0 7 1 1,4,7,10 *"
    steps = workflow["jobs"]["pack"]["steps"]
    commands = [s["run"] for s in steps if s.get("run", "").startswith("pmdash ")]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))

    (tmp_path / "postmortems").symlink_to(REPO / "data" / "sample")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    monkeypatch.delenv("PMDASH_DB", raising=False)
    for command in commands:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0, (command, result.output)
    quarter = latest_complete_quarter(date.today())
    assert sorted(p.name for p in (tmp_path / upload["with"]["path"]).iterdir()) == [
        f"reliability-review-{quarter}-csv.zip",
        f"reliability-review-{quarter}.html",
        f"reliability-review-{quarter}.md",
    ]
