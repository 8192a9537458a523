"""The resourcedetection processor: adds host and cloud attributes. What it adds depends on the
host it runs on, but it adds the same to every resource of a collector, so it changes no count
Phoenix measures (series, datapoints, which processes remain): the evaluator passes batches
through it.
"""

from __future__ import annotations

from pipelines.processors.base import ProcessorKind, keys_by_type, pass_through

KIND = ProcessorKind(
    names=("resourcedetection",),
    keys=keys_by_type(
        list="detectors attributes",
        bool="override",
        str="timeout",
        any="system env ec2 gcp azure k8snode docker",
    ),
    build=pass_through,
)
