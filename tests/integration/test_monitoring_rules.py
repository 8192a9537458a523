"""Phoenix's alert rules are valid Prometheus rules and behave as their unit tests say, by promtool."""

from __future__ import annotations

import subprocess
from pathlib import Path

RULES = Path(__file__).parents[2] / "deploy" / "monitoring" / "rules"


def promtool_says(promtool: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(promtool), *args], cwd=RULES, capture_output=True, text=True, check=False
    )


def test_the_alert_rules_pass_promtool_check_rules(promtool: Path) -> None:
    checked = promtool_says(promtool, "check", "rules", "phoenix-alerts.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 9 rules found" in checked.stdout


def test_the_alert_rules_fire_as_their_unit_tests_say(promtool: Path) -> None:
    tested = promtool_says(promtool, "test", "rules", "phoenix-alerts.test.yaml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_a_broken_expectation_is_caught(promtool: Path, tmp_path: Path) -> None:
    """The unit tests can fail: with the relay's threshold raised, its expected alert is missing."""
    (tmp_path / "phoenix-alerts.yaml").write_text(
        (RULES / "phoenix-alerts.yaml")
        .read_text()
        .replace("phoenix_relay_lag_positions > 1000", "phoenix_relay_lag_positions > 9000")
    )
    (tmp_path / "phoenix-alerts.test.yaml").write_text(
        (RULES / "phoenix-alerts.test.yaml").read_text()
    )
    tested = subprocess.run(
        [str(promtool), "test", "rules", "phoenix-alerts.test.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tested.returncode != 0
    assert "PhoenixRelayLagging" in tested.stdout + tested.stderr
