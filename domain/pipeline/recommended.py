"""Where a recommended pipeline version came from, and what the evaluator predicted it cuts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

PREDICTED = ("series_reduction", "datapoint_reduction", "cost_reduction", "critical_retention")


class Recommended(BaseModel):
    """A version Phoenix recommended: from which baseline, on what data, predicting what."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    baseline: str = Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?@[1-9][0-9]{0,8}$",
        description="the registered version it reduces: NAME@VERSION",
    )
    candidate: str = Field(min_length=1, max_length=100, description="e.g. topk, by-executable")
    basis: str = Field(
        min_length=1, max_length=500, description="the data it was predicted on, for people"
    )
    window_seconds: int = Field(gt=0, description="the observation window it was predicted for")
    predicted: dict[str, float | None] = Field(
        description="series_reduction, datapoint_reduction, cost_reduction, critical_retention"
    )
