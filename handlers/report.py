"""An experiment's results as rows and as a Markdown table a reviewer can read."""

from __future__ import annotations

from typing import Any

from domain.experiment.state import Experiment

COLUMNS = (
    ("variant", "variant"),
    ("series", "series"),
    ("series_reduction", "Δ"),
    ("datapoints_per_minute", "points/min"),
    ("datapoint_reduction", "Δ"),
    ("critical_retention", "critical"),
    ("cost_per_month", "cost/month"),
    ("cost_reduction", "Δ"),
    ("verdict", "verdict"),
)


def _format(key: str, value: Any) -> str:
    key = key.removeprefix("predicted_")
    if value is None:
        return "n/a" if key != "verdict" else ""
    if key in ("series_reduction", "datapoint_reduction", "cost_reduction"):
        return f"{-value:+.1%}" if value else "0.0%"  # a reduction shows as a minus
    if key == "critical_retention":
        return f"{value:.1%}"
    if key == "cost_per_month":
        return f"${value:,.2f}"
    if key in ("series",):
        return f"{int(value):,}"
    if key == "datapoints_per_minute":
        return f"{value:,.0f}"
    return str(value)


def result_rows(state: Experiment) -> list[dict[str, Any]]:
    """The baseline, then every candidate with its verdict: raw values, not formatted."""
    templates = {
        ref.name: ref.template or ref.pipeline
        for ref in (state.spec.baseline, *state.spec.candidates)
    }
    rows: list[dict[str, Any]] = []
    if state.baseline_measures is not None:
        rows.append(
            {
                "variant": state.spec.baseline.name,
                "template": templates[state.spec.baseline.name],
                **state.baseline_measures.measures.figures(),
                "verdict": "baseline",
                "reasons": [],
            }
        )
    for result in state.results:
        rows.append(
            {
                "variant": result.variant,
                "template": templates[result.variant],
                **result.measures.figures(),
                "verdict": result.verdict.value,
                "reasons": list(result.reasons),
            }
        )
    return rows


def formatted(row: dict[str, Any], columns: tuple[tuple[str, str], ...] = COLUMNS) -> list[str]:
    return [_format(key, row.get(key)) for key, _ in columns]


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    lines += ["| " + " | ".join(formatted(row)) + " |" for row in rows]
    return "\n".join(lines)
