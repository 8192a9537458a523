"""The resourcedetection processor: adds host and cloud attributes; the validator knows its keys,
the evaluator does not run it (what it adds depends on the host it runs on).
"""

from __future__ import annotations

from pipelines.processors.base import ProcessorKind, keys_by_type

KIND = ProcessorKind(
    names=("resourcedetection",),
    keys=keys_by_type(
        list="detectors attributes",
        bool="override",
        str="timeout",
        any="system env ec2 gcp azure k8snode docker",
    ),
)
