"""A variant's figures over an observation window, as the analysis records them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_serializer


class Measures(BaseModel):
    """A variant's figures: its own (series, datapoints per minute, critical processes, cost),
    and, for a candidate, how they compare with the baseline's and how sure the tests are.
    A figure that was not measured is absent (None), never zero.
    """

    # Figures an older Phoenix recorded and this one no longer knows are ignored on read.
    model_config = ConfigDict(frozen=True, extra="ignore")

    series: float | None = None
    datapoints_per_minute: float | None = None
    critical_processes: float | None = None
    cost_per_month: float | None = None
    series_reduction: float | None = None
    datapoint_reduction: float | None = None
    cost_reduction: float | None = None
    critical_retention: float | None = None
    critical_kept: float | None = None
    critical_lost: float | None = None
    critical_set_aside: float | None = None
    series_p_value: float | None = None
    datapoint_p_value: float | None = None
    cost_p_value: float | None = None
    collector_cpu_cores: float | None = None
    collector_memory_mib: float | None = None
    collector_points_in: float | None = None
    collector_points_out: float | None = None
    collector_points_failed: float | None = None
    points_arrived: float | None = None

    @model_serializer(mode="wrap")
    def _measured_only(self, handler: Any) -> dict[str, Any]:
        # As the events have always carried them: the figures that were measured, by name.
        return {k: v for k, v in handler(self).items() if v is not None}

    def figures(self) -> dict[str, float]:
        """The measured figures by name (the serializer leaves out what was not measured)."""
        return dict(self.model_dump())
