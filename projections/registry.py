"""The projectors Phoenix runs."""

from __future__ import annotations

from projections.audit import AuditProjector
from projections.command_outcomes import CommandOutcomesProjector
from projections.experiments import ExperimentsProjector
from projections.pipelines import PipelinesProjector
from projections.projector import Projector
from projections.variants import VariantsProjector


def all_projectors() -> list[Projector]:
    return [
        ExperimentsProjector(),
        VariantsProjector(),
        CommandOutcomesProjector(),
        AuditProjector(),
        PipelinesProjector(),
    ]
